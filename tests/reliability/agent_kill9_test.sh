#!/usr/bin/env bash
# Reliability: kill -9 of agents mid-batch (while they probe, spool and send), and restart. Afterwards
# nothing logged is lost, nothing is stored twice, and the store holds beyond the logs only results an
# agent committed to its spool in the instant before it was killed (at most one flush of each kill).
source "$(dirname "$0")/lib.sh"
rel_init k1 k2
# 2 x 200 probes every 500 ms: ~400 results a second per agent, ~200 per 500 ms flush.
write_catalogue 200 500ms 200ms
write_collector_config
for a in "${agents[@]}"; do write_agent_config "$a"; done
start_collector
for a in "${agents[@]}"; do start_agent "$a" --drain-timeout 60s; done
RANDOM=$$
kills=0
for round in $(seq 8); do
  sleep "$((1 + RANDOM % 3)).$((RANDOM % 10))"
  a=${agents[$((RANDOM % 2))]}
  kill9_agent "$a"
  kills=$((kills + 1))
  log "agent $a killed ($kills), $(logged_count) results logged so far"
  sleep "0.$((RANDOM % 10))"
  start_agent "$a" --drain-timeout 60s
done
sleep 2
for a in "${agents[@]}"; do stop_agent "$a"; done
stop_collector
export_store "$work/export.jsonl"
# One flush of one agent at most per kill: 200 probes x (500 ms flush / 500 ms interval), doubled for slack.
python3 "$SRC/tests/reliability/compare_results.py" "$work/export.jsonl" $(logs) --max-unlogged $((kills * 400)) ||
  fail "results lost or stored twice across agent kills"
grep -q "spool" "$work/agents/k1/agent.log" || fail "no spool log line in k1's log"
echo "PASS: $(logged_count) results, $kills agent kills, nothing lost or stored twice"
