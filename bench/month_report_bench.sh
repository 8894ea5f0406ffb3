#!/usr/bin/env bash
# A month of history for 2,000 probes (issue 13): a store filled with --days of results (from
# 2026-11-01T00:00Z) for --probes probes every --interval seconds (bench_ingest month: the store's
# schema, raw sqlite3 API), a catalogue with those probes on 20 agents, in 200 CIs of 10 probes, 100
# services (2 CIs each) and 100 monthly SLAs (every 10th with a response-time objective); then
# the collector's live engine applies them (its rate is printed), then
# `slamon report --db STORE --catalogue C --period 2026-11` (every SLA: no --sla), goal < 5 s. Peer:
# the same report offline from the exported JSONL (`slamon report --results`); both outputs must be
# equal. Rounds alternate ours and the peer's; medians.
#   bench/month_report_bench.sh [--probes 2000] [--interval 300] [--days 30] [--rounds 3] [--keep]
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
BIN=${SLAMON_BIN_DIR:-$SRC/build/bin}
probes=2000 interval=300 days=30 rounds=3 keep=0
while [ $# -gt 0 ]; do
  case "$1" in
    --probes) probes=$2; shift 2 ;; --interval) interval=$2; shift 2 ;; --days) days=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;; --keep) keep=1; shift ;;
    *) echo "usage: see the opening comment of $0" >&2; exit 2 ;;
  esac
done
for b in slamon slamon-collector bench_ingest; do [ -x "$BIN/$b" ] || { echo "$BIN/$b is not built" >&2; exit 1; }; done
work=$(mktemp -d "${TMPDIR:-/tmp}/slamon-monthbench.XXXXXX")
trap 'if [ "$keep" = 1 ]; then echo "work folder kept: $work" >&2; else rm -rf "$work"; fi' EXIT
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
(( probes % 20 == 0 )) || { echo "--probes must be a multiple of 20" >&2; exit 2; }
python3 - "$work/catalogue.yaml" "$probes" "$interval" <<'PY'
import hashlib, sys
path, n, interval = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
agents = 20
out = ["version: 1", "agents:"]
for a in range(1, agents + 1):
    out += ["  - name: gen-a%02d" % a, "    token_sha256: %s" % hashlib.sha256(b"t%d" % a).hexdigest()]
cis = n // 10
out.append("cis:")
for c in range(cis):
    out += ["  - id: ci-%03d" % (c + 1), "    type: host", "    probes:"]
    for p in range(c * 10 + 1, c * 10 + 11):
        out.append('      - {id: gen-%04d, type: tcp, agent: gen-a%02d, target: "127.0.0.1:9", interval: %ds, timeout: 1s}'
                   % (p, (p - 1) % agents + 1, interval))
services = cis // 2
out.append("services:")
for s in range(services):
    out += ["  - id: svc-%03d" % (s + 1), "    name: Service %d" % (s + 1), "    kind: business",
            "    children: [ci-%03d, ci-%03d]" % (2 * s + 1, 2 * s + 2)]
out.append("slas:")
for s in range(services):
    out += ["  - id: sla-%03d" % (s + 1), "    service: svc-%03d" % (s + 1), "    target: 99.5", "    period: month"]
    if s % 10 == 0:
        out.append("    response_time: {probe: gen-%04d, percentile: 95, under: 50ms}" % (2 * s * 10 + 1))
open(path, "w").write("\n".join(out) + "\n")
PY
echo "month_report_bench: $(date -u +%FT%TZ) probes=$probes interval=${interval}s days=$days load=$(loadavg)"
from_ms=$(date -u -d 2026-11-01T00:00:00Z +%s)000
"$BIN/bench_ingest" month --db "$work/store.db" --from-ms "$from_ms" --probes "$probes" --agents 20 \
  --interval "$interval" --days "$days" 2>/dev/null
echo "store: $(du -h "$work/store.db" | cut -f1)"
t0=$(date +%s.%N)
"$BIN/slamon" export --db "$work/store.db" --output "$work/results.jsonl" 2>/dev/null
t1=$(date +%s.%N)
echo "export: $(wc -l <"$work/results.jsonl") results, $(du -h "$work/results.jsonl" | cut -f1), $(python3 -c "print('%.1f' % ($t1-$t0))") s"
# The collector's live engine applies the month as it would have live (here all at once, as after a
# long import): its change points are what `report --db` reads. Timed from its log.
"$SRC/scripts/make-certs.sh" "$work/tls" >/dev/null
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
http_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
cat > "$work/collector.yaml" <<YAML
catalogue: catalogue.yaml
listen: 127.0.0.1:$port
http: {listen: "127.0.0.1:$http_port"}
tls: {cert_file: tls/collector.pem, key_file: tls/collector.key}
store: store.db
state_dir: state
retention: 400d
YAML
"$BIN/slamon-collector" --config "$work/collector.yaml" 2>"$work/collector.log" &
col=$!
for _ in $(seq 36000); do grep -q "engine: caught up" "$work/collector.log" && break; sleep 0.1; done
hwm=$(awk '/VmHWM/ {print int($2 / 1024)}' "/proc/$col/status")
kill -TERM "$col"; wait "$col" || true
echo "collector peak resident while applying: ${hwm} MB (the engine keeps a state and two change points per probe)"
caught=$(grep "engine: caught up" "$work/collector.log" | head -n 1) || { echo "the engine did not catch up: $(tail -n 5 "$work/collector.log")" >&2; exit 1; }
python3 - "$caught" <<'PY'
import re, sys
m = re.search(r"caught up: (\d+) arrival\(s\) applied, (\d+) probe replay\(s\), in (\d+) ms", sys.argv[1])
n, r, ms = int(m.group(1)), int(m.group(2)), int(m.group(3))
print("engine: %d results applied in %.1f s (%.0f results/s; the collector ingests up to ~120,000/s), %d replays" % (n, ms / 1000, n / (ms / 1000), r))
PY
echo "store with change points: $(du -h "$work/store.db" | cut -f1); change points: $(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('SELECT COUNT(*) FROM engine_changes').fetchone()[0])" "$work/store.db")"

# timed NAME OUT ARGS...: runs slamon report, prints "NAME seconds maxrss_kb load".
timed() {
  local name=$1 out=$2; shift 2
  local t0 t1
  t0=$(date +%s.%N)
  /usr/bin/time -f "%M" -o "$work/time.$name" "$BIN/slamon" report --catalogue "$work/catalogue.yaml" --period 2026-11 "$@" \
    >"$out" 2>"$work/report.$name.err" || { echo "report $name failed: $(tail -n 3 "$work/report.$name.err")" >&2; exit 1; }
  t1=$(date +%s.%N)
  local s; s=$(python3 -c "print('%.2f' % ($t1-$t0))")
  echo "$name: ${s} s, max RSS $(($(tail -n 1 "$work/time.$name") / 1024)) MB, load $(loadavg)"
  eval "${name}_times+=($s)"
}
ours_times=() peer_times=()
for r in $(seq "$rounds"); do
  if [ $((r % 2)) = 1 ]; then
    timed ours "$work/db.json" --db "$work/store.db"; timed peer "$work/file.json" --results "$work/results.jsonl"
  else
    timed peer "$work/file.json" --results "$work/results.jsonl"; timed ours "$work/db.json" --db "$work/store.db"
  fi
done
if cmp -s "$work/db.json" "$work/file.json"; then same="identical"; else same="DIFFERENT"; fi
slas=$(python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(len(d) if isinstance(d,list) else len(d.get('slas', d.get('reports', []))))" "$work/db.json" 2>/dev/null || echo "?")
python3 - "$same" "$slas" "${ours_times[*]}" "${peer_times[*]}" <<'PY'
import statistics, sys
same, slas = sys.argv[1], sys.argv[2]
o = statistics.median(float(x) for x in sys.argv[3].split())
p = statistics.median(float(x) for x in sys.argv[4].split())
print("median: report --db %.2f s (goal < 5 s: %s), offline report --results %.2f s, ratio peer/ours %.2f; SLAs in the report: %s; outputs %s"
      % (o, "met" if o < 5 else "MISSED", p, p / o, slas, same))
PY
echo "load at the end: $(loadavg)"
