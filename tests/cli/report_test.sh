#!/usr/bin/env bash
# slamon report on the worked example of semantics.md section 8 (tests/data/engine): the JSON
# figures, the other formats, SLAs left out, --as-of, --maintenance, --trend, bad lines and
# unknown probes reported on stderr.
set -euo pipefail
bin=$SLAMON_BIN_DIR/slamon
data=$SLAMON_SOURCE_DIR/tests/data/engine
fail() { echo "FAIL: $*" >&2; exit 1; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
report() { "$bin" report --catalogue "$data/worked-example.yaml" "$@"; }

# 1. The worked example, figure by figure.
report --results "$data/worked-example.jsonl" --sla shop-24x7 --period 2026-03-01 > "$tmp/r.json" 2> "$tmp/err" \
  || fail "report failed: $(cat "$tmp/err")"
python3 - "$tmp/r.json" <<'PY' || fail "worked example figures differ: $(cat "$tmp/r.json")"
import json, sys
r = json.load(open(sys.argv[1]))
exp = {"sla": "shop-24x7", "service": "shop", "complete": True, "service_time_s": 86400.0, "planned_s": 1200.0,
       "unknown_s": 1080.0, "unmonitored_s": 1080.0, "down_s": 600.0, "up_s": 83520.0, "degraded_s": 0.0,
       "outage_count": 1, "mtrs_s": 600.0, "longest_outage_s": 600.0, "met": True, "by_cause": {"web": 600.0},
       "unattributed_s": 0.0}
for k, v in exp.items():
    assert r[k] == v, (k, r[k], v)
assert abs(r["availability"] - 100 * 83520 / 84120) < 1e-9, r["availability"]
assert abs(r["coverage"] - 100 * 84120 / 85200) < 1e-9, r["coverage"]
assert r["period"] == {"label": "2026-03-01", "start": "2026-03-01T00:00:00Z", "end": "2026-03-02T00:00:00Z"}
assert r["as_of"] == "2026-03-02T00:00:00Z"
o = r["outages"]
assert o == [{"start": "2026-03-01T10:00:00Z", "end": "2026-03-01T10:10:00Z", "down_s": 600.0,
              "continues_before": False, "continues_after": False, "causes": ["web"]}], o
keys = list(r.keys())
order = ["sla", "service", "period", "as_of", "complete", "target", "service_time_s", "planned_s", "unknown_s",
         "unmonitored_s", "up_s", "down_s", "degraded_s", "availability", "coverage", "error_budget_s",
         "error_budget_remaining_s", "outage_count", "longest_outage_s", "mtrs_s", "mtbf_s", "mtbsi_s", "outages",
         "by_cause", "unattributed_s", "response_time", "met", "days"]
assert keys == order, keys
assert r["response_time"]["probe"] == "web.http" and r["response_time"]["met"] is True
PY
[ ! -s "$tmp/err" ] || fail "unexpected stderr: $(cat "$tmp/err")"

# 2. Without --sla: a JSON array of the day SLAs; the monthly one is named on stderr.
report --results "$data/worked-example.jsonl" --period 2026-03-01 > "$tmp/all.json" 2> "$tmp/err"
python3 -c "import json,sys; a=json.load(open(sys.argv[1])); assert [r['sla'] for r in a]==['shop-24x7','shop-office'], a" \
  "$tmp/all.json" || fail "array of SLAs wrong"
grep -q "shop-monthly" "$tmp/err" || fail "left-out SLA not named: $(cat "$tmp/err")"
report --results "$data/worked-example.jsonl" --period 2026-03-01 --format text > "$tmp/all.txt" 2>/dev/null
grep -q "SLA attainment: 50.00 %" "$tmp/all.txt" || fail "KPI missing: $(tail -3 "$tmp/all.txt")"
grep -q "2026-03-01 11:00:00 CET" "$tmp/all.txt" || fail "text times not in the SLA's timezone"

# 3. Other formats.
report --results "$data/worked-example.jsonl" --sla shop-24x7 --period 2026-03-01 --format csv > "$tmp/r.csv"
grep -q "^shop-24x7,shop,2026-03-01," "$tmp/r.csv" || fail "csv line missing"
report --results "$data/worked-example.jsonl" --sla shop-24x7 --period 2026-03-01 --format html > "$tmp/r.html"
grep -q "<!DOCTYPE html>" "$tmp/r.html" || fail "html page missing"
if grep -q "<script\|<link\|src=" "$tmp/r.html"; then fail "html page is not self-contained"; fi

# 4. --as-of cuts; later results are ignored.
report --results "$data/worked-example.jsonl" --sla shop-24x7 --period 2026-03-01 --as-of 2026-03-01T10:05:00Z > "$tmp/cut.json"
python3 -c "
import json,sys; r=json.load(open(sys.argv[1]))
assert r['complete'] is False and r['as_of']=='2026-03-01T10:05:00Z', r
assert r['down_s']==300.0 and r['outages'][0]['continues_after'] is True, r
assert r['service_time_s']==36300.0, r['service_time_s']" "$tmp/cut.json" || fail "as-of report wrong: $(cat "$tmp/cut.json")"
if report --results "$data/worked-example.jsonl" --sla shop-24x7 --period 2026-03-01 --as-of 2026-02-28T00:00:00Z \
    > /dev/null 2> "$tmp/err"; then fail "as-of before the period accepted"; fi

# 5. --maintenance: a window on web over its outage makes it planned.
cat > "$tmp/maint.yaml" <<'YAML'
maintenance:
  - id: web-fix
    targets: [web]
    from: 2026-03-01T09:55:00Z
    to: 2026-03-01T10:15:00Z
YAML
report --results "$data/worked-example.jsonl" --sla shop-24x7 --period 2026-03-01 --maintenance "$tmp/maint.yaml" > "$tmp/m.json"
python3 -c "
import json,sys; r=json.load(open(sys.argv[1]))
assert r['down_s']==0.0 and r['planned_s']==1800.0 and r['outage_count']==0, r" "$tmp/m.json" \
  || fail "maintenance file not honoured: $(cat "$tmp/m.json")"
printf 'maintenance:\n  - id: bad\n    targets: [ghost]\n    from: 2026-03-01T09:55:00Z\n    to: 2026-03-01T10:15:00Z\n' > "$tmp/bad.yaml"
if report --results "$data/worked-example.jsonl" --sla shop-24x7 --period 2026-03-01 --maintenance "$tmp/bad.yaml" \
    > /dev/null 2> "$tmp/err"; then fail "maintenance on an unknown target accepted"; fi
grep -q "ghost" "$tmp/err" || fail "unknown target not named: $(cat "$tmp/err")"

# 6. Bad lines with their numbers, unknown probes once, and the same figures (results shuffled).
{ head -n 5 "$data/worked-example.jsonl"; echo 'this is not json'
  echo '{"probe":"nope.http","ts":"2026-03-01T00:00:00Z","status":"up"}'
  echo '{"probe":"nope.http","ts":"2026-03-01T00:01:00Z","status":"up"}'
  tail -n +6 "$data/worked-example.jsonl" | sort -R --random-source=<(yes); } > "$tmp/mixed.jsonl"
report --results "$tmp/mixed.jsonl" --sla shop-24x7 --period 2026-03-01 > "$tmp/mixed.json" 2> "$tmp/err"
grep -q "mixed.jsonl:6: error" "$tmp/err" || fail "bad line not reported with its number: $(cat "$tmp/err")"
[ "$(grep -c "nope.http" "$tmp/err")" = 1 ] || fail "unknown probe not reported exactly once: $(cat "$tmp/err")"
python3 -c "
import json,sys; a=json.load(open(sys.argv[1])); b=json.load(open(sys.argv[2]))
assert a==b, (a,b)" "$tmp/mixed.json" "$tmp/r.json" || fail "shuffled results give another report"

# 7. --trend: the last 3 days side by side.
report --results "$data/worked-example.jsonl" --sla shop-24x7 --period 2026-03-02 --trend 3 > "$tmp/t.json"
python3 -c "
import json,sys; a=json.load(open(sys.argv[1]))
assert [r['period']['label'] for r in a]==['2026-02-28','2026-03-01','2026-03-02'], a" "$tmp/t.json" || fail "trend wrong"

# 8. Usage errors.
if report --results "$data/worked-example.jsonl" --sla nope --period 2026-03-01 > /dev/null 2>&1; then fail "unknown SLA accepted"; fi
if report --results "$data/worked-example.jsonl" --sla shop-24x7 --period 2026-03 > /dev/null 2>&1; then fail "wrong period kind accepted"; fi
if report --results "$tmp/none.jsonl" --sla shop-24x7 --period 2026-03-01 > /dev/null 2>&1; then fail "missing results accepted"; fi
# 9. OLA/UC reports (--agreement, --agreements) and the agreements an SLA report lists. By hand: web-ola
# on web: down [10:00, 10:10) = 600 s of 86,400, availability 100 x 85,800 / 86,400 = 99.30555...%,
# under its 99.5 target and its one outage (600 s) over restore_within 5m: not met. db-uc on db: its
# own window [02:00, 03:00) planned (3,600 s), unknown [20:02, 20:20) excluded (1,080 s), never down:
# 100 %, met. An agreement on a child of weight 0 (mail) is not under shop.
{ cat "$data/worked-example.yaml"; cat <<'YAML'
  - {id: mail, type: host}
agreements:
  - {id: web-ola, kind: ola, provider: Web team, covers: web, target: 99.5, period: day, timezone: UTC, restore_within: 5m}
  - {id: db-uc, kind: uc, provider: Example DB Inc, covers: db, target: 99.9, period: day, timezone: UTC}
  - {id: mail-uc, kind: uc, provider: Mail Co, covers: mail, target: 99.0, period: day, timezone: UTC}
  - {id: web-month, kind: ola, provider: Web team, covers: web, target: 99.0, period: month, timezone: UTC}
YAML
} | sed 's/^    children: \[web, db\]$/    children: [web, db, {id: mail, weight: 0}]/' > "$tmp/agreements.yaml"
python3 - "$tmp/agreements.yaml" <<'PY'
import sys
p = sys.argv[1]
t = open(p).read()
# the extra CI goes into the cis list (before services:)
t = t.replace("  - {id: mail, type: host}\nagreements:", "agreements:")
t = t.replace("services:\n", "  - {id: mail, type: host}\n\nservices:\n", 1)
open(p, "w").write(t)
PY
"$bin" check "$tmp/agreements.yaml" > /dev/null 2> "$tmp/err" || fail "the agreements catalogue is invalid: $(cat "$tmp/err")"
ar() { "$bin" report --catalogue "$tmp/agreements.yaml" --results "$data/worked-example.jsonl" --period 2026-03-01 "$@"; }
ar --agreement web-ola > "$tmp/a.json" 2> "$tmp/err" || fail "agreement report failed: $(cat "$tmp/err")"
python3 - "$tmp/a.json" <<'PY' || fail "web-ola figures: $(cat "$tmp/a.json")"
import json, sys
r = json.load(open(sys.argv[1]))
assert list(r)[:4] == ["agreement", "kind", "provider", "service"], list(r)
assert r["agreement"] == "web-ola" and r["kind"] == "ola" and r["provider"] == "Web team" and r["service"] == "web", r
assert r["down_s"] == 600.0 and r["up_s"] == 85800.0 and r["service_time_s"] == 86400.0, r
assert abs(r["availability"] - 100 * 85800 / 86400) < 1e-9, r["availability"]
assert r["restore_within_s"] == 300.0 and r["longest_outage_s"] == 600.0 and r["met"] is False, r
PY
ar --agreements > "$tmp/all-a.json" 2> "$tmp/err" || fail "--agreements failed: $(cat "$tmp/err")"
python3 - "$tmp/all-a.json" <<'PY' || fail "--agreements: $(cat "$tmp/all-a.json")"
import json, sys
a = {r["agreement"]: r for r in json.load(open(sys.argv[1]))}
assert sorted(a) == ["db-uc", "mail-uc", "web-ola"], sorted(a)
d = a["db-uc"]
assert d["kind"] == "uc" and d["planned_s"] == 3600.0 and d["unknown_s"] == 1080.0 and d["down_s"] == 0.0, d
assert d["availability"] == 100.0 and d["met"] is True and d["restore_within_s"] is None, d
PY
grep -q "left out: agreement web-month" "$tmp/err" || fail "the monthly agreement is not named as left out: $(cat "$tmp/err")"
ar --sla shop-24x7 > "$tmp/s.json" 2> /dev/null
python3 - "$tmp/s.json" <<'PY' || fail "the SLA report's agreements: $(cat "$tmp/s.json")"
import json, sys
r = json.load(open(sys.argv[1]))
ag = {a["id"]: a for a in r["agreements"]}
assert sorted(ag) == ["db-uc", "web-month", "web-ola"], sorted(ag)   # mail-uc: weight 0, not under shop
assert ag["web-ola"]["met"] is False and ag["web-ola"]["period"] == "2026-03-01" and ag["web-ola"]["covers"] == "web"
assert ag["db-uc"]["met"] is True and ag["db-uc"]["provider"] == "Example DB Inc"
assert ag["web-month"]["period"] == "2026-03", ag["web-month"]
assert list(r)[-6:] == ["agreements", "by_agreement", "by_provider", "unbacked_s", "met", "days"], list(r)[-6:]
# Who cost the budget: web's 600 s go to the two agreements on web (the nearest), one provider.
assert r["by_agreement"] == {"web-month": 300.0, "web-ola": 300.0}, r["by_agreement"]
assert r["by_provider"] == {"Web team": 600.0} and r["unbacked_s"] == 0.0, (r["by_provider"], r["unbacked_s"])
PY
ar --agreement web-ola --format text > "$tmp/a.txt" 2> /dev/null
grep -q "^Agreement report: OLA web-ola (Web team) on web" "$tmp/a.txt" || fail "text header: $(head -2 "$tmp/a.txt")"
ar --sla shop-24x7 --format text > "$tmp/s.txt"
grep -q "^Agreements underneath" "$tmp/s.txt" || fail "the SLA's text report lists no agreements"
grep -q "^  Web team  *600 s of the 600 s spent" "$tmp/s.txt" || fail "who cost the budget: $(tail -8 "$tmp/s.txt")"
if ar --agreement nope > /dev/null 2> "$tmp/err"; then fail "an unknown agreement was accepted"; fi
grep -q "unknown agreement 'nope'" "$tmp/err" || fail "unknown agreement: $(cat "$tmp/err")"
if ar --agreement web-ola --sla shop-24x7 > /dev/null 2>&1; then fail "--agreement with --sla accepted"; fi
# 10. The attainment KPI over a span (--kpi --from --to): each day SLA's 2026-03-01 counts, the
# monthly one does not (March is not inside); shop-office missed on availability.
report --results "$data/worked-example.jsonl" --kpi --from 2026-03-01 --to 2026-03-02 > "$tmp/kpi.json" 2> "$tmp/err" \
  || fail "--kpi failed: $(cat "$tmp/err")"
python3 - "$tmp/kpi.json" <<'PY' || fail "kpi: $(cat "$tmp/kpi.json")"
import json, sys
k = json.load(open(sys.argv[1]))
assert (k["periods"], k["committed"], k["met"], k["attainment"]) == (2, 2, 1, 50.0), k
assert [g["key"] for g in k["by_sla"]] == ["shop-24x7", "shop-office"], k["by_sla"]
assert k["missed"] == [{"sla": "shop-office", "service": "shop", "period": "2026-03-01", "availability": k["missed"][0]["availability"],
                        "target": 99.9, "reasons": ["availability"], "agreements_missed": []}], k["missed"]
PY
report --results "$data/worked-example.jsonl" --kpi --from 2026-03-01 --to 2026-03-02 --format text | grep -q "^SLA attainment from 2026-03-01 to 2026-03-02 (exclusive): 50.00 %" \
  || fail "kpi text"
if report --results "$data/worked-example.jsonl" --kpi --from 2026-03-02 --to 2026-03-01 > /dev/null 2>&1; then fail "an empty span accepted"; fi
if report --results "$data/worked-example.jsonl" --kpi --from 2026-03-01 --to 2026-03-02 --period 2026-03-01 > /dev/null 2>&1; then
  fail "--kpi with --period accepted"
fi
if report --results "$data/worked-example.jsonl" > /dev/null 2>&1; then fail "no --period accepted"; fi
echo "report_test: ok"
