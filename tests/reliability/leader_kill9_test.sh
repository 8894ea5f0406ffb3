#!/usr/bin/env bash
# Reliability: two collectors on one PostgreSQL store (the CTest fixture `pg`; never skipped), four
# agents streaming over TLS to either, and kill -9 of the engine leader at random moments (2 kills,
# each killed collector restarted). Afterwards:
#   - every result in the agents' results logs is stored exactly once, and nothing else
#     (slamon export against the logs: compare_results.py);
#   - `slamon report --db` (the leader's change points) equals the offline report of the logs;
#   - after each kill the other collector took over the leadership (its log "leader since epoch N",
#     its /metrics slamon_leader 1 with a higher slamon_leader_epoch), and the restarted one follows;
#   - the persisted change points are consistent: none repeats its predecessor's status, and they
#     equal the change points a fresh engine computes from the stored results (a copy of the database
#     with the engine's state emptied, applied by a collector of its own);
#   - a leader whose lock session the server ends (pg_terminate_backend) while it runs says it lost
#     the leadership, and a collector leads with the next epoch;
#   - a follower's /metrics says slamon_leader 0 and its /readyz is 200; at the end its in-memory
#     engine is at the leader's position and every node's live status equals the leader's.
# The agents list both collectors (`collectors:`): those on the killed leader move to the other one
# (the killed collector comes back within a second or two, as a follower).
source "$(dirname "$0")/lib.sh"
source "$SRC/tests/lib/pg.sh"
source "$SRC/tests/reliability/two_collectors.sh"
url_file=${SLAMON_PG_URL_FILE:?run through ctest (fixture pg), or set SLAMON_PG_URL_FILE}
[ -s "$url_file" ] || fail "no PostgreSQL server: $url_file is missing (the pg.start fixture failed?)"
PG_URL=$(cat "$url_file")
PSQL=("$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -At)
db_name=leader_kill9_$$_$RANDOM
store=$(pg_createdb "$db_name") || fail "cannot create a database on $PG_URL"
drop_dbs() { for d in "$db_name" "${db_name}_fresh"; do "${PSQL[@]}" "$PG_URL" -c "DROP DATABASE IF EXISTS \"$d\" WITH (FORCE)" >/dev/null 2>&1 || true; done; }

rel_init r1 r2 r3 r4
# 4 x 20 tcp probes every 500 ms: about 160 results a second. p1-p15 to a closed port (down at
# once); p16-p20 to a port a listener opens and closes every 1.5 s (their status flaps: many change
# points, rewritten across the failovers).
write_catalogue 20 500ms 200ms
flap_port=$(free_port)
sed -i -E "s/(p(1[6-9]|20), type: tcp, agent: [a-z0-9]+, target: \"127.0.0.1:)$closed_port/\1$flap_port/" "$work/catalogue.yaml"
grep -q ":$flap_port" "$work/catalogue.yaml" || fail "no probe targets the flapping port"
flap_pid=
start_flapping() {
  python3 - "$flap_port" <<'PY' &
import socket, sys, time
port = int(sys.argv[1])
for _ in range(200):  # bounded: 10 minutes at most
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port))
    s.listen(64)
    s.settimeout(0.05)
    end = time.time() + 1.5
    while time.time() < end:
        try:
            c, _ = s.accept()
            c.close()
        except OSError:
            pass
    s.close()
    time.sleep(1.5)
PY
  flap_pid=$!
}
two_collectors_init "$store"
write_agent_configs
stop_all() {
  for c in a b; do if [ -n "${cpid[$c]:-}" ]; then kill -9 "${cpid[$c]}" 2>/dev/null || true; fi; done
  if [ -n "$flap_pid" ]; then kill "$flap_pid" 2>/dev/null || true; fi
  if [ -n "${hook_pid:-}" ]; then kill "$hook_pid" 2>/dev/null || true; fi
  drop_dbs
}
trap 'rc=$?; stop_all; (exit $rc); rel_cleanup' EXIT
fail() {
  echo "FAIL: $*" >&2
  for f in "$work"/a/collector.log "$work"/b/collector.log "$work"/agents/*/agent.log; do
    [ -f "$f" ] && { echo "--- tail of $f" >&2; tail -n 30 "$f" >&2; }
  done
  exit 1
}

start_flapping
# Notifications (issue 16: none twice across a failover): every one goes to a local webhook receiver
# (tests/http/webhook_receiver.py, accepting every POST), from whichever collector leads.
hook_pid=
python3 "$SRC/tests/http/webhook_receiver.py" "$work/hook.port" "$work/hook.jsonl" 0 &
hook_pid=$!
for _ in $(seq 100); do [ -s "$work/hook.port" ] && break; sleep 0.1; done
[ -s "$work/hook.port" ] || fail "the webhook receiver did not start"
cat >> "$work/catalogue.yaml" <<YAML
notifications:
  webhooks:
    - {id: hook, url: "http://127.0.0.1:$(cat "$work/hook.port")/hook"}
  routes:
    - {webhooks: [hook]}
YAML
start_c a
start_c b
for a in "${agents[@]}"; do start_agent "$a" --drain-timeout 60s; done
wait_first_leader
epoch=$(metric "$leader" slamon_leader_epoch)
log "leader: collector $leader, epoch $epoch"

RANDOM=$$
kills=0
for _ in 1 2; do
  sleep "$((3 + RANDOM % 5)).$((RANDOM % 10))"
  follower=$(other "$leader")
  [ "$(metric "$follower" slamon_leader)" = 0 ] || fail "collector $follower is not a follower while $leader leads"
  curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:${chttp[$follower]}/readyz" | grep -qx 200 ||
    fail "the follower $follower's /readyz is not 200"
  kill9_c "$leader"
  kills=$((kills + 1))
  log "leader $leader killed ($kills), $(logged_count) results logged so far"
  wait_leader "$follower" $((epoch + 1))
  new_epoch=$(metric "$follower" slamon_leader_epoch)
  grep -q "leader since epoch $new_epoch" "$work/$follower/collector.log" ||
    fail "collector $follower's log does not say 'leader since epoch $new_epoch'"
  log "collector $follower took over: epoch $new_epoch"
  start_c "$leader"
  for _ in $(seq 100); do
    grep -q "follower (leader: collector .* epoch $new_epoch)" "$work/$leader/collector.log" && break
    sleep 0.1
  done
  grep -q "follower (leader: collector .* epoch $new_epoch)" "$work/$leader/collector.log" ||
    fail "the restarted collector $leader does not say it follows epoch $new_epoch"
  leader=$follower
  epoch=$new_epoch
done
# A leader whose lock connection is lost but which still runs (its session ended by the server): it
# stops persisting and follows; a collector wins the lock with the next epoch (usually the other one;
# the same one again is correct too), and its writes are fenced from then on.
lock_session=$(leader_lock_backend "${PSQL[@]}" "$store")
[ -n "$lock_session" ] || fail "no session holds the leader's lock"
"${PSQL[@]}" "$store" -c "SELECT pg_terminate_backend($lock_session)" >/dev/null
log "leader $leader's lock session ($lock_session) terminated"
new_leader=
for _ in $(seq 200); do
  for c in a b; do
    if [ "$(metric "$c" slamon_leader)" = 1 ] && [ "$(metric "$c" slamon_leader_epoch)" -gt "$epoch" ] 2>/dev/null; then
      new_leader=$c
    fi
  done
  [ -n "$new_leader" ] && break
  sleep 0.1
done
[ -n "$new_leader" ] || fail "no collector became the leader after $leader's lock session ended"
grep -q "engine leadership lost: .*follower (persisting nothing)" "$work/$leader/collector.log" ||
  fail "collector $leader does not say it lost the leadership with its lock session"
leader=$new_leader
epoch=$(metric "$leader" slamon_leader_epoch)
log "collector $leader leads: epoch $epoch"
sleep 2
log "$(logged_count) results logged, $kills kills of the leader; stopping the agents (they send their backlog first)"
for a in "${agents[@]}"; do stop_agent "$a"; done
# The leader applies the last arrivals: until its engine position reaches the last arrival number.
for _ in $(seq 100); do
  applied=$("${PSQL[@]}" "$store" -c "SELECT result_row FROM engine_position")
  last=$("${PSQL[@]}" "$store" -c "SELECT result_row FROM arrival_counters")
  [ "$applied" = "$last" ] && break
  sleep 0.1
done
[ "$applied" = "$last" ] || fail "the leader's engine did not apply every arrival ($applied of $last)"
# The follower's in-memory engine follows: its live status is at the leader's final position, and
# every node's status equals the leader's (slamon_node_status on both /metrics).
follower=$(other "$leader")
for _ in $(seq 100); do
  [ "$(curl -s --max-time 2 "http://127.0.0.1:${chttp[$follower]}/metrics" | grep '^slamon_engine_applied_rows{table="results"}' |
    awk '{ print $2 }')" = "$last" ] && break
  sleep 0.1
done
curl -s --max-time 2 "http://127.0.0.1:${chttp[$follower]}/metrics" | grep -qx "slamon_engine_applied_rows{table=\"results\"} $last" ||
  fail "the follower $follower's live status is not at the leader's position $last"
sleep 2  # both past every probe's stale_after: the statuses no longer move
node_status() { curl -s --max-time 2 "http://127.0.0.1:${chttp[$1]}/metrics" | grep '^slamon_node_status' | sort; }
node_status "$leader" >"$work/status.leader"
node_status "$follower" >"$work/status.follower"
[ -s "$work/status.leader" ] || fail "no slamon_node_status on the leader's /metrics"
cmp -s "$work/status.leader" "$work/status.follower" ||
  fail "the follower's live status differs from the leader's: $(diff "$work/status.leader" "$work/status.follower" | head -6)"
stop_c "$follower"
stop_c "$leader"

# ---- every result stored exactly once ------------------------------------------------------------------
"$BIN/slamon" export --db "$store" --output "$work/export.jsonl" || fail "slamon export failed"
python3 "$SRC/tests/reliability/compare_results.py" "$work/export.jsonl" $(logs) ||
  fail "the store does not hold the logged results exactly once"

# ---- the report from the store equals the offline report of the agents' logs ---------------------------
cat $(logs) >"$work/logged.jsonl"
as_of=$(date -u +%Y-%m-%dT%H:%M:%SZ)
period=$(date -u +%Y-%m-%d)
for fmt in json text; do
  "$BIN/slamon" report --catalogue "$work/catalogue.yaml" --db "$store" --period "$period" --as-of "$as_of" \
    --format $fmt >"$work/db.$fmt" 2>"$work/db.err" || fail "report --db: $(cat "$work/db.err")"
  "$BIN/slamon" report --catalogue "$work/catalogue.yaml" --results "$work/logged.jsonl" --period "$period" \
    --as-of "$as_of" --format $fmt >"$work/offline.$fmt" 2>"$work/offline.err" || fail "offline report: $(cat "$work/offline.err")"
  cmp -s "$work/db.$fmt" "$work/offline.$fmt" ||
    fail "report --db differs from the offline report ($fmt): $(diff "$work/db.$fmt" "$work/offline.$fmt" | head -10)"
done

# ---- the persisted change points: no repeated status, equal to a fresh engine's -----------------------
points="SELECT p.name, c.t, c.status FROM engine_changes c JOIN probes p ON p.id = c.probe_id ORDER BY p.name COLLATE \"C\", c.t"
repeats=$("${PSQL[@]}" "$store" -c "SELECT count(*) FROM (SELECT status, lag(status) OVER (PARTITION BY probe_id ORDER BY t) AS prev
  FROM engine_changes) x WHERE status = prev")
[ "$repeats" = 0 ] || fail "$repeats persisted change point(s) repeat the status before them"
"${PSQL[@]}" "$store" -c "$points" >"$work/points.leader"
[ -s "$work/points.leader" ] || fail "the leaders persisted no change points"
"${PSQL[@]}" "$PG_URL" -c "CREATE DATABASE \"${db_name}_fresh\" TEMPLATE \"$db_name\"" || fail "cannot copy the database"
fresh="${store%/*}/${db_name}_fresh"
"${PSQL[@]}" "$fresh" -c "DELETE FROM engine_changes; DELETE FROM engine_checkpoints; DELETE FROM engine_probes;
  UPDATE engine_position SET result_row = 0, gap_row = 0" || fail "cannot empty the engine's state in the copy"
sed -i "s|^store: .*|store: $fresh|" "$work/a/collector.yaml"
start_c a
for _ in $(seq 200); do
  [ "$("${PSQL[@]}" "$fresh" -c "SELECT result_row FROM engine_position")" = "$last" ] && break
  sleep 0.1
done
stop_c a
"${PSQL[@]}" "$fresh" -c "$points" >"$work/points.fresh"
cmp -s "$work/points.leader" "$work/points.fresh" ||
  fail "the persisted change points differ from a fresh engine's: $(diff "$work/points.leader" "$work/points.fresh" | head -10)"

# ---- notifications (issue 16: "no notification twice across a failover") ------------------------------
# Every state change was told once: the receiver got each dedup key once, and per subject the kinds
# alternate (never "opened" twice without a "closed" between: a new leader reads the open set its
# predecessor stored and does not tell again); the delivery log agrees, and at least the service's
# outage (svc is down from the start: p1-p15 probe a closed port) was told.
check_no_notification_twice() {
  for _ in $(seq 100); do [ -s "$work/hook.jsonl" ] && break; sleep 0.1; done
  "${PSQL[@]}" "$store" -c "SELECT dedup_key || ' ' || state FROM notification_log ORDER BY id" > "$work/notification_log.txt"
  python3 - "$work/hook.jsonl" "$work/notification_log.txt" <<'PY' || fail "notifications told twice: $(cat "$work/hook.jsonl")"
import json, sys
posts = [json.loads(l) for l in open(sys.argv[1])]
keys = [p["idempotency_key"] for p in posts]
assert keys, "no notification reached the webhook"
assert len(keys) == len(set(keys)), f"a key delivered twice: {keys}"
assert any(k.startswith("outage:svc:outage_opened:") for k in keys), keys
rows = [l.split() for l in open(sys.argv[2]) if l.strip()]
assert len(rows) == len({r[0] for r in rows}), f"the log holds a key twice: {rows}"
assert {r[0] for r in rows if r[1] == "delivered"} <= set(keys) <= {r[0] for r in rows}, (rows, keys)
last = {}
for k, _ in rows:  # in the order they were told
    kind = k.split(":")[2]
    subject = ":".join(k.split(":")[:2])
    opening = kind in ("outage_opened", "alert_firing", "agent_lost")
    assert last.get(subject) != opening, f"{subject}: {kind} twice in a row: {rows}"
    last[subject] = opening
print(f"notifications: {len(keys)} told once each across the failovers")
PY
}
check_no_notification_twice

echo "PASS: $(logged_count) results, $kills kills of the leader (final epoch $epoch), each result stored once," \
  "report --db equal to the offline report, $(wc -l <"$work/points.leader") change points equal to a fresh engine's"
