#!/usr/bin/env bash
# Agents over several collectors (issue 16): two collectors on one PostgreSQL store (a database of its
# own on the CTest fixture `pg`'s server), two agents listing both (`collectors:`). kill -9 of the
# collector agent f1 is connected to: f1 moves to the other one; the killed one is restarted, the
# other killed: f1 moves back. Afterwards every result in the agents' results logs is in the store
# exactly once, identical, and nothing else (tests/reliability/compare_results.py); no arrival number
# was spent on a row stored twice; the agents' logs name each collector and why they left it.
source "$(dirname "$0")/lib.sh"
source "$SRC/tests/lib/pg.sh"
source "$SRC/tests/reliability/two_collectors.sh"
base_url=${SLAMON_PG_URL:-}
[ -n "$base_url" ] || base_url=$(cat "${SLAMON_PG_URL_FILE:?run through CTest (fixture pg) or set SLAMON_PG_URL}")
db=$(pg_createdb "failover_$$_$RANDOM" "$base_url") || fail "cannot create a database on $base_url"
fail() {
  echo "FAIL: $*" >&2
  for f in "$work"/a/collector.log "$work"/b/collector.log "$work"/agents/*/agent.log; do
    [ -f "$f" ] && { echo "--- tail of $f" >&2; tail -n 25 "$f" >&2; }
  done
  echo "FAIL: $*" >&2
  exit 1
}
psql_db() { "$PG_BIN/psql" -qAt -v ON_ERROR_STOP=1 "$db" -c "$1"; }

rel_init f1 f2
# 2 x 40 tcp probes every 500 ms to a closed port: about 160 results a second.
write_catalogue 40 500ms 100ms
two_collectors_init "$db"
write_agent_configs
c_cleanup() { for p in "${cpid[@]}"; do [ -n "$p" ] && kill -9 "$p" 2>/dev/null || true; done; }
trap 'c_cleanup; rel_cleanup' EXIT

# connections_to A PORT: how many times agent A's log says it connected to the collector on PORT.
connections_to() {
  local n
  n=$(grep -c "connected to collector 127.0.0.1:$2," "$work/agents/$1/agent.log" 2>/dev/null || true)
  echo "${n:-0}"
}
# wait_connected A PORT N: until agent A connected to PORT at least N times (20 s).
wait_connected() {
  for _ in $(seq 400); do
    [ "$(connections_to "$1" "$2")" -ge "$3" ] && return 0
    sleep 0.05
  done
  fail "agent $1 did not connect to collector 127.0.0.1:$2 (time $3) within 20 s"
}
# The collector (a or b) agent A connected to last.
current_of() {
  local port
  port=$(grep -o "connected to collector 127.0.0.1:[0-9]*," "$work/agents/$1/agent.log" | tail -1 | grep -o "[0-9]*,$" | tr -d ,)
  for c in a b; do [ "${cport[$c]}" = "$port" ] && { echo "$c"; return; }; done
  fail "agent $1 is connected to no collector of the list (port '$port')"
}

start_c a
start_c b
for a in "${agents[@]}"; do start_agent "$a" --drain-timeout 30s; done
for a in "${agents[@]}"; do
  for _ in $(seq 200); do grep -q "connected to collector" "$work/agents/$a/agent.log" 2>/dev/null && break; sleep 0.05; done
done
first=$(current_of f1)
other=$(other "$first")
sleep 3
log "f1 is on collector $first (port ${cport[$first]}); kill -9"
kill9_c "$first"
wait_connected f1 "${cport[$other]}" 1
grep -q "connection to collector 127.0.0.1:${cport[$first]} lost" "$work/agents/f1/agent.log" ||
  fail "f1 did not log losing collector $first"
grep -q "trying collector 127.0.0.1:${cport[$other]} next" "$work/agents/f1/agent.log" ||
  fail "f1 did not log trying collector $other next"
sleep 3
log "restarting collector $first; kill -9 of collector $other (f1 goes back)"
start_c "$first"
back_before=$(connections_to f1 "${cport[$first]}")
kill9_c "$other"
wait_connected f1 "${cport[$first]}" $((back_before + 1))
sleep 3
for a in "${agents[@]}"; do stop_agent "$a"; done
stop_c "$first"

"$BIN/slamon" export --db "$db" --output "$work/export.jsonl" || fail "slamon export --db $db failed"
python3 "$SRC/tests/reliability/compare_results.py" "$work/export.jsonl" $(logs) ||
  fail "the store does not hold the logged results exactly once"
n=$(logged_count)
[ "$n" -ge 1000 ] || fail "only $n results logged"
# Each row got one arrival number: a batch stored twice (a mark read outside the rows' transaction)
# would spend numbers on rows the run key then merged.
rows=$(psql_db "SELECT count(*) FROM results")
arrivals=$(psql_db "SELECT result_row FROM arrival_counters")
[ "$rows" = "$arrivals" ] || fail "$rows rows but $arrivals arrival numbers: some entries were stored more than once"
seqs=$(psql_db "SELECT count(*) = count(DISTINCT (agent_id, epoch, seq)) FROM results")
[ "$seqs" = t ] || fail "a sequence number is stored twice"
echo "PASS: $n results over two collectors, f1 failed over twice, each result stored once"
