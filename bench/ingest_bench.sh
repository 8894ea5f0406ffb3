#!/usr/bin/env bash
# End-to-end ingest (issue 13): simulated agents (bench_ingest stream: one TLS connection each, on one
# Asio event loop) stream ResultBatch frames of --batch results, --window in flight, to the REAL
# slamon-collector --config (fresh SQLite store, synchronous=FULL); the figure is results committed
# AND acknowledged per second over a steady window. Peer: bench_ingest peer, the same rows, schema,
# indexes, insert statement, batch size and synchronous=FULL with the raw sqlite3 API, one process, no
# TLS, no network. Rounds alternate ours and the peer's; medians. Goals: >= 0.5x the peer, >= 100,000/s.
#   bench/ingest_bench.sh [--agents 100] [--probes 10] [--batch 1000] [--window 4] [--warmup 10]
#                         [--duration 30] [--rounds 3] [--peer-rows 3000000] [--keep]
# shellcheck source=bench/link_lib.sh
source "$(dirname "$0")/link_lib.sh"
agents=100 probes=10 batch=1000 window=4 warmup=10 duration=30 rounds=3 peer_rows=3000000
while [ $# -gt 0 ]; do
  case "$1" in
    --agents) agents=$2; shift 2 ;; --probes) probes=$2; shift 2 ;; --batch) batch=$2; shift 2 ;;
    --window) window=$2; shift 2 ;; --warmup) warmup=$2; shift 2 ;; --duration) duration=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;; --peer-rows) peer_rows=$2; shift 2 ;; --keep) keep=1; shift ;;
    *) echo "usage: see the opening comment of $0" >&2; exit 2 ;;
  esac
done
link_init "$agents" "$probes"
ours=() peers=()
run_ours() {
  rm -f "$work"/store.db*
  start_collector
  local t0 c0 t1 c1 out
  t0=$(date +%s.%N); c0=$(cpu_ticks "$collector_pid")
  out=$("$BIN/bench_ingest" stream --connect "127.0.0.1:$port" --ca "$work/tls/ca.pem" --agents "$work/agents.txt" \
        --probes "$probes" --batch "$batch" --window "$window" --warmup "$warmup" --duration "$duration" | tail -n 1)
  t1=$(date +%s.%N); c1=$(cpu_ticks "$collector_pid")
  local rss; rss=$(rss_kb "$collector_pid")
  stop_collector
  local rate; rate=$(sed -n 's/.* rate=\([0-9]*\).*/\1/p' <<<"$out")
  [ -n "$rate" ] || die "no rate from bench_ingest: $out"
  echo "ours: $out collector_cpu_pct=$(python3 -c "print('%.0f' % (100*($c1-$c0)/$(getconf CLK_TCK)/($t1-$t0)))") collector_rss_mb=$((rss / 1024)) load=$(loadavg)"
  ours+=("$rate")
}
run_peer() {
  rm -f "$work"/peer.db*
  local out
  out=$("$BIN/bench_ingest" peer --db "$work/peer.db" --agents "$agents" --probes "$probes" --batch "$batch" --rows "$peer_rows")
  echo "peer: $out load=$(loadavg)"
  peers+=("$(sed -n 's/.* rate=\([0-9]*\).*/\1/p' <<<"$out")")
}
echo "ingest_bench: $(date -u +%FT%TZ) agents=$agents probes/agent=$probes batch=$batch window=$window load=$(loadavg)"
for r in $(seq "$rounds"); do
  if [ $((r % 2)) = 1 ]; then run_ours; run_peer; else run_peer; run_ours; fi
done
m_ours=$(median "${ours[@]}") m_peer=$(median "${peers[@]}")
python3 - "$m_ours" "$m_peer" <<'PY'
import sys
o, p = float(sys.argv[1]), float(sys.argv[2])
print("median: ours %.0f results/s, peer (raw SQLite) %.0f rows/s, ratio %.2f (goal >= 0.50: %s); goal 100,000/s: %s"
      % (o, p, o / p, "met" if o / p >= 0.5 else "MISSED", "met" if o >= 100000 else "MISSED"))
PY
echo "load at the end: $(loadavg)"
