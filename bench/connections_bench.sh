#!/usr/bin/env bash
# 2,000 concurrent agent connections (issue 13): a catalogue of --agents agents with one probe each;
# bench_ingest hold keeps one TLS connection per agent in one process (a heartbeat every 5 s and a
# one-result batch every 10 s, as an idle real agent); the REAL slamon-collector's VmRSS is sampled
# once all are connected and acknowledged (goal < 300 MB). Then kill -9 of the collector, a restart,
# and the time from the kill until every agent has reconnected (the real agent's backoff: 1 s doubling
# to 60 s, each wait in [d/2, d]) and got an Ack for a batch (goal < 30 s). No peer: goals beside.
#   bench/connections_bench.sh [--agents 2000] [--steady 20] [--keep]
# shellcheck source=bench/link_lib.sh
source "$(dirname "$0")/link_lib.sh"
agents=2000 steady=20
while [ $# -gt 0 ]; do
  case "$1" in
    --agents) agents=$2; shift 2 ;; --steady) steady=$2; shift 2 ;; --keep) keep=1; shift ;;
    *) echo "usage: see the opening comment of $0" >&2; exit 2 ;;
  esac
done
ulimit -n 16384
link_init "$agents" 1
echo "connections_bench: $(date -u +%FT%TZ) agents=$agents load=$(loadavg)"
start_collector
"$BIN/bench_ingest" hold --connect "127.0.0.1:$port" --ca "$work/tls/ca.pem" --agents "$work/agents.txt" --probes 1 \
  --max-seconds 900 >"$work/hold.log" 2>"$work/hold.err" &
load_pid=$!
t_start=$(date +%s%3N)
# status_field NAME: NAME=value of the last status line.
status_field() { tail -n 1 "$work/hold.log" | sed -n "s/.* $1=\([0-9]*\).*/\1/p"; }
wait_for() {  # wait_for FIELD VALUE SECONDS
  for _ in $(seq $(($3 * 10))); do
    [ "$(status_field "$1")" = "$2" ] && return 0
    kill -0 "$load_pid" 2>/dev/null || die "bench_ingest exited: $(tail -n 3 "$work/hold.err")"
    sleep 0.1
  done
  die "$1 did not reach $2 within $3 s (last: $(tail -n 1 "$work/hold.log"))"
}
wait_for acked "$agents" 120
t_all=$(date +%s%3N)
echo "all $agents connected and acknowledged $((t_all - t_start)) ms after the start; collector RSS $(($(rss_kb "$collector_pid") / 1024)) MB"
max_rss=0 c0=$(cpu_ticks "$collector_pid")
for _ in $(seq "$steady"); do
  r=$(rss_kb "$collector_pid"); [ "$r" -gt "$max_rss" ] && max_rss=$r
  sleep 1
done
c1=$(cpu_ticks "$collector_pid")
[ "$(status_field acked)" = "$agents" ] || die "not all acknowledged in steady state: $(tail -n 1 "$work/hold.log")"
fds=$(ls "/proc/$collector_pid/fd" | wc -l)
hwm=$(awk '/^VmHWM/ {print $2}' "/proc/$collector_pid/status")
echo "steady ${steady} s: collector VmRSS max $((max_rss / 1024)) MB (peak VmHWM $((hwm / 1024)) MB), open fds $fds, CPU $(python3 -c "print('%.1f' % (100*($c1-$c0)/$(getconf CLK_TCK)/$steady))") % of one core; driver RSS $(($(rss_kb "$load_pid") / 1024)) MB; load $(loadavg)"
rss_steady=$max_rss
# kill -9 and restart
kill -9 "$collector_pid"; wait "$collector_pid" 2>/dev/null || true; collector_pid=
t_kill=$(date +%s%3N)
start_collector
t_listen=$(date +%s%3N)
wait_for reacked "$agents" 240
line=$(grep -m1 "reacked=$agents " "$work/hold.log")
t_done=$(sed -n 's/.*wall_ms=\([0-9]*\).*/\1/p' <<<"$line")
sleep 2
echo "after kill -9: collector listening again in $((t_listen - t_kill)) ms; all $agents reconnected and acknowledged $((t_done - t_kill)) ms after the kill (status every 250 ms); collector RSS after the storm $(($(rss_kb "$collector_pid") / 1024)) MB; load $(loadavg)"
python3 - "$rss_steady" "$((t_done - t_kill))" <<'PY'
import sys
rss, ms = int(sys.argv[1]) / 1024, int(sys.argv[2]) / 1000
print("result: collector RSS %.0f MB with all connected (goal < 300 MB: %s, %.2fx the goal); reconnect+ack %.1f s (goal < 30 s: %s, %.2fx the goal)"
      % (rss, "met" if rss < 300 else "MISSED", rss / 300, ms, "met" if ms < 30 else "MISSED", ms / 30))
PY
echo "warnings/errors in the collector log while the agents were held (before they stop): $(grep -c -E '\] \[(warning|error)\]' "$work/collector.log" || true); the kinds (agent names and addresses masked):"
grep -E '\] \[(warning|error)\]' "$work/collector.log" | sed -E 's/^\[[^]]*\] //; s/bench-a[0-9]+/AGENT/g; s/127\.0\.0\.1:[0-9]+/ADDR/g; s/[0-9]+/N/g' \
  | sort | uniq -c | sort -rn | head -n 8 || true
kill -TERM "$load_pid" 2>/dev/null || true; wait "$load_pid" 2>/dev/null || true; load_pid=
stop_collector
