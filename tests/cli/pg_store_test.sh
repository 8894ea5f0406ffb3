#!/usr/bin/env bash
# The PostgreSQL store with the real binaries, on a throwaway PostgreSQL 15 (tests/lib/pg.sh; never
# skipped): the store tests' fixture imported into SQLite and into PostgreSQL gives byte-identical
# `slamon export`, `report --db` (every SLA, each period, json and text) and `status --db` output;
# also after a collector applied both stores (its live engine, then retention), where both also equal
# the offline report. Then `slamon migrate` moves the SQLite store into an empty database (reports
# equal before and after; a non-empty target refused).
set -euo pipefail
bin=$SLAMON_BIN_DIR/slamon
fail() { echo "FAIL: $*" >&2; exit 1; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
source "$SLAMON_SOURCE_DIR/tests/lib/pg.sh"
pg_start
cd "$tmp"
source "$SLAMON_SOURCE_DIR/tests/lib/store_fixture.sh"
make_store_fixture
pg=$(pg_createdb imported)

# ---- the same import into both: the same counts, the same export -----------------------------------
"$bin" import --db s.db in.jsonl > sqlite.out 2> err || fail "import into SQLite: $(cat err)"
"$bin" import --db "$pg" in.jsonl > pg.out 2> err || fail "import into PostgreSQL: $(cat err)"
cmp -s sqlite.out pg.out || fail "import counts differ: $(cat sqlite.out) / $(cat pg.out)"
"$bin" import --db "$pg" in.jsonl > pg.out 2> err || fail "re-import into PostgreSQL: $(cat err)"
grep -q "^0 results added" pg.out || fail "re-import into PostgreSQL is not a no-op: $(cat pg.out)"
"$bin" export --db s.db --output e1.jsonl 2> /dev/null
"$bin" export --db "$pg" --output e2.jsonl 2> /dev/null
cmp e1.jsonl e2.jsonl || fail "export differs between SQLite and PostgreSQL"
"$bin" export --db s.db --from 2026-03-02T00:00:00Z --to 2026-03-02T06:00:00Z --probe web.http > f1.jsonl 2> /dev/null
"$bin" export --db "$pg" --from 2026-03-02T00:00:00Z --to 2026-03-02T06:00:00Z --probe web.http > f2.jsonl 2> /dev/null
cmp f1.jsonl f2.jsonl || fail "a filtered export differs between SQLite and PostgreSQL"

# Every SLA and period (a day's periods report the day SLAs, a month's the month SLA), both formats:
# byte-identical; the same for status. $1 $2: the two stores; $3: also equal to the offline report.
periods=("--period 2026-03-01" "--period 2026-03-02" "--period 2026-03-03" "--period 2026-03"
         "--period 2026-03-02 --sla shop-berlin --trend 2" "--period 2026-03-03 --as-of 2026-03-09T00:00:00Z"
         "--period 2026-03-02 --as-of 2026-03-02T13:17:00Z")
compare_reports() {
  local a=$1 b=$2 offline=${3:-}
  for args in "${periods[@]}"; do
    for fmt in json text; do
      # shellcheck disable=SC2086
      "$bin" report --catalogue cat.yaml --db "$a" $args --format $fmt > r1.out 2> r1.err || fail "report --db $a $args: $(cat r1.err)"
      # shellcheck disable=SC2086
      "$bin" report --catalogue cat.yaml --db "$b" $args --format $fmt > r2.out 2> r2.err || fail "report --db $b $args: $(cat r2.err)"
      cmp -s r1.out r2.out || fail "report $args --format $fmt differs: $(diff r1.out r2.out | head -5)"
      if [ -n "$offline" ] && [[ "$args" != *13:17* ]]; then
        # shellcheck disable=SC2086
        "$bin" report --catalogue cat.yaml --results "$offline" $args --format $fmt > r3.out 2> /dev/null
        cmp -s r1.out r3.out || fail "report --db $args --format $fmt differs from the offline report"
      fi
    done
  done
  "$bin" status --catalogue cat.yaml --db "$a" --as-of 2026-03-09T00:00:00Z --format json > st1.out 2> /dev/null
  "$bin" status --catalogue cat.yaml --db "$b" --as-of 2026-03-09T00:00:00Z --format json > st2.out 2> /dev/null
  cmp -s st1.out st2.out || fail "status differs: $(diff st1.out st2.out | head -5)"
}
compare_reports s.db "$pg" e1.jsonl

# ---- a collector over each store: its engine applies everything, then prunes (retention 1d) --------
"$SLAMON_SOURCE_DIR/scripts/make-certs.sh" tls > /dev/null
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
run_collector() {  # $1: the store; waits until it pruned, then stops it
  cat > collector.yaml <<YAML
catalogue: cat.yaml
listen: 127.0.0.1:$(free_port)
http: {listen: "127.0.0.1:$(free_port)"}
tls: {cert_file: tls/collector.pem, key_file: tls/collector.key}
store: $1
state_dir: state
retention: 1d
YAML
  "$SLAMON_BIN_DIR/slamon-collector" --config collector.yaml 2> col.log &
  local col=$!
  for _ in $(seq 600); do grep -q "pruned" col.log && break; sleep 0.1; done
  kill -TERM $col; wait $col || true
  grep -q "pruned [1-9][0-9]* raw results" col.log || fail "the collector over $1 did not prune: $(cat col.log)"
  grep -q "s3cret" col.log && fail "the collector logged a password"
  return 0
}
cp s.db p.db
pga=$(pg_createdb applied)
"$bin" import --db "$pga" in.jsonl > /dev/null 2>&1
run_collector p.db
run_collector "$pga"
grep -q "store postgresql://" col.log || fail "the collector does not name its PostgreSQL store: $(cat col.log)"
[ "$("$bin" export --db p.db 2> /dev/null | wc -l)" = "$("$bin" export --db "$pga" 2> /dev/null | wc -l)" ] ||
  fail "retention kept different rows in SQLite and PostgreSQL"
compare_reports p.db "$pga" e1.jsonl

# ---- slamon migrate: SQLite -> an empty PostgreSQL database ------------------------------------------
pgm=$(pg_createdb migrated)
# Two maintenance windows (as the API stores them: one ended early) move along with their history.
sqlite3 p.db "INSERT INTO maintenance_windows (targets, from_ms, to_ms, planned_to_ms, who, why, created_ms, ended_ms,
  ended_by, end_reason) VALUES ('web', 1000, 1500, 2000, 'alice', 'patch', 900, 1500, 'bob', 'done early'),
  ('db' || char(10) || 'shop', 5000, 6000, 6000, 'carol', 'move', 4000, NULL, '', '');
  INSERT INTO maintenance_events (window_id, action, at_ms, who, why, from_ms, to_ms) VALUES
  (1, 'created', 900, 'alice', 'patch', 1000, 2000), (2, 'created', 4000, 'carol', 'move', 5000, 6000),
  (1, 'ended', 1500, 'bob', 'done early', 1000, 1500);"
"$bin" migrate --from sqlite:p.db --to "$pgm" > mig.out 2> mig.err || fail "migrate: $(cat mig.err)"
grep -q "slamon migrate: .* results" mig.err || fail "migrate shows no progress: $(cat mig.err)"
compare_reports p.db "$pgm"
"$bin" export --db p.db > m1.jsonl 2> /dev/null
"$bin" export --db "$pgm" > m2.jsonl 2> /dev/null
cmp -s m1.jsonl m2.jsonl || fail "export differs after migrate"
grep -q ", 2 maintenance windows" mig.out || fail "migrate: windows: $(cat mig.out)"
"$bin" export --db p.db --maintenance - 2>/dev/null | grep -v '^#.*written\|^# Maintenance' > w1.yaml
"$bin" export --db "$pgm" --maintenance - 2>/dev/null | grep -v '^#.*written\|^# Maintenance' > w2.yaml
grep -q "mw-2" w1.yaml && cmp -s w1.yaml w2.yaml || fail "maintenance windows differ after migrate: $(diff w1.yaml w2.yaml)"
set +e; "$bin" migrate --from sqlite:p.db --to "$pgm" > /dev/null 2> mig.err; rc=$?; set -e
[ $rc -eq 2 ] && grep -q "not empty" mig.err || fail "migrate into a non-empty store: exit $rc: $(cat mig.err)"
# The migrated store numbers new results after the copied ones: the engine (brought up to date by
# report --db) sees them as in the SQLite store.
python3 - <<'PY'
import json
lines = [json.dumps({"probe": "web.tcp", "ts": "2026-03-04T%02d:%02d:00Z" % (m // 60, m % 60), "agent": "a2",
                     "status": "down" if 300 <= m < 420 else "up", "latency_ms": 3.5}) for m in range(0, 1440, 2)]
open("new.jsonl", "w").write("\n".join(lines) + "\n")
PY
"$bin" import --db p.db new.jsonl > /dev/null 2>&1 || fail "import into p.db after migrate"
"$bin" import --db "$pgm" new.jsonl > /dev/null 2>&1 || fail "import into the migrated store"
periods=("--period 2026-03-04" "--period 2026-03-03" "--period 2026-03")
compare_reports p.db "$pgm"
echo "pg_store_test: ok"
