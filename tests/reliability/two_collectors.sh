# Two collectors (a, b) on one PostgreSQL store, for tests/reliability/leader_kill9_test.sh,
# tests/reliability/pg_failover_test.sh and
# bench/pg_failover_bench.sh (after tests/reliability/lib.sh: rel_init, write_catalogue): their
# folders $work/a and $work/b (collector.yaml, state, collector.log), free loopback ports, and helpers
# to start, kill -9, stop them and read their /metrics. Every wait is bounded.
#   two_collectors_init STORE_URL      writes both collector.yaml files
#   write_agent_configs                every agent's agent.yaml, listing both collectors
declare -A cport=() chttp=() cpid=()
two_collectors_init() {
  local store=$1 c
  for c in a b; do
    cport[$c]=$(free_port)
    chttp[$c]=$(free_port)
    mkdir -p "$work/$c/state"
    cat >"$work/$c/collector.yaml" <<YAML
catalogue: ../catalogue.yaml
listen: 127.0.0.1:${cport[$c]}
tls:
  cert_file: ../tls/collector.pem
  key_file: ../tls/collector.key
store: $store
state_dir: state
log_level: info
http: {listen: "127.0.0.1:${chttp[$c]}"}
YAML
  done
}
# write_agent_configs: each agent's agent.yaml, listing both collectors (`collectors:`: it starts at
# a random one and moves to the other when its collector fails).
write_agent_configs() {
  local a
  for a in "${agents[@]}"; do
    write_agent_config "$a"
    sed -i "s|^collector: .*|collectors: [\"127.0.0.1:${cport[a]}\", \"127.0.0.1:${cport[b]}\"]|" "$work/agents/$a/agent.yaml"
  done
}

start_c() {
  local c=$1 before
  before=$(grep -c "listening on" "$work/$c/collector.log" 2>/dev/null || true)
  before=${before:-0}
  (cd "$work/$c" && exec "$BIN/slamon-collector" --config collector.yaml 2>>collector.log) &
  cpid[$c]=$!
  for _ in $(seq 200); do
    [ "$(grep -c "listening on" "$work/$c/collector.log" 2>/dev/null || true)" -gt "$before" ] && return 0
    kill -0 "${cpid[$c]}" 2>/dev/null || fail "collector $c exited"
    sleep 0.05
  done
  fail "collector $c does not listen after 10 s"
}
kill9_c() {
  kill -9 "${cpid[$1]}" 2>/dev/null || true
  wait "${cpid[$1]}" 2>/dev/null || true
  cpid[$1]=
}
stop_c() {
  local rc=0
  kill -TERM "${cpid[$1]}" 2>/dev/null || true
  wait "${cpid[$1]}" || rc=$?
  cpid[$1]=
  [ "$rc" = 0 ] || fail "collector $1 exited $rc on SIGTERM"
}
metric() {  # metric COLLECTOR NAME: its value, or "" when /metrics does not answer
  curl -s --max-time 2 "http://127.0.0.1:${chttp[$1]}/metrics" 2>/dev/null | awk -v n="$2" '$1 == n { print $2 }'
}
# wait_leader COLLECTOR MIN_EPOCH: until its /metrics says leader with an epoch >= MIN_EPOCH (20 s).
wait_leader() {
  for _ in $(seq 200); do
    if [ "$(metric "$1" slamon_leader)" = 1 ] && [ "$(metric "$1" slamon_leader_epoch)" -ge "$2" ] 2>/dev/null; then
      return 0
    fi
    sleep 0.1
  done
  fail "collector $1 did not become the leader (epoch >= $2) within 20 s"
}
other() { [ "$1" = a ] && echo b || echo a; }
# wait_first_leader: sets `leader` to whichever collector won the lock (10 s).
wait_first_leader() {
  leader=
  for _ in $(seq 100); do
    for c in a b; do [ "$(metric "$c" slamon_leader)" = 1 ] && leader=$c; done
    [ -n "$leader" ] && return 0
    sleep 0.1
  done
  fail "no collector became the leader within 10 s"
}
# leader_lock_backend PSQL... STORE: the PostgreSQL backend (pid) holding the engine leader's session
# advisory lock (kLeaderLock in collector/store/postgres/, as pg_locks splits the bigint key), "" when none holds it.
leader_lock_backend() {
  "$@" -c "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted
    AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
    AND classid = 7564385 AND objid = 1836019216 AND objsubid = 1"
}
