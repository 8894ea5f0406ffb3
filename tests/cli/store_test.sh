#!/usr/bin/env bash
# The commands over the collector's store, on real SQLite files with the real binary: import (counts,
# resends are no-ops, invalid lines, gap lines), export (order, filters, atomic output, byte-identical
# round trip), report --db equal byte for byte to report --results on the export (every format, with
# gaps, --as-of, results before and after the period that still matter), status (agents recorded and
# never seen, services since when), and the errors (missing store, a directory, a non-store SQLite
# file, an unreachable postgresql URL, bad --from).
set -euo pipefail
bin=$SLAMON_BIN_DIR/slamon
fail() { echo "FAIL: $*" >&2; exit 1; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cd "$tmp"

source "$SLAMON_SOURCE_DIR/tests/lib/store_fixture.sh"
make_store_fixture
lines=$(wc -l < in.jsonl)

# ---- import: counts, resends, invalid lines -------------------------------------------------------
"$bin" import --db s.db in.jsonl > out 2> err || fail "import failed: $(cat err)"
grep -q " 0 already there (identical), 0 replaced (differing); 9 gap records added, 0 already there; 0 invalid" out \
  || fail "first import counts: $(cat out)"
added=$(sed -E 's/^([0-9]+) results added.*/\1/' out)
[ "$added" -eq $((lines - 9)) ] || fail "added $added of $((lines - 9)) results"
"$bin" import --db s.db in.jsonl > out 2> err || fail "re-import failed: $(cat err)"
grep -q "^0 results added, $added already there (identical), 0 replaced (differing); 0 gap records added, 9 already there; 0 invalid" out \
  || fail "re-import is not a no-op: $(cat out)"
"$bin" export --db s.db --output e1.jsonl 2> err || fail "export failed: $(cat err)"
[ "$(wc -l < e1.jsonl)" -eq "$lines" ] || fail "export has $(wc -l < e1.jsonl) lines, not $lines"
grep -q "slamon export: $added results, 9 gap records" err || fail "export summary: $(cat err)"

# Export order: ts, then probe, then agent; a gap line before the results of its ts.
python3 - e1.jsonl <<'PY' || fail "export is not ordered by ts, probe, agent"
import json, sys, datetime
def key(r):
    t = datetime.datetime.strptime(r["ts"], "%Y-%m-%dT%H:%M:%S%z") if "." not in r["ts"] else None
    return (r["ts"], 0 if "gap_until" in r else 1, r["probe"], r.get("agent", ""))
rows = [json.loads(l) for l in open(sys.argv[1])]
assert all(len(r["ts"]) == 20 for r in rows)
res = [r for r in rows if "gap_until" not in r]
assert res == sorted(res, key=lambda r: (r["ts"], r["probe"], r["agent"]))
assert [key(r)[:2] for r in rows] == sorted(key(r)[:2] for r in rows)
PY

# A differing line replaces; one invalid line: exit 1, reported with FILE:LINE.
first=$(awk '!/gap_until/ { print; exit }' e1.jsonl)
changed=$(python3 -c 'import json,sys; r=json.loads(sys.argv[1]); r["message"]="changed"; print(json.dumps(r))' "$first")
printf '%s\n{"probe":"web.http","ts":"yesterday","status":"up"}\n%s\n' "$changed" "$first" > mixed.jsonl
set +e; "$bin" import --db s.db mixed.jsonl > out 2> err; rc=$?; set -e
[ $rc -eq 1 ] || fail "import with an invalid line exits $rc, not 1"
grep -q "^mixed.jsonl:2: error: 'ts' is not an RFC 3339 timestamp" err || fail "invalid line not reported: $(cat err)"
grep -q "^0 results added, 0 already there (identical), 2 replaced (differing);.* 1 invalid lines skipped" out \
  || fail "replace counts: $(cat out)"  # line 1 replaces the run; line 3 (pending in the same batch) puts it back
"$bin" export --db s.db --output e1b.jsonl 2> /dev/null
cmp -s e1.jsonl e1b.jsonl || fail "the store differs after replacing a run and replacing it back"

# Results without an agent take --agent (default: import); stdin as '-'.
echo '{"probe":"web.http","ts":"2026-02-20T00:00:00Z","status":"up"}' | "$bin" import --db s2.db - > out 2> err \
  || fail "import from stdin failed: $(cat err)"
"$bin" export --db s2.db 2> /dev/null | grep -q '"agent":"import"' || fail "default agent is not 'import'"
echo '{"probe":"web.http","ts":"2026-02-20T00:00:00Z","status":"up"}' | "$bin" import --db s2.db --agent other - > /dev/null 2>&1
[ "$("$bin" export --db s2.db 2> /dev/null | wc -l)" -eq 2 ] || fail "--agent other did not add its own run"

# ---- export -> import into a fresh store -> export: identical bytes --------------------------------
"$bin" import --db fresh.db e1.jsonl > /dev/null 2> err || fail "import of the export failed: $(cat err)"
"$bin" export --db fresh.db > e2.jsonl 2> /dev/null
cmp e1.jsonl e2.jsonl || fail "export -> import -> export differs"

# Filters: [from, to), agent, probe.
"$bin" export --db s.db --from 2026-03-02T00:00:00Z --to 2026-03-02T01:00:00+00:00 --agent a1 --probe db.tcp > f.jsonl 2> /dev/null
python3 - f.jsonl e1.jsonl <<'PY' || fail "export filters wrong"
import json, sys
got = [l for l in open(sys.argv[1])]
exp = [l for l in open(sys.argv[2]) if (lambda r: "2026-03-02T00:00:00Z" <= r["ts"] < "2026-03-02T01:00:00Z"
       and r.get("agent") == "a1" and r["probe"] == "db.tcp")(json.loads(l))]
assert got == exp and len(got) > 50, (len(got), len(exp))
PY

# ---- report --db == report --results of the export, byte for byte ---------------------------------
for args in "--period 2026-03-02" "--period 2026-03-02 --sla shop-day" "--period 2026-03" \
            "--period 2026-03-02 --as-of 2026-03-02T13:17:00Z" "--period 2026-03-03 --as-of 2026-03-05T00:00:00Z" \
            "--period 2026-03-02 --sla shop-berlin --trend 2"; do
  for fmt in json text csv html; do
    # shellcheck disable=SC2086
    "$bin" report --catalogue cat.yaml --db s.db $args --format $fmt > db.out 2> db.err || fail "report --db $args: $(cat db.err)"
    # shellcheck disable=SC2086
    "$bin" report --catalogue cat.yaml --results e1.jsonl $args --format $fmt > file.out 2> /dev/null
    cmp -s db.out file.out || fail "report --db $args --format $fmt differs from the offline report"
  done
done
# Gap lines out of time order, through a pipe: the offline report's second read (from its temporary
# copy) takes them too.
{ grep -v gap_until e1.jsonl; grep gap_until e1.jsonl; } > gaps-last.jsonl
for fmt in json html; do
  "$bin" report --catalogue cat.yaml --db s.db --period 2026-03 --format $fmt > db.out 2> /dev/null
  "$bin" report --catalogue cat.yaml --results /dev/stdin --period 2026-03 --format $fmt < <(cat gaps-last.jsonl) > file.out 2> /dev/null
  cmp -s db.out file.out || fail "report from a pipe with gap lines last differs ($fmt)"
done
# The data makes the comparison bite: gaps and outages inside the period.
"$bin" report --catalogue cat.yaml --db s.db --period 2026-03-02 --sla shop-day > r.json 2> /dev/null
python3 - r.json <<'PY' || fail "the compared report is trivial: $(cat r.json)"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["outage_count"] > 0 and r["unknown_s"] > 0, r
PY
# A report from only the period's results would differ (the anchors before it matter).
"$bin" export --db s.db --from 2026-03-02T00:00:00Z > cut.jsonl 2> /dev/null
"$bin" report --catalogue cat.yaml --results cut.jsonl --period 2026-03-02 > cut.out 2> /dev/null
"$bin" report --catalogue cat.yaml --db s.db --period 2026-03-02 > db.out 2> /dev/null
! cmp -s cut.out db.out || fail "the data has nothing before the period that matters: the test would not notice"

# Gap records as the collector stores an agent's (epoch 7, one record for two probes; the wire lets
# one end where it starts): exported one line per probe, gap_until made 1 ms after ts, and the
# report from the store still equals the report from the export.
cp s.db agent-gaps.db
python3 - agent-gaps.db <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("INSERT INTO gaps SELECT a.id, 7, 1, p.id, 1772409600000, 1772409600000, 3 FROM agents a, probes p"
           " WHERE a.name = 'a2' AND p.name IN ('web.tcp', 'db.tcp')")
db.commit()
PY
"$bin" export --db agent-gaps.db --output e3.jsonl 2> err || fail "export of agent gaps: $(cat err)"
grep -q "warning: agent a2's gap record for probe db.tcp at 2026-03-02T00:00:00Z has no length" err || fail "no warning: $(cat err)"
[ "$(grep -c '"ts":"2026-03-02T00:00:00Z","status":"unknown","gap_until":"2026-03-02T00:00:00.001Z","agent":"a2"' e3.jsonl)" -eq 2 ] \
  || fail "agent gap lines: $(grep gap_until e3.jsonl)"
for fmt in json text; do
  "$bin" report --catalogue cat.yaml --db agent-gaps.db --period 2026-03-02 --format $fmt > db.out 2> /dev/null
  "$bin" report --catalogue cat.yaml --results e3.jsonl --period 2026-03-02 --format $fmt > file.out 2> /dev/null
  cmp -s db.out file.out || fail "report with agent gap records differs ($fmt)"
done
"$bin" import --db fresh3.db e3.jsonl > /dev/null 2>&1 || fail "import of e3"
"$bin" export --db fresh3.db 2> /dev/null | cmp -s - e3.jsonl || fail "agent gaps do not round-trip"

# --config: collector.yaml names the catalogue and the store.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout key.pem -out cert.pem -days 2 \
  -subj /CN=localhost > /dev/null 2>&1 || fail "openssl"
printf 'catalogue: cat.yaml\nlisten: 127.0.0.1:7443\ntls: {cert_file: cert.pem, key_file: key.pem}\nstore: sqlite:s.db\nstate_dir: %s\n' "$tmp" > collector.yaml
"$bin" report --config collector.yaml --period 2026-03-02 > cfg.out 2> cfg.err || fail "report --config: $(cat cfg.err)"
"$bin" report --catalogue cat.yaml --db s.db --period 2026-03-02 > db.out 2> /dev/null
cmp -s cfg.out db.out || fail "report --config differs from report --db"

# ---- status ----------------------------------------------------------------------------------------
"$bin" status --db s.db --catalogue cat.yaml --as-of 2026-03-02T12:00:00Z --format json > st.json 2> err \
  || fail "status failed: $(cat err)"
python3 - st.json cat.yaml s.db <<'PY' || fail "status (no agent records) wrong: $(cat st.json)"
import json, sys
s = json.load(open(sys.argv[1]))
assert [a["name"] for a in s["agents"]] == ["a1", "a2", "a3"], s["agents"]
assert all(a["state"] == "never connected" and a["last_seen"] is None for a in s["agents"])
assert [x["id"] for x in s["services"]] == ["shop", "front"] and [x["id"] for x in s["cis"]] == ["web", "db"]
assert s["window_start"] == "2026-01-26T12:00:00Z"
for x in s["services"] + s["cis"]:
    assert x["status"] in ("up", "down", "degraded", "unknown")
    assert (x["since"] is None) != (x["since_before"] is None)
    if x["since"]: assert "2026-02-27" <= x["since"] <= "2026-03-02T12:00:00Z", x
PY
# The status equals the report engine's view: the status at as_of of each service, computed the same
# way by report --as-of (a down service at as_of has an outage that continues after).
"$bin" report --catalogue cat.yaml --db s.db --period 2026-03-02 --sla shop-day --as-of 2026-03-02T12:00:00Z > r.json 2> /dev/null
python3 - st.json r.json <<'PY' || fail "status disagrees with the report"
import json, sys
s = json.load(open(sys.argv[1])); r = json.load(open(sys.argv[2]))
shop = [x for x in s["services"] if x["id"] == "shop"][0]
last = r["outages"][-1] if r["outages"] else None
ongoing = bool(last and last["continues_after"])
assert ongoing == (shop["status"] == "down"), (shop, last)
if ongoing: assert shop["since"] is not None and shop["since"] <= last["start"], (shop, last)
PY
# A short lookback: statuses older than the window are "since before" its start.
"$bin" status --db s.db --catalogue cat.yaml --as-of 2026-03-02T12:00:00Z --lookback 1m > st.txt 2> /dev/null
grep -Eq "^(shop|front) +[a-z]+ +(before 2026-03-02T11:59:00Z|2026-03-02T11:59:)" st.txt || fail "lookback: $(cat st.txt)"

# Agent records as the collector writes them (schema version 2's agent_status).
python3 - s.db <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("INSERT INTO agent_status VALUES ('a1', 1, '10.1.2.3:40000', 1772452800000, -12, 5, 'v7', 1772400000000, 4242)")
db.execute("INSERT INTO agent_status VALUES ('zz-retired', 0, '10.1.2.4:40001', 1772366400000, NULL, 0, '', 3, 9)")
db.commit()
PY
"$bin" status --db s.db --catalogue cat.yaml --as-of 2026-03-02T12:00:00Z > st.txt 2> err || fail "status: $(cat err)"
grep -Eq "^a1 +connected +10\.1\.2\.3:40000 +2026-03-02T12:00:00Z +-12 ms +5 +v7 +1772400000000 +4242$" st.txt \
  || fail "a1's record: $(cat st.txt)"
grep -Eq "^a2 +never connected" st.txt || fail "a2 never connected: $(cat st.txt)"
grep -Eq "^zz-retired +disconnected +10\.1\.2\.4:40001 +2026-03-01T12:00:00Z +- +0 +- +3 +9$" st.txt || fail "retired agent: $(cat st.txt)"
grep -q "^Services" st.txt && grep -q "^CIs" st.txt || fail "sections: $(cat st.txt)"
"$bin" status --db s.db --catalogue cat.yaml --as-of 2026-03-02T12:00:00Z --format json | python3 -c '
import json, sys
a = {x["name"]: x for x in json.load(sys.stdin)["agents"]}
assert a["a1"] == {"name": "a1", "state": "connected", "connected": True, "peer": "10.1.2.3:40000",
  "last_seen": "2026-03-02T12:00:00Z", "clock_offset_ms": -12, "backlog": 5, "assignment_version": "v7",
  "epoch": 1772400000000, "committed_seq": 4242}, a["a1"]
assert a["zz-retired"]["clock_offset_ms"] is None and a["zz-retired"]["assignment_version"] is None
' || fail "status json agents"

# ---- errors: exit 2, a clear message, nothing created --------------------------------------------
expect_error() {  # expect_error PATTERN COMMAND...
  local pattern=$1; shift
  set +e; "$@" > /dev/null 2> err; local rc=$?; set -e
  [ $rc -eq 2 ] || fail "$* exits $rc, not 2"
  grep -q -- "$pattern" err || fail "$*: expected '$pattern', got: $(cat err)"
}
for cmd in "export --db" "status --catalogue cat.yaml --db" "report --catalogue cat.yaml --period 2026-03-02 --db"; do
  # shellcheck disable=SC2086
  expect_error "store $tmp/missing.db: no such store (nothing is created)" "$bin" $cmd missing.db
  [ ! -e missing.db ] || fail "$cmd created a store"
  # shellcheck disable=SC2086
  expect_error "store $tmp: is a directory, not a store" "$bin" $cmd "$tmp"
  # shellcheck disable=SC2086
  # A PostgreSQL store that cannot be reached: its URL without the password, and the reason.
  # shellcheck disable=SC2086
  expect_error "store postgresql://slamon:\*\*\*@127.0.0.1:1/slamon: cannot connect" "$bin" $cmd postgresql://slamon:s3cret@127.0.0.1:1/slamon
  ! grep -q s3cret err || fail "$cmd printed the store's password: $(cat err)"
done
python3 -c 'import sqlite3; db = sqlite3.connect("other.db"); db.execute("CREATE TABLE t (x)"); db.commit()'
expect_error "store $tmp/other.db: not a slamon store" "$bin" export --db other.db
: > empty.db
expect_error "store $tmp/empty.db: not a slamon store (an empty database)" "$bin" export --db empty.db
[ ! -s empty.db ] || fail "an empty file was made a store by a read command"
expect_error "file is not a database" "$bin" export --db cat.yaml
expect_error "--from 'yesterday' is not an RFC 3339 timestamp" "$bin" export --db s.db --from yesterday
expect_error "--to '2026-03-01T00:00:00Z' is not after --from" "$bin" export --db s.db --from 2026-03-02T00:00:00Z --to 2026-03-01T00:00:00Z
expect_error "--as-of 'noon' is not an RFC 3339 timestamp" "$bin" status --db s.db --catalogue cat.yaml --as-of noon
expect_error "--lookback '5x' is not a duration" "$bin" status --db s.db --catalogue cat.yaml --lookback 5x
expect_error "within the years 0001-9999" "$bin" status --db s.db --catalogue cat.yaml --as-of 0001-01-02T00:00:00Z --lookback 2d
expect_error "one of --results FILE, --db STORE" "$bin" report --catalogue cat.yaml --period 2026-03-02
expect_error "one of --results FILE, --db STORE" "$bin" report --catalogue cat.yaml --period 2026-03-02 --db s.db --results e1.jsonl
expect_error "store postgresql://127.0.0.1:1/slamon: cannot connect" "$bin" import --db postgresql://127.0.0.1:1/slamon e1.jsonl
expect_error "no-such.jsonl: No such file" "$bin" import --db s.db no-such.jsonl
# A failed export leaves no output file behind, and never a partial one.
expect_error "no such store" "$bin" export --db missing.db --output never.jsonl
[ ! -e never.jsonl ] || fail "a failed export left its output"
ls -a | grep -q '\.tmp-' && fail "a temporary export file was left behind"
# ---- the collector's engine applies what was imported, then prunes (retention 1d): reports stay exact
# (from the confirmed change points; the response-time probe web.http keeps its raw results) ------------
"$SLAMON_SOURCE_DIR/scripts/make-certs.sh" tls > /dev/null
cp s.db p.db
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
port=$(free_port)
cat > collector.yaml <<YAML
catalogue: cat.yaml
listen: 127.0.0.1:$port
http: {listen: "127.0.0.1:$(free_port)"}
tls: {cert_file: tls/collector.pem, key_file: tls/collector.key}
store: p.db
state_dir: state
retention: 1d
YAML
"$SLAMON_BIN_DIR/slamon-collector" --config collector.yaml 2> col.log &
col=$!
for _ in $(seq 300); do grep -q "pruned" col.log && break; sleep 0.1; done
kill -TERM $col; wait $col || true
grep -q "pruned [1-9][0-9]* raw results" col.log || fail "the collector did not prune: $(cat col.log)"
python3 - p.db <<'PY' || fail "the prune left too much of web.tcp/db.tcp or dropped web.http"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
n = dict(db.execute("SELECT p.name, COUNT(*) FROM results r JOIN probes p ON p.id = r.probe_id GROUP BY p.name"))
assert n.get("web.http", 0) > 5000, n          # a response-time probe: kept
assert n.get("web.tcp", 0) + n.get("db.tcp", 0) < 200, n
PY
for args in "--period 2026-03-02" "--period 2026-03-01" "--period 2026-03" "--period 2026-03-02 --sla shop-berlin --trend 2" \
            "--period 2026-03-03 --as-of 2026-03-09T00:00:00Z"; do
  for fmt in json text; do
    # shellcheck disable=SC2086
    "$bin" report --catalogue cat.yaml --db p.db $args --format $fmt > db.out 2> db.err || fail "report --db $args after prune: $(cat db.err)"
    # shellcheck disable=SC2086
    "$bin" report --catalogue cat.yaml --results e1.jsonl $args --format $fmt > file.out 2> /dev/null
    cmp -s db.out file.out || fail "report --db $args --format $fmt after the prune differs from the offline report"
  done
done
"$bin" status --catalogue cat.yaml --db p.db --as-of 2026-03-09T00:00:00Z --format json > st.db 2> /dev/null
"$bin" status --catalogue cat.yaml --db s.db --as-of 2026-03-09T00:00:00Z --format json > st.raw 2> /dev/null
cmp -s <(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(r["services"], r["cis"])' st.db) \
       <(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(r["services"], r["cis"])' st.raw) \
  || fail "status after the prune differs: $(cat st.db)"
# A report cut inside the pruned time says the raw results are gone.
"$bin" report --catalogue cat.yaml --db p.db --period 2026-03-02 --as-of 2026-03-02T13:17:00Z > /dev/null 2> db.err
grep -q "warning: raw results before .* were pruned" db.err || fail "no warning for a cut report over pruned results: $(cat db.err)"
for c in export import status; do "$bin" $c --help > /dev/null || fail "$c --help"; done
echo "store_test: ok"
