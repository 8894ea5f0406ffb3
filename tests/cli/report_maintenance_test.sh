#!/usr/bin/env bash
# slamon report --maintenance FILE: the file is read as a file of its own (not spliced into the
# catalogue's YAML): an error in it names that file and its true line, and a root catalogue with a
# quoted "include": key still works. Runs the real binary (SLAMON_BIN_DIR).
set -euo pipefail
bin=$SLAMON_BIN_DIR/slamon
data=$SLAMON_SOURCE_DIR/tests/data/engine
fail() { echo "FAIL: $*" >&2; exit 1; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
report() { "$bin" report --results "$data/worked-example.jsonl" --sla shop-24x7 --period 2026-03-01 "$@"; }

# 1. An error on line 7 of the maintenance file is reported there (the file's own name and line).
cat > "$tmp/maint.yaml" <<'YAML'
# Windows exported from the API.
maintenance:
  - id: web-fix
    targets: [web]
    from: 2026-03-01T09:55:00Z
    to: 2026-03-01T10:15:00Z
  - {id: bad, targets: [ghost], from: 2026-03-01T09:55:00Z, to: 2026-03-01T10:15:00Z}
YAML
set +e
report --catalogue "$data/worked-example.yaml" --maintenance "$tmp/maint.yaml" >/dev/null 2>"$tmp/err"; rc=$?
set -e
[ "$rc" -eq 2 ] || fail "bad maintenance file: exit $rc"
grep -q "^$tmp/maint.yaml:7:25: error: maintenance bad: target: unknown CI or service 'ghost'" "$tmp/err" \
  || fail "error not at the maintenance file's own line: $(cat "$tmp/err")"

# 2. A root catalogue whose include key is quoted ("include":) and holds a list: the windows still apply.
mkdir -p "$tmp/cat"
{ printf '"include": []\n'; cat "$data/worked-example.yaml"; } > "$tmp/cat/root.yaml"
sed -n '1,6p' "$tmp/maint.yaml" > "$tmp/good.yaml"
report --catalogue "$tmp/cat/root.yaml" --maintenance "$tmp/good.yaml" >"$tmp/m.json" 2>"$tmp/err" \
  || fail "quoted include key: $(cat "$tmp/err")"
python3 -c "
import json,sys; r=json.load(open(sys.argv[1]))
assert r['down_s']==0.0 and r['planned_s']==1800.0 and r['outage_count']==0, r" "$tmp/m.json" \
  || fail "maintenance file not honoured with a quoted include key: $(cat "$tmp/m.json")"

# 3. A maintenance file that is missing or holds other sections says so.
set +e
report --catalogue "$data/worked-example.yaml" --maintenance "$tmp/none.yaml" >/dev/null 2>"$tmp/err"; rc=$?
set -e
[ "$rc" -eq 2 ] || fail "missing maintenance file: exit $rc"
grep -q "none.yaml: error: cannot read the maintenance file: No such file or directory" "$tmp/err" \
  || fail "missing maintenance file message: $(cat "$tmp/err")"
printf 'cis: [{id: x}]\n' > "$tmp/cis.yaml"
if report --catalogue "$data/worked-example.yaml" --maintenance "$tmp/cis.yaml" >/dev/null 2>"$tmp/err"; then
  fail "a maintenance file with cis accepted"; fi
grep -q "cis.yaml:1:1: error: maintenance file: unknown key 'cis'" "$tmp/err" || fail "cis key: $(cat "$tmp/err")"
echo "report_maintenance_test: all passed"
