#!/usr/bin/env bash
# A call-graph profile of the agent during a footprint run (bench/footprint.sh): runs one mode for
# DURATION seconds, attaches `perf record --call-graph dwarf` to the agent after its first interval
# (start-up) for SECONDS, and prints the agent's own share by library and the inclusive share of the
# spool, the uplink and the result sinks (the link's cost), so two builds can be compared.
#
#   sudo bench/footprint_profile.sh [--mode link] [--duration 150] [--seconds 60] [--out DIR]
#   env: SLAMON_BUILD_DIR (build) as for footprint.sh
# Needs perf (Debian: linux-perf) and what footprint.sh needs. Keeps perf.data and the reports in DIR.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${SLAMON_BUILD_DIR:-$(dirname "$here")/build}
mode=link
duration=150
seconds=60
out=""
while [ $# -gt 0 ]; do
  case $1 in
    --mode) mode=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    *) echo "usage: $0 [--mode link] [--duration 150] [--seconds 60] [--out DIR]" >&2; exit 2 ;;
  esac
done
command -v perf >/dev/null || { echo "footprint_profile: perf is missing (apt-get install linux-perf)" >&2; exit 2; }
[ "$duration" -ge $((70 + seconds)) ] || { echo "footprint_profile: --duration must be at least 70 + --seconds" >&2; exit 2; }
[ -n "$out" ] || out=$(mktemp -d "${TMPDIR:-/tmp}/slamon-fpprof.XXXXXX")
mkdir -p "$out"
agent_bin=$(readlink -f "$build/bin/slamon-agent")

SLAMON_BUILD_DIR=$build bash "$here/footprint.sh" --modes "$mode" --duration "$duration" >"$out/footprint.log" 2>&1 &
fp=$!
pid=""
for _ in $(seq 1 600); do  # the agent of this run: our binary, started after us
  for p in $(pgrep -f "^$build/bin/slamon-agent " || true); do
    [ "$(readlink -f "/proc/$p/exe" 2>/dev/null)" = "$agent_bin" ] && pid=$p
  done
  [ -n "$pid" ] && break
  kill -0 "$fp" 2>/dev/null || break
  sleep 0.5
done
[ -n "$pid" ] || { echo "footprint_profile: the agent did not start" >&2; cat "$out/footprint.log" >&2; exit 1; }
sleep 70  # the first interval: start-up
perf record -F 299 --call-graph dwarf,16384 -p "$pid" -o "$out/perf.data" -- sleep "$seconds" >"$out/perf.log" 2>&1
rc=0
wait "$fp" || rc=$?
grep -E "CPU in steady|resident memory" "$out/footprint.log" || true
perf report -i "$out/perf.data" --no-children --sort dso --stdio -g none 2>/dev/null | grep -E '^ +[0-9]' | head -12 >"$out/by_library.txt"
perf report -i "$out/perf.data" --children --sort symbol --stdio -g none 2>/dev/null | grep -E '^ +[0-9]' |
  sed -E 's/ +$//' >"$out/inclusive.txt"
echo "samples: $(perf report -i "$out/perf.data" --stdio 2>/dev/null | grep -m1 -oE 'Samples: [0-9.]+K? ' || true)"
echo "by library (self):"; cat "$out/by_library.txt"
echo "the link's share (inclusive):"
grep -E "slamon::agent::(Spool|SpoolSink|Uplink|JsonlFileSink|encode_|\(anonymous namespace\)::decode_entry)|sqlite3_step|SSL_write" \
  "$out/inclusive.txt" | cut -c1-140 | head -25
echo "footprint_profile: kept in $out (perf report -i $out/perf.data)"
exit $rc
