#!/usr/bin/env bash
# Reliability: kill -9 of the collector at random moments while 4 agents stream over TLS (at least
# 200,000 results in all; SLAMON_REL_RESULTS changes it). Afterwards every result in the agents'
# results logs is in the store exactly once, identical, and the store holds nothing else
# (slamon export against the logs: tests/reliability/compare_results.py).
source "$(dirname "$0")/lib.sh"
target=${SLAMON_REL_RESULTS:-200000}
rel_init r1 r2 r3 r4
# 4 x 250 tcp probes every 500 ms to a closed port: about 2,000 results a second in all.
write_catalogue 250 500ms 200ms
write_collector_config
for a in "${agents[@]}"; do write_agent_config "$a"; done

start_collector
for a in "${agents[@]}"; do start_agent "$a" --drain-timeout 120s; done
RANDOM=$$
kills=0
deadline=$((SECONDS + 600))
while [ "$(logged_count)" -lt "$target" ]; do
  [ "$SECONDS" -lt "$deadline" ] || fail "fewer than $target results logged after 600 s"
  sleep "$((2 + RANDOM % 6)).$((RANDOM % 10))"
  kill9_collector
  kills=$((kills + 1))
  log "collector killed ($kills), $(logged_count) results logged so far"
  sleep "0.$((RANDOM % 10))$((RANDOM % 10))"
  start_collector
done
log "$(logged_count) results logged, $kills kills; stopping the agents (they send their backlog first)"
for a in "${agents[@]}"; do stop_agent "$a"; done
stop_collector
export_store "$work/export.jsonl"
python3 "$SRC/tests/reliability/compare_results.py" "$work/export.jsonl" $(logs) ||
  fail "the store does not hold the logged results exactly once"
[ "$kills" -ge 3 ] || fail "only $kills kills: the test did not exercise restarts"
echo "PASS: $(logged_count) results, $kills kills of the collector, each result stored once"
