#!/usr/bin/env bash
# Maintenance windows through the API, against the real collector over a store fed by `slamon import`:
# created with the admin token (401 without, 403 with the read token), refused when they would start
# before their creation (422) or name an unknown target, ended early once (409 the second time),
# cancelled before they begin, listed beside the catalogue's with their history, kept across a
# restart, counted by the API's reports as by `slamon report --db`; then `slamon export --maintenance` writes them and `slamon report --results ...
# --maintenance FILE` gives byte for byte what `slamon report --db` gives, where the window made an
# outage planned time.
source "$(dirname "$0")/lib.sh"
cat >> "$tmp/cat.yaml" <<'YAML'
maintenance:
  - {id: cat-patch, targets: [db], every: "sun 02:00-04:00"}
YAML
read_digest=$(printf %s read-secret | sha256sum | cut -d' ' -f1)
admin_digest=$(printf %s admin-secret | sha256sum | cut -d' ' -f1)
write_http "  read_token_sha256: $read_digest
  admin_token_sha256: $admin_digest"
admin=(-H 'Authorization: Bearer admin-secret')
reader=(-H 'Authorization: Bearer read-secret')

# Results from an hour ahead (a window may only start in the future): web down for 30 minutes.
t0=$(( ($(date +%s) / 60 + 60) * 60 ))
python3 - "$t0" > "$tmp/results.jsonl" <<'PY'
import sys, datetime
t0 = int(sys.argv[1])
def ts(t): return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')
for i in range(121):
    t = t0 + 60 * i
    for probe, agent in (("web.tcp", "a1"), ("web.tcp2", "a1"), ("db.tcp", "a2"), ("mail.tcp", "a3")):
        down = probe.startswith("web") and 30 <= i < 60
        print('{"probe":"%s","ts":"%s","status":"%s","agent":"%s"}' % (probe, ts(t), "down" if down else "up", agent))
PY
"$bin/slamon" import --db "$tmp/store.db" "$tmp/results.jsonl" 2> "$tmp/import.err" || fail "import: $(cat "$tmp/import.err")"
iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }

log=$tmp/collector.log
start_collector "$log"
wait_log "$log" "http listening on"

# post PATH BODY [CURL ARGS...]: the body on stdout, the status in $tmp/status.
post() {
  local path=$1 body=$2; shift 2
  curl -sS -m 10 -o "$tmp/body" -w '%{http_code}' -X POST -H 'Content-Type: application/json' --data-binary "$body" \
    "$@" "$base$path" > "$tmp/status" || true
  cat "$tmp/body"
}
expect_post() {  # PATH BODY STATUS SAYS [CURL ARGS...]
  local path=$1 body=$2 want=$3 says=$4; shift 4
  post "$path" "$body" "$@" > /dev/null
  [ "$(status)" = "$want" ] || fail "POST $path $body: status $(status), not $want: $(cat "$tmp/body")"
  grep -qF -- "$says" "$tmp/body" || fail "POST $path: '$says' not in $(cat "$tmp/body")"
}

a_body="{\"targets\":[\"web\"],\"from\":\"$(iso $((t0 + 20 * 60)))\",\"to\":\"$(iso $((t0 + 50 * 60)))\",\"who\":\"alice\",\"why\":\"switch firmware\"}"
expect_post /api/v1/maintenance "$a_body" 401 "admin token is required"
expect_post /api/v1/maintenance "$a_body" 403 "needs the admin token" "${reader[@]}"
expect_post /api/v1/maintenance "$a_body" 201 '"id":"mw-1"' "${admin[@]}"
grep -q '"state":"scheduled"' "$tmp/body" || fail "new window: $(cat "$tmp/body")"
# A window that would start in the past: refused, whatever the token.
past="{\"targets\":[\"web\"],\"from\":\"$(iso $(( $(date +%s) - 3600 )))\",\"to\":\"$(iso $((t0 + 50 * 60)))\",\"who\":\"mallory\",\"why\":\"hide it\"}"
expect_post /api/v1/maintenance "$past" 422 "may not start before it is created" "${admin[@]}"
expect_post /api/v1/maintenance '{"targets":["ghost"],"to":"2099-01-01T00:00:00Z","who":"a","why":"b"}' 422 \
  "'ghost' is not a CI or service" "${admin[@]}"
expect_post /api/v1/maintenance '{"targets":["web"]' 400 "not valid JSON" "${admin[@]}"
# Started now, ended early (twice: 409); one cancelled before it begins.
expect_post /api/v1/maintenance "{\"targets\":[\"db\",\"shop\"],\"to\":\"$(iso $((t0 - 600)))\",\"who\":\"bob\",\"why\":\"db restart\"}" \
  201 '"id":"mw-2"' "${admin[@]}"
grep -q '"state":"active"' "$tmp/body" || fail "window from now: $(cat "$tmp/body")"
expect_post /api/v1/maintenance/mw-2/end '{"who":"bob","why":"done early"}' 200 '"state":"ended"' "${admin[@]}"
expect_post /api/v1/maintenance/mw-2/end '{"who":"bob","why":"again"}' 409 "ended already" "${admin[@]}"
expect_post /api/v1/maintenance "{\"targets\":[\"web\"],\"from\":\"$(iso $((t0 + 100 * 60)))\",\"to\":\"$(iso $((t0 + 110 * 60)))\",\"who\":\"carol\",\"why\":\"later\"}" \
  201 '"id":"mw-3"' "${admin[@]}"
expect_post /api/v1/maintenance/mw-3/end '{"who":"carol","why":"not needed"}' 200 '"state":"cancelled"' "${admin[@]}"
expect_post /api/v1/maintenance/cat-patch/end '{"who":"x","why":"y"}' 404 "not created through the API" "${admin[@]}"
expect_post /api/v1/maintenance/mw-9/end '{"who":"x","why":"y"}' 404 "mw-9" "${admin[@]}"
expect_post /api/v1/catalogue '{}' 405 "method not allowed" "${admin[@]}"

check_list() {
  get /api/v1/maintenance "${reader[@]}" > "$tmp/list.json"
  [ "$(status)" = 200 ] || fail "list: $(status)"
  python3 - "$tmp/list.json" <<'PY' || fail "list: $(cat "$tmp/list.json")"
import json, sys
items = {w["id"]: w for w in json.load(open(sys.argv[1]))["items"]}
assert set(items) == {"cat-patch", "mw-1", "mw-2", "mw-3"}, items.keys()
assert items["cat-patch"]["source"] == "catalogue" and items["mw-1"]["source"] == "api"
assert items["mw-1"]["who"] == "alice" and items["mw-1"]["state"] == "scheduled"
assert items["mw-2"]["ended"]["by"] == "bob" and items["mw-2"]["to"] != items["mw-2"]["planned_to"]
assert items["mw-3"]["state"] == "cancelled" and items["mw-3"]["to"] == items["mw-3"]["from"]
PY
  get /api/v1/maintenance/mw-2 "${reader[@]}" > "$tmp/one.json"
  python3 -c "
import json,sys; w=json.load(open(sys.argv[1]))
assert [h['action'] for h in w['history']] == ['created', 'ended'], w
assert w['history'][1]['why'] == 'done early', w" "$tmp/one.json" || fail "one window: $(cat "$tmp/one.json")"
}
check_list
stop_collector
start_collector "$log"
check_list  # kept across a restart
# The API's report counts the windows as `slamon report --db` does (the engine applies the imported
# results first: polled for up to 10 s).
period=$(date -u -d "@$((t0 + 20 * 60))" +%Y-%m)
"$bin/slamon" report --catalogue "$tmp/cat.yaml" --db "$tmp/store.db" --sla shop-gold --period "$period" > "$tmp/cli.json"
for _ in $(seq 100); do
  get "/api/v1/slas/shop-gold/report?period=$period" "${reader[@]}" > "$tmp/api.json"
  cmp -s "$tmp/api.json" "$tmp/cli.json" && break
  sleep 0.1
done
cmp -s "$tmp/api.json" "$tmp/cli.json" || fail "the API's report differs from report --db: $(diff "$tmp/api.json" "$tmp/cli.json")"
stop_collector

# Offline: the exported windows give the figures report --db gives; mw-1 made 20 of the 30
# minutes of web's outage planned.
"$bin/slamon" export --db "$tmp/store.db" --maintenance "$tmp/windows.yaml" 2> "$tmp/export.err" ||
  fail "export --maintenance: $(cat "$tmp/export.err")"
grep -q "3 maintenance windows (2 with planned time)" "$tmp/export.err" || fail "export: $(cat "$tmp/export.err")"
grep -q "# mw-3: created at .* cancelled at" "$tmp/windows.yaml" || fail "history comments: $(cat "$tmp/windows.yaml")"
"$bin/slamon" report --catalogue "$tmp/cat.yaml" --db "$tmp/store.db" --sla shop-gold --period "$period" > "$tmp/db.json" ||
  fail "report --db"
"$bin/slamon" report --catalogue "$tmp/cat.yaml" --results "$tmp/results.jsonl" --maintenance "$tmp/windows.yaml" \
  --sla shop-gold --period "$period" > "$tmp/offline.json" || fail "report --maintenance: $(cat "$tmp/windows.yaml")"
cmp -s "$tmp/db.json" "$tmp/offline.json" || fail "report --db and the offline report differ: $(diff "$tmp/db.json" "$tmp/offline.json")"
python3 -c "
import json,sys; r=json.load(open(sys.argv[1]))
assert r['down_s'] == 600.0, r['down_s']
assert r['planned_s'] >= 1200.0, r['planned_s']" "$tmp/db.json" || fail "figures: $(cat "$tmp/db.json")"
"$bin/slamon" report --catalogue "$tmp/cat.yaml" --results "$tmp/results.jsonl" --sla shop-gold --period "$period" \
  > "$tmp/without.json"
python3 -c "
import json,sys; r=json.load(open(sys.argv[1])); assert r['down_s'] == 1800.0, r['down_s']" "$tmp/without.json" ||
  fail "without the windows: $(cat "$tmp/without.json")"
echo "PASS: maintenance"
