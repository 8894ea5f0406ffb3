#!/usr/bin/env bash
# Alerts and agreements over a real collector fed by `slamon import` (tests/http/agreements_fixture.sh):
# GET /api/v1/slas/{id}/alerts is byte for byte `slamon alerts --db --format json` for the same span;
# GET /api/v1/alerts has every rule now with the one firing (and since when) and the forecast, equal to
# the per-SLA answer at the same instant; the overview's agreements are `slamon report --agreement`'s
# figures for the same cut; /metrics has each agreement's figures from that overview and passes
# promtool; 400 and 404 as documented.
source "$(dirname "$0")/lib.sh"
write_http
source "$(dirname "$0")/agreements_fixture.sh"
log=$tmp/collector.log
start_collector "$log"
get /api/v1 > "$tmp/index.json"
for e in /api/v1/alerts /api/v1/slas/{id}/alerts; do grep -qF "\"$e\"" "$tmp/index.json" || fail "/api/v1 does not list $e"; done
wait_json /api/v1/overview 'len(d["agreements"]) == 2'
cp "$tmp/poll.json" "$tmp/overview.json"

# 1. One SLA's alerts over a span: the CLI's JSON, byte for byte.
from=$(date -u -d '-3 hours' +%Y-%m-%dT%H:%M:%SZ)
to=$(date -u -d '-1 minute' +%Y-%m-%dT%H:%M:%SZ)
get "/api/v1/slas/shop-gold/alerts?from=$from&to=$to" > "$tmp/api-alerts.json"
[ "$(status)" = 200 ] || fail "sla alerts: $(status): $(cat "$tmp/api-alerts.json")"
set +e
"$bin/slamon" alerts --db "$tmp/store.db" --catalogue "$tmp/cat.yaml" --sla shop-gold --from "$from" --to "$to" --format json \
  > "$tmp/cli-alerts.json" 2> "$tmp/cli-alerts.err"
rc=$?
set -e
[ "$rc" -le 1 ] || fail "slamon alerts: exit $rc: $(cat "$tmp/cli-alerts.err")"
cmp -s "$tmp/api-alerts.json" "$tmp/cli-alerts.json" || fail "the API's alerts differ from slamon alerts: $(diff "$tmp/api-alerts.json" "$tmp/cli-alerts.json" | head -6)"
python3 - "$tmp/api-alerts.json" <<'PY' || fail "the outage an hour ago does not fire and resolve the 1h/5m rule: $(cat "$tmp/api-alerts.json")"
import json, sys
d = json.load(open(sys.argv[1]))
page = d["slas"][0]["rules"][0]
assert page["long"] == "1h" and [e["event"] for e in page["events"]][:2] == ["firing", "resolved"], page
PY

# 2. Every SLA's alerts now: the firing rule, since when, the burn rates and the forecast as the
# per-SLA endpoint gives them at the same instant (to = the answer's as_of).
get /api/v1/alerts > "$tmp/now.json"
[ "$(status)" = 200 ] || fail "alerts: $(status): $(cat "$tmp/now.json")"
as_of=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["as_of"])' "$tmp/now.json")
get "/api/v1/slas/shop-gold/alerts?from=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["lookback_from"])' "$tmp/now.json")&to=$as_of" > "$tmp/one.json"
[ "$(status)" = 200 ] || fail "sla alerts at as_of: $(status): $(cat "$tmp/one.json")"
python3 - "$tmp/now.json" "$tmp/one.json" <<'PY' || fail "GET /api/v1/alerts disagrees with the per-SLA alerts: $(cat "$tmp/now.json")"
import json, sys
now, one = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
s, o = now["slas"][0], one["slas"][0]
assert s["sla"] == "shop-gold" and s["service"] == "shop", s
assert now["firing"] >= 1 and s["firing"] == sum(r["firing"] for r in s["rules"]), now
for r, q in zip(s["rules"], o["rules"]):
    assert (r["severity"], r["long"], r["short"], r["factor"]) == (q["severity"], q["long"], q["short"], q["factor"])
    assert r["firing"] == q["firing_at_to"], (r, q)
    assert r["burn_rate_long"] == q["burn_rate_long"] and r["burn_rate_short"] == q["burn_rate_short"], (r, q)
    fired = [e["at"] for e in q["events"] if e["event"] == "firing"]
    assert r["since"] == (fired[-1] if r["firing"] and q["events"] else None), (r, q)
assert s["rules"][0]["firing"] and s["rules"][0]["since"], s["rules"][0]
assert s["forecast"] == o["forecast"], (s["forecast"], o["forecast"])
PY

# 3. The overview's agreements: `slamon report --agreement` for the same period and cut.
python3 - "$tmp/overview.json" > "$tmp/agreements.txt" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for a in d["agreements"]:
    print(a["agreement"], a["period"], d["as_of"])
PY
while read -r id period cut; do
  "$bin/slamon" report --db "$tmp/store.db" --catalogue "$tmp/cat.yaml" --agreement "$id" --period "$period" --as-of "$cut" \
    --format json > "$tmp/cli-$id.json" 2> "$tmp/cli-$id.err" || fail "slamon report --agreement $id: $(cat "$tmp/cli-$id.err")"
  python3 - "$tmp/overview.json" "$tmp/cli-$id.json" "$id" <<'PY' || fail "overview's $id differs from slamon report --agreement"
import json, sys
o = next(a for a in json.load(open(sys.argv[1]))["agreements"] if a["agreement"] == sys.argv[3])
r = json.load(open(sys.argv[2]))
r = r[0] if isinstance(r, list) else r
for k in ("kind", "provider", "availability", "error_budget_s", "error_budget_remaining_s", "longest_outage_s", "restore_within_s", "met", "complete"):
    assert o[k] == r[k], (k, o[k], r[k])
assert o["covers"] == r["service"] and float(o["target"]) == float(r["target"]), (o, r)
assert o["period"] == r["period"]["label"]
PY
done < "$tmp/agreements.txt"
python3 - "$tmp/overview.json" <<'PY' || fail "web-uc's 20-minute outage is within its 5-minute restore_within: $(cat "$tmp/overview.json")"
import json, sys
a = next(a for a in json.load(open(sys.argv[1]))["agreements"] if a["agreement"] == "web-uc")
assert a["met"] is False and "longest_outage" in a["missed_by"], a
PY

# 4. /metrics: each agreement's figures from the overview (a scrape that saw none starts one).
for _ in $(seq 100); do
  get /metrics > "$tmp/metrics.txt"
  grep -q '^slamon_agreement_objective_ratio{agreement="db-ola"' "$tmp/metrics.txt" && break
  sleep 0.1
done
grep -q '^slamon_agreement_objective_ratio{agreement="db-ola",provider="DB team",kind="ola",covers="db"} 0.999$' "$tmp/metrics.txt" ||
  fail "no objective of db-ola: $(grep agreement "$tmp/metrics.txt")"
grep -q '^slamon_agreement_met{agreement="web-uc",provider="Example Telecom",kind="uc",covers="web"} 0$' "$tmp/metrics.txt" ||
  fail "web-uc is not 0 in slamon_agreement_met: $(grep agreement "$tmp/metrics.txt")"
grep -q '^slamon_agreement_error_budget_remaining_seconds{agreement="web-uc",' "$tmp/metrics.txt" || fail "no budget of web-uc"
if command -v promtool >/dev/null; then
  promtool check metrics < "$tmp/metrics.txt" > "$tmp/promtool.out" 2>&1 || fail "promtool: $(cat "$tmp/promtool.out")"
  [ ! -s "$tmp/promtool.out" ] || fail "promtool found problems: $(cat "$tmp/promtool.out")"
else
  echo "note: promtool is not installed; tests/http/metrics_test.sh skips then, this test checks the samples only"
fi

# 5. Errors.
expect_error /api/v1/slas/nope/alerts 404
expect_error "/api/v1/slas/shop-gold/alerts?from=$to&to=$from" 400
expect_error "/api/v1/slas/shop-gold/alerts?from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z" 400
expect_error "/api/v1/alerts?as_of=soon" 400
stop_collector
echo "PASS: alerts (API = slamon alerts), alerts now, agreements in the overview and /metrics"
