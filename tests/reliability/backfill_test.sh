#!/usr/bin/env bash
# Reliability: the collector away for a simulated hour. Agents get their assignment, then the
# collector stops for 60 s while their 1 s probes run: an hour's worth of results of 60 s probes,
# spooled (and probed with the cached assignment). The collector comes back; the agents back-fill;
# `slamon report --db` then prints exactly what the offline report prints from the agents' own logs,
# in every format. Also: a restart of the collector with an invalid catalogue is refused with its
# errors while the agents keep spooling.
source "$(dirname "$0")/lib.sh"
away=${SLAMON_REL_AWAY_S:-60}
rel_init b1 b2
write_catalogue 20 1s 200ms
write_collector_config
for a in "${agents[@]}"; do write_agent_config "$a"; done
start_collector
for a in "${agents[@]}"; do start_agent "$a" --drain-timeout 60s; done
# Until both agents have a cached assignment and sent something.
for _ in $(seq 100); do
  n=0
  for a in "${agents[@]}"; do [ -s "$work/agents/$a/state/assignment.pb" ] && n=$((n + 1)); done
  [ "$n" = 2 ] && break
  sleep 0.1
done
[ "$n" = 2 ] || fail "the agents have no cached assignment after 10 s"
sleep 2
stop_collector
before=$(logged_count)
log "collector away for ${away}s ($before results logged so far)"

# Half-way: a restart with an invalid catalogue is refused, with the reason, and changes nothing.
sleep "$((away / 2))"
cp "$work/catalogue.yaml" "$work/catalogue.good"
sed -i 's/interval: 1s, timeout: 200ms/interval: 1s, timeout: 2s/' "$work/catalogue.yaml"
set +e
"$BIN/slamon-collector" --config "$work/collector.yaml" 2>"$work/invalid.log"
rc=$?
set -e
[ "$rc" = 1 ] || fail "a collector with an invalid catalogue exited $rc, not 1: $(cat "$work/invalid.log")"
grep -q "catalogue.yaml:.*timeout" "$work/invalid.log" || fail "the refusal does not say why: $(cat "$work/invalid.log")"
cp "$work/catalogue.good" "$work/catalogue.yaml"
for a in "${agents[@]}"; do kill -0 "${agent_pid[$a]}" 2>/dev/null || fail "agent $a died while the collector was away"; done
sleep "$((away - away / 2))"
during=$(( $(logged_count) - before ))
[ "$during" -ge $((2 * 20 * (away - 5))) ] || fail "only $during results while the collector was away"
log "$during results spooled while away; the collector is back"
start_collector
for a in "${agents[@]}"; do stop_agent "$a"; done
stop_collector
grep -q "b1.*connected\|b1.*welcome\|'b1'" "$work/collector.log" || fail "no log line of b1 reconnecting"

export_store "$work/export.jsonl"
python3 "$SRC/tests/reliability/compare_results.py" "$work/export.jsonl" $(logs) || fail "the back-fill is not exact"
cat $(logs) >"$work/all-logs.jsonl"
day=$(head -c 300 "$work/agents/b1/results.jsonl" | python3 -c 'import json,sys; print(json.loads(sys.stdin.readline())["ts"][:10])')
as_of=$(date -u +%Y-%m-%dT%H:%M:%SZ)
for fmt in json text csv html; do
  "$BIN/slamon" report --catalogue "$work/catalogue.yaml" --db "$work/store.db" --sla svc-sla --period "$day" \
    --as-of "$as_of" --format "$fmt" >"$work/db.$fmt" || fail "report --db --format $fmt failed"
  "$BIN/slamon" report --catalogue "$work/catalogue.yaml" --results "$work/all-logs.jsonl" --sla svc-sla \
    --period "$day" --as-of "$as_of" --format "$fmt" >"$work/offline.$fmt" || fail "offline report --format $fmt failed"
  cmp -s "$work/db.$fmt" "$work/offline.$fmt" || fail "report --db differs from the offline report ($fmt): $(diff "$work/db.$fmt" "$work/offline.$fmt" | head -20)"
done
echo "PASS: $during results back-filled after ${away}s away; report --db equals the offline report (4 formats)"
