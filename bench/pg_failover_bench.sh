#!/usr/bin/env bash
# Engine leader failover on PostgreSQL (issue 16): two real collectors on one PostgreSQL 15 store
# (a throwaway server: tests/lib/pg.sh, fsync on), four real agents streaming over TLS; the leader is
# killed with kill -9, several times (the killed one restarted, and following, before the next run).
# Per run:
#   lock_released  kill -> PostgreSQL no longer shows the leader's advisory lock (pg_locks, polled
#                  from psql): its own detection of the dead session (the peer);
#   leader         kill -> the other collector's "leader since epoch N" (its log's timestamp);
#   first_write    kill -> its "engine: first write as the leader persisted" (the failover time).
# Prints each run, then median and max of each, beside the election poll interval (1 s).
#   bench/pg_failover_bench.sh [--runs 7] [--settle 4] [--keep]
set -euo pipefail
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export SLAMON_BIN_DIR=${SLAMON_BIN_DIR:-$SRC/build/bin} SLAMON_SOURCE_DIR=$SRC
runs=7 settle=4 keep=0
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=$2; shift 2 ;; --settle) settle=$2; shift 2 ;; --keep) keep=1; shift ;;
    *) echo "usage: see the opening comment of $0" >&2; exit 2 ;;
  esac
done
[ "$keep" = 1 ] && export SLAMON_KEEP=1
# shellcheck source=tests/reliability/lib.sh
source "$SRC/tests/reliability/lib.sh"
# shellcheck source=tests/lib/pg.sh
source "$SRC/tests/lib/pg.sh"
# shellcheck source=tests/reliability/two_collectors.sh
source "$SRC/tests/reliability/two_collectors.sh"
PG_DIR=$(mktemp -d /tmp/slamon-pgfail-XXXXXX)
stop_all() {
  for c in a b; do if [ -n "${cpid[$c]:-}" ]; then kill -9 "${cpid[$c]}" 2>/dev/null || true; fi; done
  pg_stop_in "$PG_DIR"
}
trap 'rc=$?; stop_all; (exit $rc); rel_cleanup' EXIT
PG_FSYNC=on pg_start_in "$PG_DIR" || fail "no PostgreSQL server"
PG_URL=$(cat "$PG_DIR/url")
PSQL=("$PG_BIN/psql" -X -q -At)
store=$(pg_createdb failover)
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
# The local time of a log line's "[YYYY-mm-dd HH:MM:SS.mmm]" as Unix seconds.
line_time() {
  python3 -c 'import sys, time, datetime
s = sys.argv[1][1:24]
d = datetime.datetime.strptime(s, "%Y-%m-%d %H:%M:%S.%f")
print("%.3f" % (time.mktime(d.timetuple()) + d.microsecond / 1e6))' "$1"
}

rel_init r1 r2 r3 r4
write_catalogue 20 500ms 200ms
two_collectors_init "$store"
write_agent_configs
start_c a
start_c b
for a in "${agents[@]}"; do start_agent "$a" --drain-timeout 30s; done
wait_first_leader
echo "pg_failover_bench: $(date -u +%FT%TZ) runs=$runs election_interval=1s fsync=on load=$(loadavg)"
locks=() leaders=() writes=()
for r in $(seq "$runs"); do
  sleep "$settle"
  follower=$(other "$leader")
  epoch=$(metric "$leader" slamon_leader_epoch)
  before_lines=$(wc -l <"$work/$follower/collector.log")
  # The leader's session: the backend holding the session advisory lock.
  backend=$(leader_lock_backend "${PSQL[@]}" "$store")
  [ -n "$backend" ] || fail "run $r: no session holds the leader's lock"
  t0=$(date +%s.%N)
  kill -9 "${cpid[$leader]}"
  # PostgreSQL's own view: until that session no longer holds it (its end detected).
  t_lock=
  for _ in $(seq 2000); do
    if [ "$("${PSQL[@]}" "$store" -c "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = $backend")" = 0 ]; then
      t_lock=$(date +%s.%N)
      break
    fi
  done
  wait "${cpid[$leader]}" 2>/dev/null || true
  cpid[$leader]=
  wait_leader "$follower" $((epoch + 1))
  for _ in $(seq 100); do
    tail -n +"$((before_lines + 1))" "$work/$follower/collector.log" | grep -q "first write as the leader persisted" && break
    sleep 0.1
  done
  l_leader=$(tail -n +"$((before_lines + 1))" "$work/$follower/collector.log" | grep -m1 "leader since epoch" || true)
  l_write=$(tail -n +"$((before_lines + 1))" "$work/$follower/collector.log" | grep -m1 "first write as the leader persisted" || true)
  [ -n "$l_leader" ] && [ -n "$l_write" ] || fail "run $r: no takeover lines in $follower's log"
  d_lock=$(python3 -c "print('%.3f' % (${t_lock:-$t0} - $t0))")
  d_leader=$(python3 -c "print('%.3f' % ($(line_time "$l_leader") - $t0))")
  d_write=$(python3 -c "print('%.3f' % ($(line_time "$l_write") - $t0))")
  echo "run $r: killed $leader (epoch $epoch): lock_released=${d_lock}s leader=${d_leader}s first_write=${d_write}s load=$(loadavg)"
  locks+=("$d_lock") leaders+=("$d_leader") writes+=("$d_write")
  start_c "$leader"
  leader=$follower
done
python3 - "${locks[*]}" "${leaders[*]}" "${writes[*]}" <<'PY'
import statistics, sys
for name, vals in zip(("lock_released", "leader", "first_write"), sys.argv[1:]):
    v = [float(x) for x in vals.split()]
    print("%-14s median %.3f s  max %.3f s" % (name, statistics.median(v), max(v)))
PY
for a in "${agents[@]}"; do stop_agent "$a"; done
