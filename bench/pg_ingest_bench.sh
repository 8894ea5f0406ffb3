#!/usr/bin/env bash
# Ingest into PostgreSQL (issue 16): simulated agents (bench_ingest stream, as bench/ingest_bench.sh)
# stream ResultBatch frames to ONE real slamon-collector whose store is a PostgreSQL 15 database on a
# throwaway server (tests/lib/pg.sh, fsync on, loopback TCP); the figure is results committed AND
# acknowledged per second over a steady window. Peer: bench_pg_peer, the same rows, schema (made by
# PgStore), statements (multi-row INSERTs of the store's kInsertChunk rows), batch size and
# synchronous_commit through raw libpq, one process, no TLS. Also: TWO collectors on one database,
# the agents split over them (half each, two bench_ingest streams at once), their rates summed.
# Rounds alternate ours, the peer's and the two collectors', each on a new database; medians. Goal:
# >= 0.5x the peer with one collector; the figure with two.
#   bench/pg_ingest_bench.sh [--agents 100] [--probes 10] [--batch 1000] [--window 4] [--warmup 10]
#                            [--duration 30] [--rounds 3] [--peer-rows 300000] [--no-two] [--keep]
# SLAMON_BIN_DIR picks the binaries (an older build's, to measure before a change).
# shellcheck source=bench/link_lib.sh
source "$(dirname "$0")/link_lib.sh"
agents=100 probes=10 batch=1000 window=4 warmup=10 duration=30 rounds=3 peer_rows=300000 two=1
while [ $# -gt 0 ]; do
  case "$1" in
    --agents) agents=$2; shift 2 ;; --probes) probes=$2; shift 2 ;; --batch) batch=$2; shift 2 ;;
    --window) window=$2; shift 2 ;; --warmup) warmup=$2; shift 2 ;; --duration) duration=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;; --peer-rows) peer_rows=$2; shift 2 ;; --keep) keep=1; shift ;;
    --no-two) two=0; shift ;;
    *) echo "usage: see the opening comment of $0" >&2; exit 2 ;;
  esac
done
[ -x "$BIN/bench_pg_peer" ] || die "$BIN/bench_pg_peer is not built (ninja -C build bench_pg_peer)"
# shellcheck source=tests/lib/pg.sh
source "$SRC/tests/lib/pg.sh"
second_pid=
trap '[ -n "$second_pid" ] && kill -9 "$second_pid" 2>/dev/null; pg_stop_in "$PG_DIR"; link_cleanup' EXIT
PG_DIR=$(mktemp -d /tmp/slamon-pgbench-XXXXXX)
PG_FSYNC=on pg_start_in "$PG_DIR" || die "no PostgreSQL server"
PG_URL=$(cat "$PG_DIR/url")
link_init "$agents" "$probes"
ours=() peers=() twos=()
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
# Two collectors on one database: the second one's config, and the agents split in halves.
port2=$(free_port)
http2=$(free_port)
mkdir -p "$work/state2"
sed -e "s|^listen: .*|listen: 127.0.0.1:$port2|" -e "s|^state_dir: .*|state_dir: state2|" \
    -e "s|^  listen: .*|  listen: 127.0.0.1:$http2|" "$work/collector.yaml" > "$work/collector2.yaml"
half=$(( (agents + 1) / 2 ))
head -n "$half" "$work/agents.txt" > "$work/agents1.txt"
tail -n +"$((half + 1))" "$work/agents.txt" > "$work/agents2.txt"
run_two() {
  n=$((n + 1))
  local db; db=$(pg_createdb "two$n")
  sed -i "s|^store: .*|store: $db|" "$work/collector.yaml" "$work/collector2.yaml"
  start_collector
  "$BIN/slamon-collector" --config "$work/collector2.yaml" 2>>"$work/collector2.log" &
  second_pid=$!
  for _ in $(seq 600); do grep -q "listening on" "$work/collector2.log" 2>/dev/null && break; sleep 0.05; done
  grep -q "listening on" "$work/collector2.log" || die "the second collector does not listen"
  local out1 out2
  "$BIN/bench_ingest" stream --connect "127.0.0.1:$port" --ca "$work/tls/ca.pem" --agents "$work/agents1.txt" \
      --probes "$probes" --batch "$batch" --window "$window" --warmup "$warmup" --duration "$duration" > "$work/two1.out" &
  local s1=$!
  "$BIN/bench_ingest" stream --connect "127.0.0.1:$port2" --ca "$work/tls/ca.pem" --agents "$work/agents2.txt" \
      --probes "$probes" --batch "$batch" --window "$window" --warmup "$warmup" --duration "$duration" > "$work/two2.out"
  wait "$s1" || true
  out1=$(tail -n 1 "$work/two1.out") out2=$(tail -n 1 "$work/two2.out")
  stop_collector
  kill -TERM "$second_pid" 2>/dev/null || true
  wait "$second_pid" 2>/dev/null || true
  second_pid=
  rm -f "$work/collector2.log"
  local r1 r2; r1=$(sed -n 's/.* rate=\([0-9]*\).*/\1/p' <<<"$out1") r2=$(sed -n 's/.* rate=\([0-9]*\).*/\1/p' <<<"$out2")
  [ -n "$r1" ] && [ -n "$r2" ] || die "no rate from the two streams: $out1 / $out2"
  echo "two collectors: rate=$((r1 + r2)) ($r1 + $r2) load=$(loadavg)"
  twos+=("$((r1 + r2))")
}
echo "pg_ingest_bench: $(date -u +%FT%TZ) agents=$agents probes/agent=$probes batch=$batch window=$window synchronous_commit=on fsync=on load=$(loadavg)"
for r in $(seq "$rounds"); do
  if [ $((r % 2)) = 1 ]; then run_ours; run_peer; else run_peer; run_ours; fi
  [ "$two" = 1 ] && run_two
done
m_ours=$(median "${ours[@]}") m_peer=$(median "${peers[@]}") m_two=0
[ "$two" = 1 ] && m_two=$(median "${twos[@]}")
python3 - "$m_ours" "$m_peer" "$m_two" <<'PY'
import sys
o, p, t = float(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
print("median: ours %.0f results/s, peer (raw libpq) %.0f rows/s, ratio %.2f (goal >= 0.50: %s)"
      % (o, p, o / p, "met" if o / p >= 0.5 else "MISSED"))
if t:
    print("median: two collectors on one store %.0f results/s, ratio to the peer %.2f, to one collector %.2f"
          % (t, t / p, t / o))
PY
echo "load at the end: $(loadavg)"
