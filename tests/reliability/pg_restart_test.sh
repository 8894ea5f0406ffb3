#!/usr/bin/env bash
# PostgreSQL lost under load (issue 16): one collector on a PostgreSQL store, two agents streaming;
# the server is restarted twice by this test (pg_ctl stop -m fast, then -m immediate: a crash). Its
# own server (tests/lib/pg.sh), not the fixture's, which other tests use meanwhile. While the server
# is away /readyz answers 503; the collector logs each outage once (the URL without password, the
# reason) and once that the store works again, and ingest resumes. Afterwards every result in the
# agents' results logs is in the store exactly once, identical, and nothing else; no arrival number
# was spent on a row stored twice; the collector's engine and store worker threads still answer.
source "$(dirname "$0")/lib.sh"
source "$SRC/tests/lib/pg.sh"
command -v curl >/dev/null || fail "curl is not installed (scripts/setup.sh)"
pg_start
db=$(pg_createdb restart) || fail "cannot create a database"
psql_db() { "$PG_BIN/psql" -qAt -v ON_ERROR_STOP=1 "$db" -c "$1"; }
readyz() { curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.1:$http_port/readyz" || true; }
count() { grep -c "$1" "$work/collector.log" || true; }

rel_init g1 g2
# 2 x 40 tcp probes every 500 ms to a closed port: about 160 results a second.
write_catalogue 40 500ms 100ms
write_collector_config
sed -i "s|^store: .*|store: $db|" "$work/collector.yaml"
for a in "${agents[@]}"; do write_agent_config "$a"; done
start_collector
for a in "${agents[@]}"; do start_agent "$a" --drain-timeout 30s; done
for a in "${agents[@]}"; do
  for _ in $(seq 200); do grep -q "connected to collector" "$work/agents/$a/agent.log" 2>/dev/null && break; sleep 0.05; done
done
[ "$(readyz)" = 200 ] || fail "/readyz is not 200 with the store up"

outage=0
for mode in fast immediate; do
  sleep 3
  outage=$((outage + 1))
  log "pg_ctl stop -m $mode ($(logged_count) results logged)"
  pg_server_stop_in "$PG_DIR" "$mode" || fail "cannot stop the server"
  saw503=0
  for _ in $(seq 30); do
    [ "$(readyz)" = 503 ] && { saw503=1; break; }
    sleep 0.1
  done
  [ "$saw503" = 1 ] || fail "/readyz did not answer 503 while the server was stopped (-m $mode)"
  sleep 2  # batches keep coming meanwhile: none is acknowledged
  pg_server_start_in "$PG_DIR" || fail "cannot start the server again"
  log "server started again"
  for _ in $(seq 300); do [ "$(count "\[ingest\] \[info\] the store works again")" -ge "$outage" ] && break; sleep 0.1; done
  [ "$(count "\[ingest\] \[info\] the store works again")" -ge "$outage" ] || fail "no 'the store works again' line within 30 s of restart $outage"
  for _ in $(seq 100); do [ "$(readyz)" = 200 ] && break; sleep 0.1; done
  [ "$(readyz)" = 200 ] || fail "/readyz is not 200 again after restart $outage"
done
# Ingest resumed: results committed after the second restart.
before=$(psql_db "SELECT count(*) FROM results")
sleep 3
after=$(psql_db "SELECT count(*) FROM results")
[ "$after" -gt "$before" ] || fail "nothing stored after the second restart ($before rows, then $after)"
for a in "${agents[@]}"; do stop_agent "$a"; done
stop_collector

# One line per outage (not per retry), naming the store without a password and the reason.
[ "$(count "the store failed: store postgresql://postgres@127.0.0.1:")" = 2 ] ||
  fail "expected 2 'the store failed' lines (one per outage): $(grep "the store failed" "$work/collector.log")"
[ "$(count "\[ingest\] \[info\] the store works again")" = 2 ] || fail "expected 2 'the store works again' lines"
grep -q "engine: store failure" "$work/collector.log" || fail "the engine thread did not notice the outage"
grep -q "the engine's store works again" "$work/collector.log" || fail "the engine thread did not resume"

"$BIN/slamon" export --db "$db" --output "$work/export.jsonl" || fail "slamon export failed"
python3 "$SRC/tests/reliability/compare_results.py" "$work/export.jsonl" $(logs) ||
  fail "the store does not hold the logged results exactly once"
rows=$(psql_db "SELECT count(*) FROM results")
arrivals=$(psql_db "SELECT result_row FROM arrival_counters")
[ "$rows" = "$arrivals" ] || fail "$rows rows but $arrivals arrival numbers: some entries were stored more than once"
echo "PASS: $(logged_count) results, PostgreSQL restarted twice (fast, immediate), each result stored once"
