#!/usr/bin/env bash
# The SLA overview with 1,000 SLAs in Chromium (issue 14, benchmark 1): a catalogue of --slas business
# services (one CI and one TCP probe each, one monthly SLA each), 6 hours of results for every probe
# (one a minute, every 7th service down 10 minutes) put in the store with `slamon import`, the real
# collector (its live engine, /api/v1/overview) and the built UI; then bench/web_overview_bench.mjs
# opens the overview --rounds times in headless Chromium and measures from the overview's answer
# received to the table rendered (performance marks "overview-data" -> "overview-painted", the next
# frame after the table is in the document). Peer, in the same runs and the same page: the same rows written as one static HTML
# table (innerHTML of the whole table, every row; the UI renders its first page of 100 rows and keeps
# sorting and filtering). Goal: under 1 s. Medians.
#   bench/web_overview_bench.sh [--slas 1000] [--rounds 7] [--keep]
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
BIN=${SLAMON_BIN_DIR:-$SRC/build/bin}
slas=1000 rounds=7 keep=0
while [ $# -gt 0 ]; do
  case "$1" in
    --slas) slas=$2; shift 2 ;; --rounds) rounds=$2; shift 2 ;; --keep) keep=1; shift ;;
    *) echo "usage: see the opening comment of $0" >&2; exit 2 ;;
  esac
done
for b in slamon slamon-collector; do [ -x "$BIN/$b" ] || { echo "$BIN/$b is not built" >&2; exit 1; }; done
[ -f "$BIN/web/index.html" ] || { echo "the web UI is not built (scripts/build-web.sh)" >&2; exit 1; }
[ -x "${CHROMIUM:-/usr/bin/chromium}" ] || { echo "chromium is not installed (scripts/setup.sh)" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/slamon-webbench.XXXXXX")
collector_pid=
cleanup() {
  if [ -n "$collector_pid" ]; then
    kill -TERM "$collector_pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$collector_pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$collector_pid" 2>/dev/null || true
    wait "$collector_pid" 2>/dev/null || true
  fi
  if [ "$keep" = 1 ]; then echo "work folder kept: $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
port=$(free_port) http_port=$(free_port)
"$SRC/scripts/make-certs.sh" "$work/tls" >/dev/null
python3 - "$work" "$slas" <<'PY'
import datetime, hashlib, json, os, sys, time
work, n = sys.argv[1], int(sys.argv[2])
out = ["version: 1", "agents:", "  - {name: a1, token_sha256: %s}" % hashlib.sha256(b"tok").hexdigest(), "cis:"]
for i in range(n):
    out.append("  - {id: ci-%04d, probes: [{id: p-%04d, type: tcp, agent: a1, target: \"127.0.0.1:9\"}]}" % (i, i))
out.append("services:")
for i in range(n):
    out.append("  - {id: svc-%04d, kind: business, owner: team-%d, children: [ci-%04d]}" % (i, i % 17, i))
out.append("slas:")
for i in range(n):
    out.append("  - {id: sla-%04d, service: svc-%04d, target: %s}" % (i, i, ["99.5", "99.9", "99", "98"][i % 4]))
open(os.path.join(work, "catalogue.yaml"), "w").write("\n".join(out) + "\n")
now = int(time.time()) // 60 * 60
with open(os.path.join(work, "results.jsonl"), "w") as f:
    for t in range(now - 6 * 3600, now, 60):
        ts = datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        for i in range(n):
            down = i % 7 == 0 and now - 3600 <= t < now - 3000
            f.write('{"probe":"p-%04d","ts":"%s","status":"%s"%s}\n' % (i, ts, "down" if down else "up", "" if down else ',"latency_ms":5'))
PY
cat > "$work/collector.yaml" <<YAML
catalogue: catalogue.yaml
listen: 127.0.0.1:$port
tls:
  cert_file: tls/collector.pem
  key_file: tls/collector.key
store: store.db
state_dir: state
http:
  listen: 127.0.0.1:$http_port
YAML
echo "[$(date -u +%T)] importing $(wc -l < "$work/results.jsonl") results for $slas probes" >&2
"$BIN/slamon" import --db "$work/store.db" "$work/results.jsonl" > /dev/null
"$BIN/slamon-collector" --config "$work/collector.yaml" 2> "$work/collector.log" &
collector_pid=$!
base=http://127.0.0.1:$http_port
for _ in $(seq 600); do
  curl -sf -m 5 -o "$work/overview.json" "$base/api/v1/overview" && python3 -c "
import json,sys; d=json.load(open(sys.argv[1])); rows=d.get('slas') or d.get('items') or []
sys.exit(0 if len(rows)==$slas and all(r.get('availability') is not None for r in rows) else 1)" "$work/overview.json" && break
  sleep 0.5
done
python3 -c "import json,sys; d=json.load(open(sys.argv[1]))" "$work/overview.json" 2>/dev/null || { echo "no overview from the collector: $(tail -5 "$work/collector.log")" >&2; exit 1; }
echo "[$(date -u +%T)] overview: $(stat -c %s "$work/overview.json") bytes; load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
timeout 600 node "$SRC/bench/web_overview_bench.mjs" "$base" "$rounds" "$slas"
