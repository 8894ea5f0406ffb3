#!/usr/bin/env bash
# One SLA report from the HTTP API at 200 concurrent clients (issue 14: p99 < 50 ms), with `wrk`.
# A store with results from the first of the previous month (UTC) until now (--days: as many days
# from then) for --probes probes every --interval seconds (bench_ingest month, as
# bench/month_report_bench.sh; catalogue: 20 agents, CIs of 10 probes, a service and a monthly SLA per
# 2 CIs), a collector over it (the engine applies the results first), then
# GET /api/v1/slas/sla-001/report?period=<the previous month> with 200 connections for --seconds, and
# the peer: nginx serving the same JSON bytes as a static file, same wrk settings. Rounds alternate
# ours and the peer's; p50/p99 medians are printed with the ratio. The first (uncomputed) request's
# time is printed too: later ones come from the report cache until the engine moves on. Then
# GET /api/v1/overview once (every SLA's current period, computed; with --slas-per-service N each
# service has N SLAs, so that 1,000 SLAs need no more data: 20 services x 50).
#   bench/api_report_bench.sh [--probes 400] [--interval 300] [--days N] [--seconds 10] [--rounds 3]
#                             [--slas-per-service 1] [--keep]
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
BIN=${SLAMON_BIN_DIR:-$SRC/build/bin}
probes=400 interval=300 days= seconds=10 rounds=3 per_service=1 keep=0
while [ $# -gt 0 ]; do
  case "$1" in
    --probes) probes=$2; shift 2 ;; --interval) interval=$2; shift 2 ;; --days) days=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;; --rounds) rounds=$2; shift 2 ;; --keep) keep=1; shift ;;
    --slas-per-service) per_service=$2; shift 2 ;;
    *) echo "usage: see the opening comment of $0" >&2; exit 2 ;;
  esac
done
for b in slamon-collector bench_ingest; do [ -x "$BIN/$b" ] || { echo "$BIN/$b is not built" >&2; exit 1; }; done
command -v wrk >/dev/null || { echo "wrk is not installed (scripts/setup.sh --bench)" >&2; exit 1; }
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$NGINX" ] || { echo "nginx is not installed (scripts/setup.sh)" >&2; exit 1; }
(( probes % 20 == 0 )) || { echo "--probes must be a multiple of 20" >&2; exit 2; }
work=$(mktemp -d "${TMPDIR:-/tmp}/slamon-apibench.XXXXXX")
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ "$keep" = 1 ]; then echo "work folder kept: $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

python3 - "$work/catalogue.yaml" "$probes" "$interval" "$per_service" <<'PY'
import hashlib, sys
path, n, interval, per_service = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
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
out.append("services:")
for s in range(cis // 2):
    out += ["  - id: svc-%03d" % (s + 1), "    kind: business", "    children: [ci-%03d, ci-%03d]" % (2 * s + 1, 2 * s + 2)]
out.append("slas:")
k = 0
for s in range(cis // 2):
    for _ in range(per_service):
        k += 1
        out += ["  - id: sla-%03d" % k, "    service: svc-%03d" % (s + 1), "    target: 99.5", "    period: month"]
open(path, "w").write("\n".join(out) + "\n")
PY
month=$(date -u -d "$(date -u +%Y-%m-01) -1 month" +%Y-%m)
from_s=$(date -u -d "${month}-01T00:00:00Z" +%s)
[ -n "$days" ] || days=$(( ($(date -u +%s) - from_s) / 86400 ))
from_ms=${from_s}000
echo "api_report_bench: $(date -u +%FT%TZ) probes=$probes interval=${interval}s from ${month}-01, days=$days slas_per_service=$per_service connections=200 seconds=$seconds load=$(loadavg) cpus=$(nproc)"
"$BIN/bench_ingest" month --db "$work/store.db" --from-ms "$from_ms" --probes "$probes" --agents 20 \
  --interval "$interval" --days "$days" 2>/dev/null
echo "store: $(du -h "$work/store.db" | cut -f1)"

"$SRC/scripts/make-certs.sh" "$work/tls" >/dev/null
port=$(free_port) http_port=$(free_port) peer_port=$(free_port)
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
pids+=("$!")
path="/api/v1/slas/sla-001/report?period=$month"
for _ in $(seq 36000); do
  code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$http_port/api/v1/status?limit=1" || true)
  [ "$code" = 200 ] && grep -q "engine: caught up" "$work/collector.log" 2>/dev/null && break
  [ "$code" = 200 ] && ! grep -q "catching up" "$work/collector.log" && break
  sleep 0.1
done
# The engine's position must stay put during the run (no agent sends anything): the cache holds.
first=$(curl -s -o "$work/report.json" -w '%{time_total}' "http://127.0.0.1:$http_port$path")
second=$(curl -s -o /dev/null -w '%{time_total}' "http://127.0.0.1:$http_port$path")
echo "first request (computed from the store): ${first} s; second (cached): ${second} s; body $(wc -c <"$work/report.json") bytes"

# The peer: nginx serving the same bytes as a static file.
mkdir -p "$work/www" "$work/nginx"
cp "$work/report.json" "$work/www/report.json"
chmod 755 "$work" "$work/www"; chmod 644 "$work/www/report.json"
cat > "$work/nginx/nginx.conf" <<NGX
worker_processes 1;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  default_type application/json;
  server { listen 127.0.0.1:$peer_port; root $work/www; location / { } }
}
NGX
"$NGINX" -c "$work/nginx/nginx.conf" -p "$work/nginx" &
pids+=("$!")
for _ in $(seq 50); do curl -sf -o /dev/null "http://127.0.0.1:$peer_port/report.json" && break; sleep 0.1; done
cmp -s "$work/report.json" <(curl -s "http://127.0.0.1:$peer_port/report.json") || { echo "the peer does not serve the same bytes" >&2; exit 1; }

# run NAME URL: one wrk run; appends its p50 and p99 (ms) to NAME_p50 / NAME_p99.
run() {
  local name=$1 url=$2
  wrk -t2 -c200 -d"${seconds}s" --latency "$url" > "$work/wrk.$name" 2>&1
  python3 - "$work/wrk.$name" "$name" "$(loadavg)" > "$work/wrk.$name.line" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
def ms(label):
    m = re.search(r"^\s*%s\s+([\d.]+)(us|ms|s)\s*$" % re.escape(label), text, re.M)
    v, u = float(m.group(1)), m.group(2)
    return v / 1000 if u == "us" else v * 1000 if u == "s" else v
rps = re.search(r"Requests/sec:\s+([\d.]+)", text).group(1)
errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
print("%s %.2f %.2f %s %s %s" % (sys.argv[2], ms("50%"), ms("99%"), rps, errors.group(1) if errors else 0, sys.argv[3]))
PY
  read -r _ p50 p99 rps errs _ < "$work/wrk.$name.line"
  echo "$name: p50 ${p50} ms, p99 ${p99} ms, ${rps} requests/s, non-2xx ${errs}, load $(loadavg)"
  eval "${name}_p50+=($p50); ${name}_p99+=($p99)"
}
ours_p50=() ours_p99=() peer_p50=() peer_p99=()
for r in $(seq "$rounds"); do
  if [ $((r % 2)) = 1 ]; then
    run ours "http://127.0.0.1:$http_port$path"; run peer "http://127.0.0.1:$peer_port/report.json"
  else
    run peer "http://127.0.0.1:$peer_port/report.json"; run ours "http://127.0.0.1:$http_port$path"
  fi
done
python3 - "${ours_p50[*]}" "${ours_p99[*]}" "${peer_p50[*]}" "${peer_p99[*]}" <<'PY'
import statistics, sys
o50, o99, p50, p99 = (statistics.median(float(x) for x in a.split()) for a in sys.argv[1:5])
print("median: ours p50 %.2f ms p99 %.2f ms (goal p99 < 50 ms: %s); nginx p50 %.2f ms p99 %.2f ms; p99 ratio ours/nginx %.1f"
      % (o50, o99, "met" if o99 < 50 else "MISSED", p50, p99, o99 / p99 if p99 > 0 else float("nan")))
PY
ov=$(curl -s -o "$work/overview.json" -w '%{time_total}' "http://127.0.0.1:$http_port/api/v1/overview")
echo "overview: $(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['slas']))" "$work/overview.json") SLAs computed in ${ov} s (the current month so far, as of the engine snapshot's instant)"
echo "load at the end: $(loadavg)"
