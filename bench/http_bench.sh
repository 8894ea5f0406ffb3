#!/usr/bin/env bash
# HTTP benchmark (issue 3, benchmark 2): N fresh-connection probes against a local nginx, ours
# (bench_http: the HTTP runner on one event-loop thread) against prometheus-blackbox-exporter driven
# through its /probe endpoint by curl at the same concurrency. Plain HTTP (the goal: at least twice
# blackbox's probes per CPU-second) and HTTPS (reported). Rounds alternate ours and the peer's;
# medians are printed. CPU: ours is the whole bench_http process; blackbox's is its process's
# utime+stime from /proc (the curl driver and nginx are not counted for either side).
#   bench/http_bench.sh [BUILD_DIR]    env: COUNT (2000), CONCURRENCY (50), ROUNDS (3)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=$(dirname "$here")
build=${1:-$src/build}
COUNT=${COUNT:-2000}
CONCURRENCY=${CONCURRENCY:-50}
ROUNDS=${ROUNDS:-3}
bench=$build/bin/bench_http
[ -x "$bench" ] || { echo "http_bench: build bench_http first ($bench)" >&2; exit 2; }
command -v prometheus-blackbox-exporter >/dev/null || { echo "http_bench: prometheus-blackbox-exporter missing (scripts/setup.sh --bench)" >&2; exit 2; }

work=$(mktemp -d)
bb_pid=""
cleanup() {
  [ -n "$bb_pid" ] && kill "$bb_pid" 2>/dev/null && wait "$bb_pid" 2>/dev/null || true
  bash "$src/tests/probes/peers/https_peer.sh" stop "$work/nginx" || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
free_range() {  # a base with $1 consecutive free TCP ports
  python3 - "$1" <<'PY'
import random, socket, sys
n = int(sys.argv[1])
for _ in range(200):
    b = random.randint(20000, 59000)
    ok = True
    for p in range(b, b + n):
        s = socket.socket()
        try: s.bind(("127.0.0.1", p))
        except OSError: ok = False
        finally: s.close()
    if ok: print(b); sys.exit(0)
sys.exit(1)
PY
}

mkdir -p "$work/nginx"
base=$(free_range 5)
bash "$src/tests/probes/peers/https_peer.sh" start "$work/nginx" "$base"
plain_url="http://127.0.0.1:$base/"
tls_url="https://127.0.0.1:$((base + 1))/"
ca=$work/nginx/ca.crt

cat > "$work/blackbox.yml" <<YML
modules:
  plain:
    prober: http
    timeout: 10s
    http:
      preferred_ip_protocol: ip4
  tls:
    prober: http
    timeout: 10s
    http:
      preferred_ip_protocol: ip4
      tls_config:
        ca_file: $ca
YML
bb_port=$(free_port)
prometheus-blackbox-exporter --config.file="$work/blackbox.yml" --web.listen-address="127.0.0.1:$bb_port" \
  --log.level=error >"$work/blackbox.log" 2>&1 &
bb_pid=$!
for _ in $(seq 1 50); do
  curl -sf "http://127.0.0.1:$bb_port/metrics" >/dev/null 2>&1 && break
  sleep 0.1
done
for m in plain tls; do
  u=$plain_url; [ "$m" = tls ] && u=$tls_url
  curl -s "http://127.0.0.1:$bb_port/probe?module=$m&target=$u" | grep -q '^probe_success 1' ||
    { echo "http_bench: blackbox cannot probe $u" >&2; cat "$work/blackbox.log" >&2; exit 1; }
done

ticks=$(getconf CLK_TCK)
bb_cpu() { awk -v t="$ticks" '{ printf "%.3f", ($14 + $15) / t }' "/proc/$bb_pid/stat"; }

# ours URL [ARGS]: prints "probes_per_s cpu_ms_per_probe"
ours() {
  local line
  line=$("$bench" --url "$1" --count "$COUNT" --concurrency "$CONCURRENCY" "${@:2}")
  local up; up=$(sed -E 's/.* up=([0-9]+).*/\1/' <<<"$line")
  [ "$up" = "$COUNT" ] || { echo "http_bench: ours: only $up of $COUNT up" >&2; exit 1; }
  sed -E 's/.*probes_per_s=([0-9.]+) cpu_ms_per_probe=([0-9.]+).*/\1 \2/' <<<"$line"
}

# peer MODULE URL: prints "probes_per_s cpu_ms_per_probe"
peer() {
  local cfg=$work/curl.cfg
  : > "$cfg"
  for _ in $(seq 1 "$COUNT"); do
    printf 'url = "http://127.0.0.1:%s/probe?module=%s&target=%s"\noutput = "/dev/null"\n' "$bb_port" "$1" "$2" >> "$cfg"
  done
  local c0 c1 t0 t1
  c0=$(bb_cpu)
  t0=$(date +%s.%N)
  curl -s --no-progress-meter -Z --parallel-max "$CONCURRENCY" -K "$cfg"
  t1=$(date +%s.%N)
  c1=$(bb_cpu)
  # every probe must have succeeded: blackbox counts them per module in its own metrics? it does not,
  # so the sanity probe above plus curl's exit status stand for that.
  python3 -c "import sys; n=$COUNT; w=$t1-$t0; c=$c1-$c0; print(f'{n/w:.1f} {c*1000/n:.4f}')"
}

median() { sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

report() {  # report NAME OURS_FILE PEER_FILE
  local o_rate o_cpu p_rate p_cpu
  o_rate=$(cut -d' ' -f1 "$2" | median); o_cpu=$(cut -d' ' -f2 "$2" | median)
  p_rate=$(cut -d' ' -f1 "$3" | median); p_cpu=$(cut -d' ' -f2 "$3" | median)
  python3 - "$1" "$o_rate" "$o_cpu" "$p_rate" "$p_cpu" <<'PY'
import sys
name, orate, ocpu, prate, pcpu = sys.argv[1], *map(float, sys.argv[2:])
print(f"{name}:")
print(f"  ours:     {orate:9.1f} probes/s  {ocpu:7.4f} CPU-ms/probe  {ocpu:7.3f} CPU-s/1000  {1000/ocpu:9.0f} probes/CPU-s")
print(f"  blackbox: {prate:9.1f} probes/s  {pcpu:7.4f} CPU-ms/probe  {pcpu:7.3f} CPU-s/1000  {1000/pcpu:9.0f} probes/CPU-s")
print(f"  ratio (ours/blackbox): probes/s x{orate/prate:.2f}, probes per CPU-second x{pcpu/ocpu:.2f}")
PY
}

echo "http_bench: $COUNT probes, concurrency $CONCURRENCY, $ROUNDS rounds (medians), nginx on 127.0.0.1:$base"
for r in $(seq 1 "$ROUNDS"); do
  ours "$plain_url" >> "$work/ours.plain"
  peer plain "$plain_url" >> "$work/peer.plain"
  peer tls "$tls_url" >> "$work/peer.tls"
  ours "$tls_url" --ca-file "$ca" >> "$work/ours.tls"
done
report "plain HTTP" "$work/ours.plain" "$work/peer.plain"
report "HTTPS" "$work/ours.tls" "$work/peer.tls"
