#!/usr/bin/env bash
# The store-backed endpoints of a running collector whose store was filled by `slamon import` (two days
# of results, an outage of the web CI and one of db): live status (paginated, one node, 404); a node's
# and a probe's history ([from, to), the roll-up as reports do it, 400 on a bad range); a probe's
# results newest first with their cursor (400 on a bad one); an SLA report byte for byte equal to
# `slamon report --db --format json` and `--format csv` on the same store (with and without as_of),
# the current period without `period`, computed again once the engine applied more results (the
# cache follows the engine); an agreement's report as `slamon report --agreement`; the KPI as
# `slamon report --kpi`; an SLA's feasibility as `slamon check --feasibility` gives it; the overview;
# 404s and 400s; /readyz turning 503 when the worker's connection no longer reads the store.
source "$(dirname "$0")/lib.sh"
slamon=$bin/slamon
cat >> "$tmp/cat.yaml" <<'YAML'
agreements:
  - {id: web-ola, kind: ola, provider: Web team, covers: web, target: 99.0, period: month, timezone: UTC}
YAML
write_config "retention: 400d"  # the results are from October
write_http
# Two days of results, one a minute: web (web.tcp, web.tcp2) down 10:00-10:30 on the first day, db
# down 05:00-05:10 on the second.
python3 - "$tmp/results.jsonl" <<'PY'
import json, sys, datetime
start = datetime.datetime(2026, 10, 1, tzinfo=datetime.timezone.utc)
agents = {"web.tcp": "a1", "web.tcp2": "a1", "db.tcp": "a2", "mail.tcp": "a3"}
with open(sys.argv[1], "w") as f:
    for m in range(2 * 1440):
        t = start + datetime.timedelta(minutes=m)
        for probe, agent in agents.items():
            down = (probe.startswith("web") and 600 <= m < 630) or (probe == "db.tcp" and 1440 + 300 <= m < 1440 + 310)
            r = {"probe": probe, "ts": t.strftime("%Y-%m-%dT%H:%M:%SZ"), "status": "down" if down else "up",
                 "latency_ms": 1.5, "agent": agent}
            if down:
                r["message"] = "connection refused"
            f.write(json.dumps(r) + "\n")
PY
"$slamon" import --db "$tmp/store.db" "$tmp/results.jsonl" > "$tmp/import.out" 2>&1 || fail "import: $(cat "$tmp/import.out")"
log=$tmp/collector.log
start_collector "$log"
wait_log "$log" "http listening on 127.0.0.1:$http_port"
wait_json /api/v1/status 'd["engine_position"]["result_row"] >= 11520' 30

# Live status: every service, CI and probe, paginated; one node; 404.
ids=() cursor=
for _ in $(seq 20); do
  get "/api/v1/status?limit=3${cursor:+&cursor=$cursor}" > "$tmp/page.json"
  [ "$(status)" = 200 ] || fail "status page: $(status) $(cat "$tmp/page.json")"
  ids+=($(jq -r '.items[] | "\(.kind):\(.id)"' "$tmp/page.json"))
  cursor=$(jq -r '.next_cursor // empty' "$tmp/page.json")
  [ -n "$cursor" ] || break
done
[ "${ids[*]}" = "ci:db probe:db.tcp ci:mail service:mail-svc probe:mail.tcp service:shop service:shop-app ci:web probe:web.tcp probe:web.tcp2" ] ||
  fail "status pages: ${ids[*]}"
get /api/v1/status/shop > "$tmp/shop.json"
python3 - "$tmp/shop.json" <<'PY' || fail "status/shop: $(cat "$tmp/shop.json")"
import json, sys
d = json.load(open(sys.argv[1]))
# The last results are two months old: every probe is unknown (stale), since its last result + 3 min.
assert d["kind"] == "service" and d["status"] == "unknown" and d["since"] == "2026-10-03T00:02:00Z", d
assert d["as_of"].endswith("Z") and d["engine_position"]["result_row"] >= 11520, d
PY
expect_error /api/v1/status/nope 404
expect_error "/api/v1/status?cursor=%%%" 400

# History: the roll-up of shop (all of shop-app and db) over the first day, and a probe's.
get "/api/v1/services/shop/history?from=2026-10-01T00:00:00Z&to=2026-10-02T06:00:00Z" > "$tmp/hist.json"
[ "$(status)" = 200 ] || fail "history: $(status) $(cat "$tmp/hist.json")"
python3 - "$tmp/hist.json" <<'PY' || fail "history: $(cat "$tmp/hist.json")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["status_at_from"] == "up", d
assert d["changes"] == [{"at": "2026-10-01T10:00:00Z", "status": "down"}, {"at": "2026-10-01T10:30:00Z", "status": "up"},
                        {"at": "2026-10-02T05:00:00Z", "status": "down"}, {"at": "2026-10-02T05:10:00Z", "status": "up"}], d
PY
get "/api/v1/probes/db.tcp/history?from=2026-10-02T05:05:00Z&to=2026-10-02T05:10:00Z" > "$tmp/hist2.json"
[ "$(jq -c '[.status_at_from, .changes]' "$tmp/hist2.json")" = '["down",[]]' ] || fail "probe history (half-open): $(cat "$tmp/hist2.json")"
expect_error "/api/v1/cis/web/history?from=2026-10-01T00:00:00Z" 400
expect_error "/api/v1/cis/web/history?from=2026-10-02T00:00:00Z&to=2026-10-01T00:00:00Z" 400
expect_error "/api/v1/cis/web/history?from=yesterday&to=2026-10-01T00:00:00Z" 400
expect_error "/api/v1/cis/web/history?from=2024-10-01T00:00:00Z&to=2026-10-01T00:00:00Z" 400
expect_error "/api/v1/cis/nope/history?from=2026-10-01T00:00:00Z&to=2026-10-02T00:00:00Z" 404

# A probe's results, newest first, two pages.
get "/api/v1/probes/web.tcp/results?limit=2" > "$tmp/r1.json"
[ "$(jq -c '[.items[].ts]' "$tmp/r1.json")" = '["2026-10-02T23:59:00Z","2026-10-02T23:58:00Z"]' ] || fail "results: $(cat "$tmp/r1.json")"
[ "$(jq -c '.items[0] | [.agent, .status, .latency_ms, .detail]' "$tmp/r1.json")" = '["a1","up",1.5,""]' ] || fail "result item: $(cat "$tmp/r1.json")"
get "/api/v1/probes/web.tcp/results?limit=2&cursor=$(jq -r .next_cursor "$tmp/r1.json")" > "$tmp/r2.json"
[ "$(jq -c '[.items[].ts]' "$tmp/r2.json")" = '["2026-10-02T23:57:00Z","2026-10-02T23:56:00Z"]' ] || fail "results page 2: $(cat "$tmp/r2.json")"
expect_error "/api/v1/probes/web.tcp/results?cursor=YWJj" 400
expect_error "/api/v1/probes/web.tcp/results?limit=0" 400
expect_error "/api/v1/probes/nope/results" 404

# SLA reports: byte for byte what `slamon report --db` prints for the same store and catalogue.
same_as_cli() {  # API_PATH CLI_ARGS...
  local path=$1; shift
  get "$path" > "$tmp/api.out"
  [ "$(status)" = 200 ] || fail "$path: $(status) $(cat "$tmp/api.out")"
  "$slamon" report --db "$tmp/store.db" --catalogue "$tmp/cat.yaml" "$@" > "$tmp/cli.out" 2> "$tmp/cli.err" || fail "slamon report $*: $(cat "$tmp/cli.err")"
  cmp -s "$tmp/api.out" "$tmp/cli.out" || fail "$path differs from slamon report $*: $(diff "$tmp/api.out" "$tmp/cli.out" | head -5)"
}
same_as_cli "/api/v1/slas/shop-gold/report?period=2026-10" --sla shop-gold --period 2026-10 --format json
same_as_cli "/api/v1/slas/shop-gold/report?period=2026-10&as_of=2026-10-02T12:00:00Z" --sla shop-gold --period 2026-10 --as-of 2026-10-02T12:00:00Z
same_as_cli "/api/v1/slas/shop-gold/report?period=2026-10&format=csv" --sla shop-gold --period 2026-10 --format csv
curl -sS -m 10 -o /dev/null -w '%{content_type}' "$base/api/v1/slas/shop-gold/report?period=2026-10&format=csv" | grep -q '^text/csv' ||
  fail "CSV content type"
# A day label for a monthly SLA: the CLI refuses it (exit 2), the API says why (400).
! "$slamon" report --db "$tmp/store.db" --catalogue "$tmp/cat.yaml" --sla shop-gold --period 2026-10-01 > /dev/null 2>&1 ||
  fail "the CLI took a day label for a monthly SLA"
expect_error "/api/v1/slas/shop-gold/report?period=2026-10-01" 400
jq -e '.availability < 100 and .outage_count == 2' < <(get "/api/v1/slas/shop-gold/report?period=2026-10&as_of=2026-10-03T00:00:00Z") > /dev/null ||
  fail "report figures: $(cat "$tmp/body")"
# Without period: the current period, cut at the engine snapshot's instant.
get /api/v1/slas/shop-gold/report > "$tmp/cur.json"
[ "$(status)" = 200 ] || fail "current report: $(status) $(cat "$tmp/cur.json")"
[ "$(jq -r .period.label "$tmp/cur.json")" = "$(date -u +%Y-%m)" ] || fail "current period: $(jq -c .period "$tmp/cur.json")"
expect_error "/api/v1/slas/shop-gold/report?period=2026-13" 400
expect_error "/api/v1/slas/shop-gold/report?period=2026-10&as_of=soon" 400
expect_error "/api/v1/slas/shop-gold/report?period=2026-10&format=xml" 400
expect_error "/api/v1/slas/nope/report?period=2026-10" 404

# An agreement's report, the KPI, feasibility.
same_as_cli "/api/v1/agreements/web-ola/report?period=2026-10" --agreement web-ola --period 2026-10
expect_error "/api/v1/agreements/nope/report?period=2026-10" 404
same_as_cli "/api/v1/kpi?from=2026-10-01&to=2026-11-01&as_of=2026-11-05T00:00:00Z" --kpi --from 2026-10-01 --to 2026-11-01 --as-of 2026-11-05T00:00:00Z
# Without as_of the API cuts at the engine snapshot (now): October has ended, so the figures are the same.
jq -e '.as_of != null and .committed >= 1 and .left_out == []' < <(get "/api/v1/kpi?from=2026-10-01&to=2026-11-01") > /dev/null || fail "kpi without as_of: $(get "/api/v1/kpi?from=2026-10-01&to=2026-11-01")"
expect_error "/api/v1/kpi?from=2026-10-01" 400
expect_error "/api/v1/kpi?from=2026-11-01&to=2026-10-01" 400
get "/api/v1/kpi?from=2026-10-01&to=2026-11-01&format=csv" > "$tmp/kpi.csv"
head -1 "$tmp/kpi.csv" | grep -q '^group,key,periods,committed,met,percent$' || fail "kpi csv: $(cat "$tmp/kpi.csv")"
grep -q '^sla,shop-gold,1,1,' "$tmp/kpi.csv" || fail "kpi csv rows: $(cat "$tmp/kpi.csv")"
get "/api/v1/slas/shop-gold/feasibility?date=2026-10-01" > "$tmp/feas.json"
[ "$(jq -r '[.sla, .date, .feasibility[0].sla] | join(" ")' "$tmp/feas.json")" = "shop-gold 2026-10-01 shop-gold" ] ||
  fail "feasibility: $(cat "$tmp/feas.json")"
# ... the SLA's entry of `slamon check --feasibility --format json` for the same date.
"$slamon" check "$tmp/cat.yaml" --feasibility --date 2026-10-01 --format json > "$tmp/check.json" 2> "$tmp/check.err" ||
  [ $? = 1 ] || fail "slamon check --feasibility: $(cat "$tmp/check.err")"
[ "$(jq -cS '.feasibility[] | select(.sla == "shop-gold")' "$tmp/check.json")" = "$(jq -cS '.feasibility[0]' "$tmp/feas.json")" ] ||
  fail "feasibility differs from slamon check: $(cat "$tmp/feas.json")"
expect_error "/api/v1/slas/shop-gold/feasibility?date=soon" 400

# The overview: every SLA's current period.
get /api/v1/overview > "$tmp/ov.json"
python3 - "$tmp/ov.json" <<'PY' || fail "overview: $(cat "$tmp/ov.json")"
import json, sys
d = json.load(open(sys.argv[1]))
s = {x["sla"]: x for x in d["slas"]}
assert list(s) == ["shop-gold"] and s["shop-gold"]["service"] == "shop" and s["shop-gold"]["owner"] == "sales", d
assert s["shop-gold"]["target"] == "99.5" and s["shop-gold"]["complete"] is False, d
assert set(d["kpi"]) == {"committed", "met", "percent"}, d
PY

# The report cache follows the engine: results imported while the collector runs (db down on the
# third day) move the engine's position, and the same request is computed again.
get "/api/v1/slas/shop-gold/report?period=2026-10" > "$tmp/before.json"
pos=$(get /api/v1/status?limit=1 | jq .engine_position.result_row)
python3 - "$tmp/more.jsonl" <<'PY'
import json, sys, datetime
start = datetime.datetime(2026, 10, 3, tzinfo=datetime.timezone.utc)
with open(sys.argv[1], "w") as f:
    for m in range(60):
        t = (start + datetime.timedelta(minutes=m)).strftime("%Y-%m-%dT%H:%M:%SZ")
        f.write(json.dumps({"probe": "db.tcp", "ts": t, "status": "down", "agent": "a2"}) + "\n")
PY
"$slamon" import --db "$tmp/store.db" "$tmp/more.jsonl" > "$tmp/import2.out" 2>&1 || fail "second import: $(cat "$tmp/import2.out")"
wait_json /api/v1/status?limit=1 "d['engine_position']['result_row'] > $pos" 30
get "/api/v1/slas/shop-gold/report?period=2026-10" > "$tmp/after.json"
[ "$(jq .outage_count "$tmp/after.json")" = $(( $(jq .outage_count "$tmp/before.json") + 1 )) ] ||
  fail "the report did not follow the engine: $(jq -c '[.outage_count, .availability]' "$tmp/before.json" "$tmp/after.json")"
same_as_cli "/api/v1/slas/shop-gold/report?period=2026-10" --sla shop-gold --period 2026-10 --format json

# /readyz asks the worker's connection: a store that no longer reads is not ready.
get /readyz > /dev/null
[ "$(status)" = 200 ] || fail "readyz: $(status) $(cat "$tmp/body")"
# The store's files zeroed under the open connections (same inodes): the shared WAL index is gone, so
# every connection's next read goes to the files.
for f in "$tmp/store.db" "$tmp/store.db-wal" "$tmp/store.db-shm"; do
  [ -s "$f" ] && dd if=/dev/zero of="$f" bs="$(stat -c %s "$f")" count=1 conv=notrunc status=none
done
wait_readyz_503() {
  for _ in $(seq 50); do
    get /readyz > /dev/null
    [ "$(status)" = 503 ] && return 0
    sleep 0.1
  done
  fail "readyz still $(status) with a broken store: $(cat "$tmp/body")"
}
wait_readyz_503
jq -e '.store_open == false and .catalogue_loaded == true' "$tmp/body" > /dev/null || fail "readyz body: $(cat "$tmp/body")"
kill -9 "$col_pid" 2>/dev/null || true
echo "PASS: store api"
