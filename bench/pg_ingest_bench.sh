#!/usr/bin/env bash
# Ingest into PostgreSQL (issue 16): simulated agents (bench_ingest stream, as bench/ingest_bench.sh)
# stream ResultBatch frames to ONE real slamon-collector whose store is a PostgreSQL 15 database on a
# throwaway server (tests/lib/pg.sh, fsync on, loopback TCP); the figure is results committed AND
# acknowledged per second over a steady window. Peer: bench_pg_peer, the same rows, schema (made by
# PgStore), statements, batch size and synchronous_commit through raw libpq, one process, no TLS.
# Rounds alternate ours and the peer's, each on a new database; medians. Goal: >= 0.5x the peer.
#   bench/pg_ingest_bench.sh [--agents 100] [--probes 10] [--batch 1000] [--window 4] [--warmup 10]
#                            [--duration 30] [--rounds 3] [--peer-rows 300000] [--keep]
# shellcheck source=bench/link_lib.sh
source "$(dirname "$0")/link_lib.sh"
agents=100 probes=10 batch=1000 window=4 warmup=10 duration=30 rounds=3 peer_rows=300000
while [ $# -gt 0 ]; do
  case "$1" in
    --agents) agents=$2; shift 2 ;; --probes) probes=$2; shift 2 ;; --batch) batch=$2; shift 2 ;;
    --window) window=$2; shift 2 ;; --warmup) warmup=$2; shift 2 ;; --duration) duration=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;; --peer-rows) peer_rows=$2; shift 2 ;; --keep) keep=1; shift ;;
    *) echo "usage: see the opening comment of $0" >&2; exit 2 ;;
  esac
done
[ -x "$BIN/bench_pg_peer" ] || die "$BIN/bench_pg_peer is not built (ninja -C build bench_pg_peer)"
# shellcheck source=tests/lib/pg.sh
source "$SRC/tests/lib/pg.sh"
trap 'pg_stop_in "$PG_DIR"; link_cleanup' EXIT
PG_DIR=$(mktemp -d /tmp/slamon-pgbench-XXXXXX)
PG_FSYNC=on pg_start_in "$PG_DIR" || die "no PostgreSQL server"
PG_URL=$(cat "$PG_DIR/url")
link_init "$agents" "$probes"
ours=() peers=()
n=0
run_ours() {
  n=$((n + 1))
  local db; db=$(pg_createdb "ours$n")
  sed -i "s|^store: .*|store: $db|" "$work/collector.yaml"
  start_collector
  local t0 c0 t1 c1 out
  t0=$(date +%s.%N); c0=$(cpu_ticks "$collector_pid")
  out=$("$BIN/bench_ingest" stream --connect "127.0.0.1:$port" --ca "$work/tls/ca.pem" --agents "$work/agents.txt" \
        --probes "$probes" --batch "$batch" --window "$window" --warmup "$warmup" --duration "$duration" | tail -n 1)
  t1=$(date +%s.%N); c1=$(cpu_ticks "$collector_pid")
  stop_collector
  local rate; rate=$(sed -n 's/.* rate=\([0-9]*\).*/\1/p' <<<"$out")
  [ -n "$rate" ] || die "no rate from bench_ingest: $out"
  echo "ours: $out collector_cpu_pct=$(python3 -c "print('%.0f' % (100*($c1-$c0)/$(getconf CLK_TCK)/($t1-$t0)))") load=$(loadavg)"
  ours+=("$rate")
}
run_peer() {
  n=$((n + 1))
  local db out; db=$(pg_createdb "peer$n")
  out=$("$BIN/bench_pg_peer" --url "$db" --agents "$agents" --probes "$probes" --batch "$batch" --rows "$peer_rows")
  echo "peer: $out load=$(loadavg)"
  peers+=("$(sed -n 's/.* rate=\([0-9]*\).*/\1/p' <<<"$out")")
}
echo "pg_ingest_bench: $(date -u +%FT%TZ) agents=$agents probes/agent=$probes batch=$batch window=$window synchronous_commit=on fsync=on load=$(loadavg)"
for r in $(seq "$rounds"); do
  if [ $((r % 2)) = 1 ]; then run_ours; run_peer; else run_peer; run_ours; fi
done
m_ours=$(median "${ours[@]}") m_peer=$(median "${peers[@]}")
python3 - "$m_ours" "$m_peer" <<'PY'
import sys
o, p = float(sys.argv[1]), float(sys.argv[2])
print("median: ours %.0f results/s, peer (raw libpq) %.0f rows/s, ratio %.2f (goal >= 0.50: %s)"
      % (o, p, o / p, "met" if o / p >= 0.5 else "MISSED"))
PY
echo "load at the end: $(loadavg)"
