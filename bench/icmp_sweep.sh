#!/usr/bin/env bash
# Benchmark 1 of issue 3: an ICMP sweep of 20,000 loopback addresses (127.x.y.z), one echo each:
# `slamon probe icmp --targets-file F --count 1 --rate 0` against `fping -i 0` (Debian's fping),
# alternating runs, medians of wall time and CPU time (user+sys of the process), and losses; then
# 200,000 addresses for ours (fping stops past 65,535 targets), per-target time against fping's.
#   bench/icmp_sweep.sh [--runs N] [--targets N] [--big N]     (needs root or CAP_NET_RAW, and fping)
# Expects a Release build in build/ (SLAMON_BUILD_DIR to change it).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=5
targets=20000
big=200000
while [ $# -gt 0 ]; do
  case $1 in
    --runs) runs=$2; shift 2 ;;
    --targets) targets=$2; shift 2 ;;
    --big) big=$2; shift 2 ;;
    *) echo "usage: $0 [--runs N] [--targets N] [--big N]" >&2; exit 2 ;;
  esac
done
SLAMON=${SLAMON_BUILD_DIR:-build}/bin/slamon
[ -x "$SLAMON" ] || { echo "build slamon first (scripts/build.sh)" >&2; exit 2; }
command -v fping >/dev/null || { echo "fping is not installed" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

gen() {  # gen N FILE: N distinct loopback addresses
  python3 -c "
import sys
n = int(sys.argv[1])
for i in range(n):
    print('127.%d.%d.%d' % (1 + i // 62500, (i // 250) % 250, i % 250 + 1))" "$1" >"$2"
}
gen "$targets" "$work/targets"
gen "$big" "$work/big"

# measure KIND OUT CMD...: one run; prints "wall_s cpu_s replies max_rss_kb"
measure() {
  local kind=$1 out=$2; shift 2
  /usr/bin/time -f "%e %U %S %M" -o "$work/time" "$@" >"$out" 2>"$work/stderr" || true
  read -r wall user sys rss_kb <"$work/time"
  local replies
  if [ "$kind" = fping ]; then
    replies=$(wc -l <"$out")                               # -a: one line per alive target
  else
    replies=$(sed -n 's/^echo requests: [0-9]* sent, \([0-9]*\) received.*/\1/p' "$out")
  fi
  echo "$wall $(python3 -c "print(round($user + $sys, 3))") ${replies:-0} $rss_kb"
}

median() { python3 -c "import statistics,sys; print(statistics.median(float(x) for x in sys.argv[1:]))" "$@"; }

ours=() ; peer=()
for i in $(seq "$runs"); do
  ours+=("$(measure slamon "$work/o" "$SLAMON" probe icmp --targets-file "$work/targets" --count 1 --rate 0 --timeout 2s)")
  peer+=("$(measure fping "$work/f" fping -i 0 -r 0 -t 2000 -a -f "$work/targets")")
done
col() { local c=$1; shift; for r in "$@"; do echo "$r" | cut -d' ' -f"$c"; done; }
o_wall=$(median $(col 1 "${ours[@]}")); o_cpu=$(median $(col 2 "${ours[@]}")); o_rep=$(median $(col 3 "${ours[@]}"))
f_wall=$(median $(col 1 "${peer[@]}")); f_cpu=$(median $(col 2 "${peer[@]}")); f_rep=$(median $(col 3 "${peer[@]}"))
o_rss=$(median $(col 4 "${ours[@]}")); f_rss=$(median $(col 4 "${peer[@]}"))

big_run=$(measure slamon "$work/b" "$SLAMON" probe icmp --targets-file "$work/big" --count 1 --rate 0 --timeout 5s)
b_wall=$(echo "$big_run" | cut -d' ' -f1); b_cpu=$(echo "$big_run" | cut -d' ' -f2); b_rep=$(echo "$big_run" | cut -d' ' -f3); b_rss=$(echo "$big_run" | cut -d' ' -f4)

python3 - "$targets" "$big" "$runs" "$o_wall" "$o_cpu" "$o_rep" "$f_wall" "$f_cpu" "$f_rep" "$b_wall" "$b_cpu" "$b_rep" "$o_rss" "$f_rss" "$b_rss" <<'PY'
import sys
n, big, runs = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
ow, oc, orp, fw, fc, frp, bw, bc, brp, orss, frss, brss = map(float, sys.argv[4:])
print(f"ICMP sweep of {n} loopback addresses, one echo each, medians of {runs} alternating runs")
print(f"  {'':8} {'wall s':>8} {'CPU s':>8} {'replies':>8} {'lost':>6} {'us/target':>10} {'CPU us/target':>14} {'max RSS MB':>11}")
for name, w, c, r, m in (("slamon", ow, oc, orp, orss), ("fping", fw, fc, frp, frss)):
    print(f"  {name:8} {w:8.3f} {c:8.3f} {int(r):8d} {n - int(r):6d} {w / n * 1e6:10.2f} {c / n * 1e6:14.2f} {m / 1024:11.1f}")
print(f"  ratio slamon/fping: wall {ow / fw if fw else float('nan'):.2f}, CPU {oc / fc if fc else float('nan'):.2f}"
      "  (goal: <= 1 for both, no losses)")
print(f"ICMP sweep of {big} loopback addresses (slamon only; fping stops past 65,535 targets)")
print(f"  slamon   {bw:8.3f} {bc:8.3f} {int(brp):8d} {big - int(brp):6d} {bw / big * 1e6:10.2f} {bc / big * 1e6:14.2f} {brss / 1024:11.1f}")
print(f"  per-target wall time vs fping at {n}: {bw / big / (fw / n) if fw else float('nan'):.2f}  (goal: <= 2)")
PY
