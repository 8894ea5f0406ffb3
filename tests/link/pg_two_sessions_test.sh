#!/usr/bin/env bash
# One agent connected to two collectors at once (a partition healing, issue 16): two collectors on one
# PostgreSQL store (a database of its own on the CTest fixture `pg`'s server); link_client sends the
# same epoch of agent a1 to both at the same time, in batches of 500 to one and of 700 to the other,
# 8 in flight each. Both streams end acknowledged (each collector's Acks carry the shared mark), and
# the store holds every number once: count = distinct = the mark, one arrival number per row.
source "$(dirname "$0")/lib.sh"
source "$src/tests/lib/pg.sh"
base_url=${SLAMON_PG_URL:-}
[ -n "$base_url" ] || base_url=$(cat "${SLAMON_PG_URL_FILE:?run through CTest (fixture pg) or set SLAMON_PG_URL}")
db=$(pg_createdb "two_sessions_$$_$RANDOM" "$base_url") || fail "cannot create a database on $base_url"
psql_db() { "$PG_BIN/psql" -qAt -v ON_ERROR_STOP=1 "$db" -c "$1"; }

sed -i "s|^store: .*|store: $db|" "$tmp/collector.yaml"
port2=$(free_port)
http2=$(free_port)
mkdir -p "$tmp/state2"
sed -e "s|^listen: .*|listen: 127.0.0.1:$port2|" -e "s|^state_dir: .*|state_dir: state2|" \
    -e "s|^  listen: .*|  listen: 127.0.0.1:$http2|" "$tmp/collector.yaml" > "$tmp/collector2.yaml"
start_collector "$tmp/collector.log"
first_pid=$col_pid
"$collector" --config "$tmp/collector2.yaml" 2>"$tmp/collector2.log" &
pids+=("$!")
wait_log "$tmp/collector2.log" "listening on" 10

total=30000
base=$(( $(date +%s) * 1000 - 3600000 ))
lc a1 --epoch 21 --first-seq 1 --last-seq $total --base-ts "$base" --window 8 hello \
  stream:1:$total:500:web.tcp,web.tcp2 > "$tmp/s1.out" 2>&1 &
s1=$!
port=$port2 lc a1 --epoch 21 --first-seq 1 --last-seq $total --base-ts "$base" --window 8 hello \
  stream:1:$total:700:web.tcp,web.tcp2 > "$tmp/s2.out" 2>&1 || fail "the stream to collector 2 failed: $(tail -3 "$tmp/s2.out")"
wait "$s1" || fail "the stream to collector 1 failed: $(tail -3 "$tmp/s1.out")"
for o in s1 s2; do
  grep -q "^streamed 1..$total$" "$tmp/$o.out" || fail "$o did not end acknowledged: $(tail -3 "$tmp/$o.out")"
done
# Both collectors stored some of it (the streams did overlap in time) and skipped what the other had.
c1=$(grep -c "was partly a resend\|was entirely a resend" "$tmp/collector.log" || true)
c2=$(grep -c "was partly a resend\|was entirely a resend" "$tmp/collector2.log" || true)
echo "pg_two_sessions_test: duplicate batches seen: collector 1: $c1, collector 2: $c2"
[ $((c1 + c2)) -gt 0 ] || fail "no collector saw a duplicate: the streams did not overlap"
rows=$(psql_db "SELECT count(*), count(DISTINCT seq), max(seq) FROM results r JOIN agents a ON a.id = r.agent_id WHERE a.name = 'a1' AND epoch = 21")
[ "$rows" = "$total|$total|$total" ] || fail "rows $rows, not $total once each"
mark=$(psql_db "SELECT committed_seq FROM marks m JOIN agents a ON a.id = m.agent_id WHERE a.name = 'a1' AND epoch = 21")
[ "$mark" = "$total" ] || fail "the mark is $mark, not $total"
arrivals=$(psql_db "SELECT result_row FROM arrival_counters")
[ "$arrivals" = "$total" ] || fail "$arrivals arrival numbers for $total rows: some numbers were stored twice"
kill -TERM "$first_pid"
echo "pg_two_sessions_test: ok"
