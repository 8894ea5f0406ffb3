#!/usr/bin/env bash
# SNMP benchmark (issue 3, benchmark 3): TARGETS agents (one snmpd answering on TARGETS loopback
# addresses 127.0.1.N), each polled once with a 10-value GET and a ROWS-row walk (v2c), ours
# (bench_snmp: the SNMP runner on one event-loop thread) against prometheus-snmp-exporter driven
# through /snmp by curl at the same concurrency, with a hand-written snmp.yml (numeric OIDs).
# Prints values/s and CPU-µs per value for both sides and snmpd's CPU per value in each run;
# rounds alternate ours and the peer's, medians are printed. The goal: at least twice
# snmp_exporter's values per CPU-second. Net-SNMP's snmpget + snmpbulkwalk are measured too.
# snmpd shares the loopback with nothing else here.
#   bench/snmp_bench.sh [BUILD_DIR]    env: TARGETS (200), ROWS (500), CONCURRENCY (50), ROUNDS (3)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=$(dirname "$here")
build=${1:-$src/build}
TARGETS=${TARGETS:-200}
ROWS=${ROWS:-500}
CONCURRENCY=${CONCURRENCY:-50}
ROUNDS=${ROUNDS:-3}
bench=$build/bin/bench_snmp
[ -x "$bench" ] || { echo "snmp_bench: build bench_snmp first ($bench)" >&2; exit 2; }
command -v prometheus-snmp-exporter >/dev/null || { echo "snmp_bench: prometheus-snmp-exporter missing (scripts/setup.sh --bench)" >&2; exit 2; }

work=$(mktemp -d)
ex_pid=""
cleanup() {
  [ -n "$ex_pid" ] && kill "$ex_pid" 2>/dev/null && wait "$ex_pid" 2>/dev/null || true
  bash "$src/tests/probes/peers/snmpd_peer.sh" stop "$work/snmpd" || true
  rm -rf "$work"
}
trap cleanup EXIT
free_port() {  # $1: tcp or udp
  python3 -c "import socket,sys; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM if '$1'=='udp' else socket.SOCK_STREAM); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])"
}

port=$(free_port udp)
extra=""
: > "$work/targets"
for n in $(seq 1 "$TARGETS"); do
  a="127.0.$(( 1 + (n - 1) / 250 )).$(( 1 + (n - 1) % 250 ))"
  echo "$a" >> "$work/targets"
  extra="$extra${extra:+,}udp:$a:$port"
done
mkdir -p "$work/snmpd"
ROWS=$ROWS EXTRA_ADDRESSES=$extra bash "$src/tests/probes/peers/snmpd_peer.sh" start "$work/snmpd" "$port"
snmpd_pid=$(cat "$work/snmpd/snmpd.pid")

{
  echo "bench:"
  echo "  version: 2"
  echo "  max_repetitions: 25"
  echo "  retries: 1"
  echo "  timeout: 10s"
  echo "  auth:"
  echo "    community: public-test"
  echo "  get:"
  for k in $(seq 1 10); do echo "  - 1.3.6.1.4.1.99999.1.2.$k"; done
  echo "  walk:"
  echo "  - 1.3.6.1.4.1.99999.1.1"
  cat <<'YML'
  metrics:
  - name: benchNumber
    oid: 1.3.6.1.4.1.99999.1.1
    type: gauge
    help: numbers table
    indexes:
    - labelname: idx
      type: gauge
  - name: benchName
    oid: 1.3.6.1.4.1.99999.1.2
    type: DisplayString
    help: names table
    indexes:
    - labelname: idx
      type: gauge
YML
} > "$work/snmp.yml"
ex_port=$(free_port tcp)
prometheus-snmp-exporter --config.file="$work/snmp.yml" --web.listen-address="127.0.0.1:$ex_port" \
  --log.level=error >"$work/exporter.log" 2>&1 &
ex_pid=$!
for _ in $(seq 1 50); do
  curl -sf "http://127.0.0.1:$ex_port/metrics" >/dev/null 2>&1 && break
  sleep 0.1
done
got=$(curl -s "http://127.0.0.1:$ex_port/snmp?module=bench&target=127.0.1.1:$port" | grep -c '^bench' || true)
[ "$got" = "$((ROWS + 10))" ] || { echo "snmp_bench: snmp_exporter fetched $got values, not $((ROWS + 10))" >&2; cat "$work/exporter.log" >&2; exit 1; }

ticks=$(getconf CLK_TCK)
cpu_of() { awk -v t="$ticks" '{ printf "%.3f", ($14 + $15) / t }' "/proc/$1/stat"; }
values=$((TARGETS * (ROWS + 10)))

ours() {  # prints "values_per_s cpu_us_per_value snmpd_us_per_value"
  local s0 s1 line
  s0=$(cpu_of "$snmpd_pid")
  line=$("$bench" --targets-file "$work/targets" --port "$port" --concurrency "$CONCURRENCY")
  s1=$(cpu_of "$snmpd_pid")
  local v; v=$(sed -E 's/.* values=([0-9]+).*/\1/' <<<"$line")
  [ "$v" = "$values" ] || { echo "snmp_bench: ours fetched $v values, not $values ($line)" >&2; exit 1; }
  python3 -c "import re; l='$line'; r=float(re.search(r'values_per_s=([0-9.]+)',l)[1]); c=float(re.search(r'cpu_us_per_value=([0-9.]+)',l)[1]); print(f'{r:.0f} {c:.3f} {($s1-$s0)*1e6/$values:.3f}')"
}

peer() {
  local cfg=$work/curl.cfg s0 s1 c0 c1 t0 t1
  : > "$cfg"
  while read -r a; do
    printf 'url = "http://127.0.0.1:%s/snmp?module=bench&target=%s:%s"\noutput = "%s/out.%s"\n' "$ex_port" "$a" "$port" "$work" "$a" >> "$cfg"
  done < "$work/targets"
  s0=$(cpu_of "$snmpd_pid"); c0=$(cpu_of "$ex_pid"); t0=$(date +%s.%N)
  curl -s --no-progress-meter -Z --parallel-max "$CONCURRENCY" -K "$cfg"
  t1=$(date +%s.%N); c1=$(cpu_of "$ex_pid"); s1=$(cpu_of "$snmpd_pid")
  local n; n=$(cat "$work"/out.* | grep -c '^bench' || true)
  rm -f "$work"/out.*
  [ "$n" = "$values" ] || { echo "snmp_bench: snmp_exporter fetched $n values, not $values" >&2; exit 1; }
  python3 -c "v=$values; print(f'{v/($t1-$t0):.0f} {($c1-$c0)*1e6/v:.3f} {($s1-$s0)*1e6/v:.3f}')"
}

# Net-SNMP's own command-line tools, as admins script them: per target one snmpget of the 10 values
# and one snmpbulkwalk of the table (v2c, 25 repetitions, no MIBs loaded), CONCURRENCY at once.
bulkwalk() {
  local s0 s1 t0 t1 cpu
  s0=$(cpu_of "$snmpd_pid"); t0=$(date +%s.%N)
  cpu=$(MIBS="" /usr/bin/time -f "%U %S" -o "$work/time" xargs -P "$CONCURRENCY" -I{} sh -c \
    "(snmpget -v2c -c public-test -On -Oq -t 10 {}:$port $(for k in $(seq 1 10); do printf '1.3.6.1.4.1.99999.1.2.%s ' "$k"; done); \
     snmpbulkwalk -v2c -c public-test -Cr25 -On -Oq -t 10 {}:$port 1.3.6.1.4.1.99999.1.1) > $work/walk.{}" \
    < "$work/targets"; awk '{ print $1 + $2 }' "$work/time")
  t1=$(date +%s.%N); s1=$(cpu_of "$snmpd_pid")
  local n; n=$(cat "$work"/walk.1* | grep -c '^\.1\.3\.6\.1\.4\.1\.99999\.1\.' || true)
  rm -f "$work"/walk.1*
  [ "$n" = "$values" ] || { echo "snmp_bench: snmpget/snmpbulkwalk fetched $n values, not $values" >&2; exit 1; }
  python3 -c "v=$values; print(f'{v/($t1-$t0):.0f} {$cpu*1e6/v:.3f} {($s1-$s0)*1e6/v:.3f}')"
}

median() { sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

echo "snmp_bench: $TARGETS targets x (10-value GET + $ROWS-row walk) = $values values, concurrency $CONCURRENCY, $ROUNDS rounds (medians)"
for r in $(seq 1 "$ROUNDS"); do
  ours >> "$work/ours"
  peer >> "$work/peer"
  bulkwalk >> "$work/walk"
done
python3 - "$(cut -d' ' -f1 "$work/ours" | median)" "$(cut -d' ' -f2 "$work/ours" | median)" "$(cut -d' ' -f3 "$work/ours" | median)" \
  "$(cut -d' ' -f1 "$work/peer" | median)" "$(cut -d' ' -f2 "$work/peer" | median)" "$(cut -d' ' -f3 "$work/peer" | median)" \
  "$(cut -d' ' -f1 "$work/walk" | median)" "$(cut -d' ' -f2 "$work/walk" | median)" "$(cut -d' ' -f3 "$work/walk" | median)" <<'PY'
import sys
orate, ocpu, osnmpd, prate, pcpu, psnmpd, wrate, wcpu, wsnmpd = map(float, sys.argv[1:])
print(f"  ours:          {orate:9.0f} values/s  {ocpu:7.3f} CPU-us/value  ({1e6/ocpu:9.0f} values/CPU-s)  snmpd {osnmpd:.3f} CPU-us/value")
print(f"  snmp_exporter: {prate:9.0f} values/s  {pcpu:7.3f} CPU-us/value  ({1e6/pcpu:9.0f} values/CPU-s)  snmpd {psnmpd:.3f} CPU-us/value")
print(f"  snmpbulkwalk:  {wrate:9.0f} values/s  {wcpu:7.3f} CPU-us/value  ({1e6/wcpu:9.0f} values/CPU-s)  snmpd {wsnmpd:.3f} CPU-us/value  (snmpget + snmpbulkwalk per target)")
print(f"  ratio (ours/snmp_exporter): values/s x{orate/prate:.2f}, values per CPU-second x{pcpu/ocpu:.2f}")
print(f"  ratio (ours/snmpbulkwalk):  values/s x{orate/wrate:.2f}, values per CPU-second x{wcpu/ocpu:.2f}")
PY
