#!/usr/bin/env bash
# `slamon check --feasibility`: text and JSON output, exit codes (0 feasible or only unbacked parts, 1 an
# SLA not feasible or an agreement flagged, 2 usage), --date, and --help. Runs the real binary.
set -euo pipefail
bin="${SLAMON_BIN_DIR:?}/slamon"
src="${SLAMON_SOURCE_DIR:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# 1. The example catalogue: the UC's restore_within (4h) exceeds the SLA's max_outage (2h): exit 1.
set +e
"$bin" check --feasibility "$src/config/example.yaml" --date 2026-10-15 >"$tmp/out" 2>"$tmp/err"
rc=$?
set -e
[ "$rc" -eq 1 ] || fail "example: exit $rc, want 1: $(cat "$tmp/err")"
grep -q '^payroll-gold on payroll, 2026-10 (Asia/Shanghai): unbacked parts$' "$tmp/out" || fail "example: verdict: $(cat "$tmp/out")"
grep -q '^  target 99.5 %, ceiling 99.9 %$' "$tmp/out" || fail "example: ceiling"
grep -q '^    core-sw-1 (ci): isp-uc 99.9 %, costs 0.1 points = 20 % of the error budget$' "$tmp/out" || fail "example: share"
grep -Eq '^    web-01 \(ci\): unbacked, needs 99\.[0-9]+ %$' "$tmp/out" || fail "example: unbacked web-01"
grep -q "flag restore_within: restore_within 4h exceeds the SLA's max_outage 2h" "$tmp/out" || fail "example: flag"

# 2. JSON: one object per SLA with the figures.
set +e
"$bin" check --feasibility "$src/config/example.yaml" --date 2026-10-15 --format json >"$tmp/json"
rc=$?
set -e
[ "$rc" -eq 1 ] || fail "json: exit $rc"
python3 - "$tmp/json" <<'PY' || fail "json"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["ok"] is True and d["date"] == "2026-10-15", d
[f] = d["feasibility"]
assert f["sla"] == "payroll-gold" and f["period"] == "2026-10" and f["target"] == 99.5, f
assert f["ceiling"] == 99.9 and f["verdict"] == "unbacked_parts", f
deps = {x["node"]: x for x in f["dependencies"]}
assert set(deps) == {"web-01", "db-01", "db-02", "core-sw-1"}, deps
assert deps["core-sw-1"]["agreement"] == "isp-uc" and deps["core-sw-1"]["budget_share_pct"] == 20.0, deps
assert deps["web-01"]["agreement"] is None and deps["web-01"]["required"] == f["unbacked_required"] == 99.6012, deps
assert deps["web-01"]["budget_share_pct"] is None, deps
[a] = f["agreements"]
assert a["id"] == "isp-uc" and a["used"] is True and a["period"] == "2026-10", a
assert [x["kind"] for x in a["flags"]] == ["restore_within"], a
PY

# 3. A feasible catalogue: 1-of-2 at 99 under a 99.99 SLA, every part covered: exit 0.
cat >"$tmp/ok.yaml" <<'YAML'
version: 1
agents: [{name: a1}]
cis:
  - {id: p, probes: [{type: tcp, agent: a1, target: "192.0.2.1:1"}]}
  - {id: q, probes: [{type: tcp, agent: a1, target: "192.0.2.2:1"}]}
services:
  - {id: pair, rule: any, children: [p, q]}
slas:
  - {id: gold, service: pair, target: 99.99}
agreements:
  - {id: uc-p, kind: uc, provider: A, covers: p, target: 99}
  - {id: uc-q, kind: uc, provider: B, covers: q, target: 99}
YAML
"$bin" check --feasibility "$tmp/ok.yaml" --date 2026-10-15 >"$tmp/out" 2>"$tmp/err" || fail "ok: exit $?"
grep -q '^gold on pair, 2026-10 (UTC): feasible$' "$tmp/out" || fail "ok: verdict: $(cat "$tmp/out")"
grep -q '^  target 99.99 %, ceiling 99.99 %$' "$tmp/out" || fail "ok: ceiling"
grep -q '^1 SLA: 1 feasible, 0 not feasible, 0 with unbacked parts; 0 agreements flagged$' "$tmp/out" || fail "ok: summary"

# 4. The same pair under 99.995: not feasible, exit 1.
sed 's/target: 99.99}/target: 99.995}/' "$tmp/ok.yaml" >"$tmp/no.yaml"
set +e
"$bin" check --feasibility "$tmp/no.yaml" --date 2026-10-15 >"$tmp/out" 2>&1
rc=$?
set -e
[ "$rc" -eq 1 ] || fail "not feasible: exit $rc"
grep -q '^gold on pair, 2026-10 (UTC): not feasible$' "$tmp/out" || fail "not feasible: verdict"

# 5. Usage errors exit 2: a bad --date, --date without --feasibility.
set +e
"$bin" check --feasibility "$tmp/ok.yaml" --date 2026-13-01 >/dev/null 2>&1; rc1=$?
"$bin" check "$tmp/ok.yaml" --date 2026-10-01 >/dev/null 2>&1; rc2=$?
set -e
[ "$rc1" -eq 2 ] || fail "bad --date: exit $rc1"
[ "$rc2" -eq 2 ] || fail "--date without --feasibility: exit $rc2"

# 6. A catalogue with errors: reported as without --feasibility (exit 1, errors on stderr).
printf 'version: 1\nslas: [{id: s, service: nowhere, target: 99}]\n' >"$tmp/bad.yaml"
set +e
"$bin" check --feasibility "$tmp/bad.yaml" >"$tmp/out" 2>"$tmp/err"
rc=$?
set -e
[ "$rc" -eq 1 ] || fail "bad catalogue: exit $rc"
grep -q "bad.yaml:2:.*error: sla s" "$tmp/err" || fail "bad catalogue: errors: $(cat "$tmp/err")"

# 7. --help describes the option and its exit status.
"$bin" check --help >"$tmp/help"
grep -q -- '--feasibility' "$tmp/help" || fail "help: option"
grep -q 'Exit status 1 when an SLA is not feasible' "$tmp/help" || fail "help: exit status"
echo "feasibility: all checks passed"
