#!/usr/bin/env bash
# The README's main job: installs what is needed, builds, then shows the product end to end on this
# machine only (loopback targets):
#   1. slamon check on the spec's example catalogue and on the demo catalogue;
#   2. local targets started (nginx HTTP/HTTPS, snmpd, a TCP "database": scripts/demo_peers.sh);
#   3. slamon-agent runs the demo agent's probes on schedule for --duration (default 60s), writing
#      results JSONL; a third of the way in the "database" is taken away for a third of the run, so the
#      report has a real outage;
#   4. slamon report, offline from the results file: the demo SLA as text, JSON and HTML.
# Everything it writes goes to --out DIR (default: demo-output/). Ctrl-C ends it early, cleanly.
#   scripts/demo.sh [--duration 60s] [--out DIR] [--no-setup]
set -euo pipefail
cd "$(dirname "$0")/.."
duration=60s
out=demo-output
setup=1
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) duration=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --no-setup) setup=0; shift ;;
    -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "demo: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
case "$duration" in
  *s) secs=${duration%s} ;;
  *m) secs=$(( ${duration%m} * 60 )) ;;
  *) echo "demo: --duration takes seconds or minutes (60s, 10m)" >&2; exit 2 ;;
esac

if [ "$setup" = 1 ]; then
  scripts/setup.sh
  scripts/build.sh
fi
bin=${SLAMON_BUILD_DIR:-build}/bin
mkdir -p "$out"
out=$(cd "$out" && pwd)
rm -f "$out/results.jsonl"
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "1. slamon check: the specification's example catalogue, then the demo catalogue"
"$bin/slamon" check config/example.yaml
"$bin/slamon" check config/demo.yaml

say "2. local targets (loopback only)"
peers="$out/peers"
cleanup() { scripts/demo_peers.sh stop "$peers" 2>/dev/null || true; }
trap cleanup EXIT
trap 'echo "demo: interrupted"; exit 130' INT TERM
scripts/demo_peers.sh start "$peers"

say "3. slamon-agent: demo-agent's probes for $duration (results in $out/results.jsonl)"
"$bin/slamon-agent" --catalogue config/demo.yaml --agent demo-agent --results-file "$out/results.jsonl" \
  --state-dir "$out/agent-state" --duration "$duration" &
agent_pid=$!
third=$(( secs / 3 ))
sleep "$third"
echo "demo: taking the database (127.0.0.1:15432) away for ${third}s"
scripts/demo_peers.sh stop-db "$peers"
sleep "$third"
echo "demo: database back"
scripts/demo_peers.sh start-db "$peers"
wait "$agent_pid"
echo "demo: $(wc -l < "$out/results.jsonl") results written"

say "4. slamon report (offline, from the results file): demo-gold, today so far"
today=$(date -u +%F)
now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
common=(--catalogue config/demo.yaml --results "$out/results.jsonl" --sla demo-gold --period "$today" --as-of "$now")
"$bin/slamon" report "${common[@]}" --format text
"$bin/slamon" report "${common[@]}" --format json > "$out/report.json"
"$bin/slamon" report "${common[@]}" --format html > "$out/report.html"
echo
echo "demo: report written to $out/report.json and $out/report.html (open it in a browser)"
