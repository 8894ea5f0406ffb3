#!/usr/bin/env bash
# Reliability: a spool that fills up while the collector is away. The agent's spool keeps 6 s of
# results (spool_max_age); the collector stays away 25 s. The oldest results are dropped and counted
# (a warning names them), a gap record reaches the collector and is stored; every logged result is in
# the store or covered by that gap; and the report shows the gap's time as unknown, never up.
source "$(dirname "$0")/lib.sh"
rel_init s1
write_catalogue 10 1s 200ms
write_collector_config
write_agent_config s1 "spool_max_age: 6s"
start_collector
start_agent s1 --drain-timeout 60s
for _ in $(seq 100); do [ -s "$work/agents/s1/state/assignment.pb" ] && break; sleep 0.1; done
[ -s "$work/agents/s1/state/assignment.pb" ] || fail "no cached assignment after 10 s"
sleep 2
stop_collector
log "collector away for 25 s"
sleep 25
grep -q "over its limits: dropped the [0-9]* oldest results" "$work/agents/s1/agent.log" ||
  fail "no log line for the dropped results"
start_collector
sleep 3
stop_agent s1
stop_collector
grep -q "gap" "$work/agents/s1/agent.log" || fail "the agent does not mention the gap record"
export_store "$work/export.jsonl"
grep -q '"gap_until"' "$work/export.jsonl" || fail "no gap record in the store"
python3 "$SRC/tests/reliability/compare_results.py" "$work/export.jsonl" $(logs) --allow-gaps ||
  fail "logged results neither stored nor covered by the gap"
# The report over the day: the gap's time is unknown (unmonitored), not up.
day=$(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["ts"][:10])' "$work/export.jsonl")
"$BIN/slamon" report --catalogue "$work/catalogue.yaml" --db "$work/store.db" --sla svc-sla --period "$day" \
  --as-of "$(date -u +%Y-%m-%dT%H:%M:%SZ)" --format json >"$work/report.json" || fail "report --db failed"
python3 - "$work/export.jsonl" "$work/report.json" <<'PY' || fail "the gap is not unknown in the report: $(cat "$work/report.json")"
import datetime, json, sys
def ms(ts): return datetime.datetime.fromisoformat(ts.replace("Z", "+00:00")).timestamp()
gaps = [json.loads(l) for l in open(sys.argv[1]) if '"gap_until"' in l]
span = max(ms(g["gap_until"]) - ms(g["ts"]) for g in gaps)
r = json.load(open(sys.argv[2]))
print(f"gap of {span:.1f} s; report: unmonitored {r['unmonitored_s']} s, up {r['up_s']} s")
assert span >= 10, span
assert r["unmonitored_s"] >= span - 3, (r["unmonitored_s"], span)
assert r["up_s"] == 0
PY
echo "PASS: oldest results dropped and counted, a gap stored, the report shows that time unknown"
