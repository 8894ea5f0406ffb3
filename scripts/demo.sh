#!/usr/bin/env bash
# The README's main command: installs what is needed, builds, then shows the whole product live on this
# machine only (loopback targets, loopback link):
#   1. slamon check on the spec's example catalogue and on the demo catalogue (config/demo.yaml);
#   2. local targets started (nginx HTTP/HTTPS, snmpd, a TCP "database": scripts/demo_peers.sh);
#   3. slamon-collector (TLS link, SQLite store, HTTP API and web UI) and slamon-agent (its probes from
#      the collector) run for --duration (default 10m; Ctrl-C ends it sooner, with the reports); with
#      U = min(60 s, duration/6): from U to 2U the "database" is stopped (an outage of the business
#      service demo-shop, charged to the hosting UC); a maintenance window on demo-web, scheduled
#      through the API at the start with who and why, runs from 3U to 4U, and nginx is restarted inside
#      it (planned time, not downtime); a status line every minute (every 30 s under 5 minutes);
#   4. the agent drains its spool and stops, then the collector;
#   5. from the collector's store: slamon status, the SLA report demo-gold (text, JSON, HTML), the UC's
#      report, the SLA attainment KPI; then the same SLA report offline from the agent's own results log
#      and the exported maintenance windows, which must be equal (exit status 1 otherwise).
# Everything it writes goes to --out DIR (default: demo-output/).
#   scripts/demo.sh [--duration 10m] [--out DIR] [--no-setup]
set -euo pipefail
cd "$(dirname "$0")/.."
duration=10m
out=demo-output
setup=1
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) duration=${2:?--duration needs a value}; shift 2 ;;
    --out) out=${2:?--out needs a folder}; shift 2 ;;
    --no-setup) setup=0; shift ;;
    -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "demo: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
case "$duration" in
  *[0-9]s) secs=${duration%s} ;;
  *[0-9]m) secs=$(( ${duration%m} * 60 )) ;;
  *[0-9]) secs=$duration ;;
  *) secs=x ;;
esac
if ! [[ "$secs" =~ ^[0-9]+$ ]] || [ "$secs" -lt 90 ]; then
  echo "demo: --duration takes seconds or minutes, at least 90s (90s, 10m)" >&2
  exit 2
fi

if [ "$setup" = 1 ]; then
  scripts/setup.sh
  scripts/build.sh
fi
bin=${SLAMON_BUILD_DIR:-build}/bin
mkdir -p "$out"
out=$(cd "$out" && pwd)
src=$(pwd)
rm -f "$out/results.jsonl"
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
mmss() { printf '%02d:%02d' $(( $1 / 60 )) $(( $1 % 60 )); }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
port_free() { python3 -c 'import socket,sys; s=socket.socket(); s.bind(("127.0.0.1",int(sys.argv[1])))' "$1" 2>/dev/null; }

# The timeline, in seconds from the agent's start. nginx comes back at least 6 s before the window
# ends (probes every 5 s: its recovery is seen inside the window, so its downtime is all planned).
unit=$(( secs / 6 < 60 ? secs / 6 : 60 ))
fail_from=$unit fail_to=$(( 2 * unit ))
mw_from=$(( 3 * unit )) mw_to=$(( 4 * unit ))
web_off=$(( mw_from + unit / 5 )) web_on=$(( mw_to - 2 * unit / 5 ))
status_every=$(( secs < 300 ? 30 : 60 ))

port=$(free_port)
http_port=8080
port_free "$http_port" || http_port=$(free_port)
http="http://127.0.0.1:$http_port"

say "slamon live demo: $duration on this machine (loopback only); Ctrl-C ends it sooner, with the reports"
cat <<EOF
  What runs: local targets (nginx HTTP/HTTPS, snmpd, a TCP "database"), slamon-collector (the
  catalogue config/demo.yaml, TLS link, SQLite store, HTTP API and web UI) and slamon-agent (7 probes:
  HTTP, HTTPS, TCP, ICMP v4 and v6, SNMP). Business service demo-shop, SLAs demo-gold (day) and
  demo-office-hours (week), under it the hosting supplier's UC demo-hosting-uc (day).
  Timeline: $(mmss "$fail_from")-$(mmss "$fail_to") the "database" fails (an outage, charged to the UC);
  $(mmss "$mw_from")-$(mmss "$mw_to") maintenance on demo-web (nginx restarted inside it: planned time, not downtime).
  Web UI: $http/ (from step 3 on; no token: loopback only). Files: $out/
EOF

say "1. slamon check: the specification's example catalogue, then the demo catalogue"
"$bin/slamon" check config/example.yaml | head -n 1
"$bin/slamon" check config/demo.yaml

say "2. local targets (loopback only)"
peers="$out/peers"
collector_pid=
agent_pid=
stop_requested=0
cleanup() {
  trap - INT TERM
  [ -n "$agent_pid" ] && kill "$agent_pid" 2>/dev/null || true
  [ -n "$collector_pid" ] && kill "$collector_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  scripts/demo_peers.sh stop "$peers" 2>/dev/null || true
}
trap cleanup EXIT
trap 'echo "demo: interrupted"; exit 130' INT TERM
scripts/demo_peers.sh start "$peers"

say "3. slamon-collector and slamon-agent over TLS on loopback"
# Certificates (a CA, the collector's, the agent's), the two configuration files, fresh state.
scripts/make-certs.sh "$out/tls" demo-agent >/dev/null
rm -rf "$out/store.db" "$out/store.db-wal" "$out/store.db-shm" "$out/collector-state" "$out/agent-state" "$out/spool" \
  "$out/collector.log" "$out/agent.log" "$out/maintenance.yaml" "$out"/report*.json "$out/report.html" "$out"/{report,agreement,kpi}.txt "$out/agreement.json"
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
setsid "$bin/slamon-collector" --config "$out/collector.yaml" 2>"$out/collector.log" &
collector_pid=$!
for _ in $(seq 100); do grep -q "listening on" "$out/collector.log" && break; sleep 0.1; done
grep -q "listening on" "$out/collector.log" || { cat "$out/collector.log"; echo "demo: the collector did not start" >&2; exit 1; }
for _ in $(seq 50); do curl -sf "$http/healthz" >/dev/null && break; sleep 0.1; done
# The agent stops when this script says so; its own --duration only bounds it if this script is killed.
setsid "$bin/slamon-agent" --config "$out/agent.yaml" --duration "$(( secs + 120 ))s" --drain-timeout 30s \
  2>"$out/agent.log" &
agent_pid=$!
# From here, Ctrl-C (or SIGTERM) ends the run early and the reports are still made. The daemons run in
# sessions of their own (setsid) so that the terminal's Ctrl-C reaches this script only, which stops
# them in order: the agent first (it drains its spool), then the collector. A second Ctrl-C stops
# everything at once, without the reports.
trap 'stop_requested=1' INT TERM
t0=$SECONDS
start_utc=$(date -u +%s)
at() { date -u -d "@$(( start_utc + $1 ))" +%Y-%m-%dT%H:%M:%SZ; }

# The maintenance window, scheduled now through the API (it may not start in the past: docs/api.md).
mw=$(curl -sS -X POST "$http/api/v1/maintenance" \
  -d "{\"targets\": [\"demo-web\"], \"from\": \"$(at "$mw_from")\", \"to\": \"$(at "$mw_to")\",
       \"who\": \"demo operator\", \"why\": \"nginx restart for a configuration change (CHG-0042)\"}") || mw=
mw_id=$(printf '%s' "$mw" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])' 2>/dev/null) || {
  echo "demo: the API refused the maintenance window: $mw" >&2; exit 1; }

web_note="the SLA overview; a service: #/services/demo-shop; maintenance: #/maintenance; print: #/print/demo-gold/$(date -u +%F)"
[ -f "$bin/web/index.html" ] || web_note="no web UI built here (scripts/build-web.sh): the API and /metrics only"
cat <<EOF

  web UI:       $http/   ($web_note)
  HTTP API:     $http/api/v1   (e.g. $http/api/v1/slas/demo-gold/report), metrics $http/metrics;
                no token needed: loopback only (docs/api.md)
  collector:    TLS link on 127.0.0.1:$port, store $out/store.db, log $out/collector.log
  agent:        demo-agent, log $out/agent.log, its own results log $out/results.jsonl
  maintenance:  $mw_id on demo-web, $(at "$mw_from") to $(at "$mw_to"), by "demo operator" (CHG-0042): $http/api/v1/maintenance/$mw_id
  Status line every ${status_every}s: elapsed, demo-shop's status, demo-gold today so far, what is not up.
EOF

status_line() {
  python3 - "$http" "$1" <<'PY' || true
import json, sys, urllib.request
base, elapsed = sys.argv[1], int(sys.argv[2])
stamp = "[%02d:%02d]" % (elapsed // 60, elapsed % 60)
def get(path):
    with urllib.request.urlopen(base + path, timeout=5) as r:
        return json.load(r)
try:
    status = get("/api/v1/status?limit=1000")
    report = get("/api/v1/slas/demo-gold/report")
except Exception as e:  # the collector busy or starting: say so, never stop the demo
    print("%s the API did not answer (%s)" % (stamp, e))
    sys.exit(0)
nodes = {(i["id"], i["kind"]): i["status"] for i in status.get("items", [])}
not_up = sorted({i for (i, kind), s in nodes.items() if kind != "probe" and s != "up"})
avail = report.get("availability")
print("%s demo-shop %s | demo-gold today: %s (target %s), budget left %.1f s, %d outage(s), planned %.0f s | not up: %s" % (
    stamp, nodes.get(("demo-shop", "service"), "?"), "n/a" if avail is None else "%.3f%%" % avail,
    report.get("target"), report.get("error_budget_remaining_s") or 0.0, report.get("outage_count") or 0,
    report.get("planned_s") or 0.0, ", ".join(not_up) or "none"))
PY
}

echo
next_status=$status_every
stage=0   # 0 before the failure, 1 failing, 2 back, 3 web stopped (in the window), 4 web back
while :; do
  el=$(( SECONDS - t0 ))
  [ "$stop_requested" = 1 ] && { echo "demo: interrupted at $(mmss "$el"): stopping and reporting"; break; }
  [ "$el" -ge "$secs" ] && break
  kill -0 "$agent_pid" 2>/dev/null || { tail -n 20 "$out/agent.log"; echo "demo: the agent stopped early" >&2; exit 1; }
  if [ "$stage" = 0 ] && [ "$el" -ge "$fail_from" ]; then
    echo "[$(mmss "$el")] failure: the \"database\" (demo-db, 127.0.0.1:15432) is stopped until $(mmss "$fail_to")"
    scripts/demo_peers.sh stop-db "$peers"; stage=1
  elif [ "$stage" = 1 ] && [ "$el" -ge "$fail_to" ]; then
    echo "[$(mmss "$el")] the \"database\" is back"
    scripts/demo_peers.sh start-db "$peers"; stage=2
  elif [ "$stage" = 2 ] && [ "$el" -ge "$web_off" ]; then
    echo "[$(mmss "$el")] inside maintenance $mw_id: nginx (demo-web) stopped until $(mmss "$web_on")"
    scripts/demo_peers.sh stop-web "$peers"; stage=3
  elif [ "$stage" = 3 ] && [ "$el" -ge "$web_on" ]; then
    echo "[$(mmss "$el")] nginx is back (the window ends at $(mmss "$mw_to"))"
    scripts/demo_peers.sh start-web "$peers"; stage=4
  fi
  if [ "$el" -ge "$next_status" ]; then
    status_line "$el"
    next_status=$(( next_status + status_every ))
  fi
  sleep 1 & wait $! || true
done
# Peers stopped by an early end come back, so that nothing is left half-way.
[ "$stage" = 1 ] && scripts/demo_peers.sh start-db "$peers"
[ "$stage" = 3 ] && scripts/demo_peers.sh start-web "$peers"

trap 'echo "demo: interrupted again: stopping without the reports"; exit 130' INT TERM

say "4. stopping: the agent sends what its spool still holds, then the collector"
kill -TERM "$agent_pid"
wait "$agent_pid" || { tail -n 20 "$out/agent.log"; echo "demo: the agent failed" >&2; exit 1; }
agent_pid=
grep -E "uplink.*connected to collector|runs started" "$out/agent.log" | sed 's/^/  /' | cut -c1-220 || true
kill -TERM "$collector_pid"
wait "$collector_pid" || { tail -n 20 "$out/collector.log"; echo "demo: the collector failed" >&2; exit 1; }
collector_pid=
echo "demo: $(wc -l < "$out/results.jsonl") results logged by the agent; the collector stored them in $out/store.db"

say "5. the reports, from the collector's store: today so far"
"$bin/slamon" status --db "$out/store.db" --catalogue config/demo.yaml
today=$(date -u +%F)
tomorrow=$(date -u -d tomorrow +%F)
now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
"$bin/slamon" export --db "$out/store.db" --maintenance "$out/maintenance.yaml"
common=(--catalogue config/demo.yaml --db "$out/store.db" --as-of "$now")
echo; echo "-- SLA demo-gold (the business service demo-shop)"
"$bin/slamon" report "${common[@]}" --sla demo-gold --period "$today" --format text | tee "$out/report.txt"
"$bin/slamon" report "${common[@]}" --sla demo-gold --period "$today" --format json > "$out/report.json"
"$bin/slamon" report "${common[@]}" --sla demo-gold --period "$today" --format html > "$out/report.html"
echo; echo "-- UC demo-hosting-uc (Demo hosting Ltd, under demo-shop)"
"$bin/slamon" report "${common[@]}" --agreement demo-hosting-uc --period "$today" --format text | tee "$out/agreement.txt"
"$bin/slamon" report "${common[@]}" --agreement demo-hosting-uc --period "$today" --format json > "$out/agreement.json"
echo; echo "-- SLA attainment KPI, $today (a period counts once it has ended: today's is still running, so it is"
echo "   listed as left out; the web UI's overview shows its verdict so far)"
"$bin/slamon" report "${common[@]}" --kpi --from "$today" --to "$tomorrow" --format text | tee "$out/kpi.txt"
# The same report offline, from nothing but the catalogue, the agent's own log and the maintenance
# windows exported from the store: it must agree.
"$bin/slamon" report --catalogue config/demo.yaml --results "$out/results.jsonl" --maintenance "$out/maintenance.yaml" \
  --sla demo-gold --period "$today" --as-of "$now" --format json > "$out/report-offline.json"
echo
if cmp -s "$out/report.json" "$out/report-offline.json"; then
  echo "demo: the report from the store equals the offline report from the agent's results log"
else
  echo "demo: the report from the store differs from the offline report:" >&2
  diff "$out/report.json" "$out/report-offline.json" >&2 || true
  exit 1
fi
echo "demo: reports in $out/: report.txt, report.json, report.html (open it in a browser), agreement.txt/.json, kpi.txt"
