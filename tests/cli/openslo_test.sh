#!/usr/bin/env bash
# `slamon export --openslo`: every document of the example catalogue's export validates against the
# project's OpenSLO v1 schema (docs/schema/openslo-v1.schema.json) with python3-jsonschema; documents
# missing a required field, or with a wrong budgeting method, are refused; --output; usage errors.
# Skips (exit 77, counted by CTest) only where python3-jsonschema or python3-yaml is not installed.
set -euo pipefail
bin="${SLAMON_BIN_DIR:?}/slamon"
src="${SLAMON_SOURCE_DIR:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

if ! python3 -c 'import jsonschema, yaml' 2> /dev/null; then
  echo "SKIP: python3-jsonschema or python3-yaml is not installed (scripts/setup.sh installs them)"
  exit 77
fi

"$bin" export --openslo --catalogue "$src/config/example.yaml" --output "$tmp/out.yaml" 2> "$tmp/err" || fail "export: $(cat "$tmp/err")"
"$bin" export --openslo --catalogue "$src/config/example.yaml" > "$tmp/stdout.yaml" 2> /dev/null || fail "export to stdout"
cmp -s "$tmp/out.yaml" "$tmp/stdout.yaml" || fail "--output and stdout differ"

python3 - "$src/docs/schema/openslo-v1.schema.json" "$tmp/out.yaml" <<'PY' || fail "schema"
import copy, json, sys
import jsonschema, yaml
schema = json.load(open(sys.argv[1]))
jsonschema.Draft7Validator.check_schema(schema)
v = jsonschema.Draft7Validator(schema)
docs = [d for d in yaml.safe_load_all(open(sys.argv[2])) if d is not None]
kinds = [d["kind"] for d in docs]
assert kinds.count("Service") >= 1 and kinds.count("SLO") >= 1, kinds
for d in docs:
    errors = sorted(v.iter_errors(d), key=str)
    assert not errors, (d["metadata"]["name"], [e.message for e in errors])
slo = next(d for d in docs if d["kind"] == "SLO")
assert slo["spec"]["budgetingMethod"] == "Timeslices", slo
assert slo["spec"]["timeWindow"][0]["isRolling"] is False and "calendar" in slo["spec"]["timeWindow"][0], slo
assert 0 < slo["spec"]["objectives"][0]["target"] < 1, slo
services = {d["metadata"]["name"] for d in docs if d["kind"] == "Service"}
assert slo["spec"]["service"] in services, (slo["spec"]["service"], services)
ann = slo["metadata"]["annotations"]
assert "slamon.io/service-hours" in ann and "slamon.io/maintenance" in ann and "slamon.io/agreements" in ann, ann
# Mutations the schema must refuse.
def refused(doc, why):
    assert list(v.iter_errors(doc)), "accepted: " + why
m = copy.deepcopy(slo); del m["spec"]["budgetingMethod"]; refused(m, "no budgetingMethod")
m = copy.deepcopy(slo); del m["metadata"]["name"]; refused(m, "no metadata.name")
m = copy.deepcopy(slo); del m["spec"]["objectives"][0]["timeSliceWindow"]; refused(m, "Timeslices without timeSliceWindow")
m = copy.deepcopy(slo); m["spec"]["objectives"][0]["target"] = 1.0; refused(m, "target 1.0")
m = copy.deepcopy(slo); m["apiVersion"] = "openslo/v1alpha"; refused(m, "apiVersion")
m = copy.deepcopy(slo); m["spec"]["timeWindow"][0]["duration"] = "1 month"; refused(m, "duration shorthand")
m = copy.deepcopy(slo); m["metadata"]["name"] = "Payroll_Gold"; refused(m, "RFC 1123 name")
svc = next(d for d in docs if d["kind"] == "Service")
m = copy.deepcopy(svc); del m["spec"]; refused(m, "Service without spec")
PY

# No secret of the example (the secret files' contents, token hashes) reaches the export (contents of
# 8 characters or more: shorter ones like "test" are ordinary words).
! grep -q 'token_sha256\|community\|password' "$tmp/out.yaml" || fail "a secret's key or value in the export"
while read -r f; do
  secret=$(head -c 200 "$f" | tr -d '\n')
  [ "${#secret}" -ge 8 ] || continue
  ! grep -qF -- "$secret" "$tmp/out.yaml" || fail "the content of $f is in the export"
done < <(find "$src/config/secrets" -type f)

# Usage: --openslo without --catalogue, or with --db: exit 2.
set +e
"$bin" export --openslo > /dev/null 2> "$tmp/err"; rc1=$?
"$bin" export --openslo --catalogue "$src/config/example.yaml" --db "$tmp/x.db" > /dev/null 2>&1; rc2=$?
set -e
[ "$rc1" -eq 2 ] && [ "$rc2" -eq 2 ] || fail "usage: exits $rc1 $rc2, want 2 2"
grep -q '^slamon export: --openslo takes --catalogue FILE' "$tmp/err" || fail "usage message: $(cat "$tmp/err")"
echo "openslo_test: ok"
