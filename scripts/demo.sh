#!/usr/bin/env bash
# The README's main job: installs what is needed, builds, then shows the product end to end on this
# machine only (loopback targets, loopback link):
#   1. slamon check on the spec's example catalogue and on the demo catalogue;
#   2. local targets started (nginx HTTP/HTTPS, snmpd, a TCP "database": scripts/demo_peers.sh);
#   3. certificates made (scripts/make-certs.sh); slamon-collector serves the demo catalogue over TLS
#      into its SQLite store; slamon-agent (agent.yaml mode) gets its probes from it, runs them for
#      --duration (default 60s), spools and streams the results; a third of the way in the "database"
#      is taken away for a third of the run, so the report has a real outage;
#   4. slamon status and slamon report from the collector's store (--db): the demo SLA as text, JSON
#      and HTML, and the same report offline from the agent's own results log, which must agree.
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
collector_pid=
agent_pid=
cleanup() {
  [ -n "$agent_pid" ] && kill "$agent_pid" 2>/dev/null || true
  [ -n "$collector_pid" ] && kill "$collector_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  scripts/demo_peers.sh stop "$peers" 2>/dev/null || true
}
trap cleanup EXIT
trap 'echo "demo: interrupted"; exit 130' INT TERM
scripts/demo_peers.sh start "$peers"

say "3. slamon-collector and slamon-agent over TLS on loopback for $duration"
# Certificates (a CA, the collector's, the agent's), the two configuration files, fresh state.
scripts/make-certs.sh "$out/tls" demo-agent >/dev/null
rm -rf "$out/store.db" "$out/store.db-wal" "$out/store.db-shm" "$out/collector-state" "$out/agent-state" "$out/spool" \
  "$out/collector.log" "$out/agent.log"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
http_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
src=$(pwd)
cat >"$out/collector.yaml" <<YAML
# Written by scripts/demo.sh (docs/collector-config.md)
catalogue: $src/config/demo.yaml
listen: 127.0.0.1:$port
tls:
  cert_file: tls/collector.pem
  key_file: tls/collector.key
store: store.db
state_dir: collector-state
http:
  listen: 127.0.0.1:$http_port
YAML
cat >"$out/agent.yaml" <<YAML
# Written by scripts/demo.sh (docs/agent-config.md)
collector: 127.0.0.1:$port
name: demo-agent
token_file: $src/config/secrets/demo-agent.token
tls:
  ca_file: tls/ca.pem
  server_name: localhost
spool_dir: spool
state_dir: agent-state
results_log: results.jsonl
YAML
"$bin/slamon" check --collector-config "$out/collector.yaml" | tail -n 1
"$bin/slamon-collector" --config "$out/collector.yaml" 2>"$out/collector.log" &
collector_pid=$!
for _ in $(seq 100); do grep -q "listening on" "$out/collector.log" && break; sleep 0.1; done
grep -q "listening on" "$out/collector.log" || { cat "$out/collector.log"; echo "demo: the collector did not start" >&2; exit 1; }
echo "demo: collector listening on 127.0.0.1:$port (log: $out/collector.log); API, metrics and web UI on http://127.0.0.1:$http_port/"
"$bin/slamon-agent" --config "$out/agent.yaml" --duration "$duration" --drain-timeout 30s 2>"$out/agent.log" &
agent_pid=$!
echo "demo: agent started (log: $out/agent.log; its own results: $out/results.jsonl)"
third=$(( secs / 3 ))
sleep "$third"
echo "demo: taking the database (127.0.0.1:15432) away for ${third}s"
scripts/demo_peers.sh stop-db "$peers"
sleep "$third"
echo "demo: database back"
scripts/demo_peers.sh start-db "$peers"
wait "$agent_pid" || { tail -n 20 "$out/agent.log"; echo "demo: the agent failed" >&2; exit 1; }
agent_pid=
grep -E "uplink.*connected to collector|runs started" "$out/agent.log" | sed 's/^/  /' | cut -c1-220
kill -TERM "$collector_pid"
wait "$collector_pid" || { tail -n 20 "$out/collector.log"; echo "demo: the collector failed" >&2; exit 1; }
collector_pid=
echo "demo: $(wc -l < "$out/results.jsonl") results logged by the agent; the collector stored them in $out/store.db"

say "4. slamon status and slamon report, from the collector's store: demo-gold, today so far"
"$bin/slamon" status --db "$out/store.db" --catalogue config/demo.yaml
today=$(date -u +%F)
now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
common=(--catalogue config/demo.yaml --db "$out/store.db" --sla demo-gold --period "$today" --as-of "$now")
"$bin/slamon" report "${common[@]}" --format text
"$bin/slamon" report "${common[@]}" --format json > "$out/report.json"
"$bin/slamon" report "${common[@]}" --format html > "$out/report.html"
# The same report offline, from nothing but the catalogue and the agent's own log: it must agree.
"$bin/slamon" report --catalogue config/demo.yaml --results "$out/results.jsonl" --sla demo-gold --period "$today" \
  --as-of "$now" --format json > "$out/report-offline.json"
if cmp -s "$out/report.json" "$out/report-offline.json"; then
  echo "demo: the report from the store equals the offline report from the agent's results log"
else
  echo "demo: the report from the store differs from the offline report:" >&2
  diff "$out/report.json" "$out/report-offline.json" >&2 || true
  exit 1
fi
echo
echo "demo: report written to $out/report.json and $out/report.html (open it in a browser)"
