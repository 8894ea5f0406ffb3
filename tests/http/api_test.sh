#!/usr/bin/env bash
# The HTTP API of a running collector (loopback, no token): /healthz and /readyz; the catalogue tree
# equal to the catalogue and without a secret; a paginated list walked with its cursors; single
# objects; /api/v1/agents with a real agent's link (connected, last seen, clock offset, assignment
# current) next to agents that never connected; /metrics counting the agent's stored results; a
# SIGHUP reload followed by the API; HEAD; keep-alive (two requests on one connection).
source "$(dirname "$0")/lib.sh"
write_http
log=$tmp/collector.log
start_collector "$log"
wait_log "$log" "http listening on 127.0.0.1:$http_port \(HTTP, no token\)"

[ "$(get /healthz)" = '{"status":"ok"}' ] && [ "$(status)" = 200 ] || fail "healthz: $(status) $(cat "$tmp/body")"
get /readyz > /dev/null
[ "$(status)" = 200 ] || fail "readyz: $(status)"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["store_open"] and d["catalogue_loaded"], d' "$tmp/body" ||
  fail "readyz body: $(cat "$tmp/body")"

# A real agent: hello, the assignment accepted, 5 results stored, heartbeats.
lc a1 --epoch 2 hello reply:accept batch:1:5:web.tcp heartbeat keepalive:30000 > "$tmp/a1.out" 2>&1 &
pids+=("$!")
wait_log "$log" "agent 'a1' from .*: connected"
wait_json /api/v1/agents/a1 'd["connected"] and d["assignment_current"] and d["clock_offset_ms"] is not None and d["committed_seq"] == 5'

# The catalogue tree: what the catalogue says, and no token digest.
get /api/v1/catalogue > "$tmp/cat.json"
[ "$(status)" = 200 ] || fail "catalogue: $(status)"
for t in tok-a1 tok-a2 tok-a3; do
  h=$(printf %s "$t" | sha256sum | cut -d' ' -f1)
  ! grep -q "$h" "$tmp/cat.json" || fail "the catalogue tree shows the token digest of $t"
done
python3 - "$tmp/cat.json" <<'PY' || fail "catalogue tree: $(cat "$tmp/cat.json")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["counts"] == {"services": 3, "cis": 3, "probes": 4, "slas": 1, "agreements": 0, "maintenance": 0, "agents": 3}, d["counts"]
assert d["roots"] == ["mail-svc", "shop"], d["roots"]
svc = {s["id"]: s for s in d["services"]}
assert [c["id"] for c in svc["shop"]["children"]] == ["shop-app", "db"] and svc["shop"]["slas"] == ["shop-gold"]
assert [(c["id"], c["kind"]) for c in svc["shop"]["children"]] == [("shop-app", "service"), ("db", "ci")]
cis = {c["id"]: c for c in d["cis"]}
assert cis["web"]["probes"] == ["web.tcp", "web.tcp2"] and cis["web"]["parents"] == ["shop-app"], cis["web"]
probes = {p["id"]: p for p in d["probes"]}
assert probes["web.tcp"]["agent"] == "a1" and probes["web.tcp"]["target"] == "127.0.0.1:9", probes["web.tcp"]
assert sorted(a["name"] for a in d["agents"]) == ["a1", "a2", "a3"] and all(set(a) == {"name", "labels"} for a in d["agents"])
PY

# A paginated list, walked by its cursors, one item a page.
ids=() cursor=
for _ in $(seq 10); do
  get "/api/v1/probes?limit=1${cursor:+&cursor=$cursor}" > "$tmp/page.json"
  [ "$(status)" = 200 ] || fail "probes page: $(status) $(cat "$tmp/page.json")"
  ids+=("$(jq -r '.items[0].id' "$tmp/page.json")")
  cursor=$(jq -r '.next_cursor // empty' "$tmp/page.json")
  [ -n "$cursor" ] || break
done
[ "${ids[*]}" = "db.tcp mail.tcp web.tcp web.tcp2" ] || fail "pages: ${ids[*]}"

# Single objects.
[ "$(get /api/v1/services/shop | jq -r .name)" = "Web shop" ] || fail "service shop: $(cat "$tmp/body")"
[ "$(get /api/v1/slas/shop-gold | jq -r '.versions[0].target_percent')" = "99.5" ] || fail "sla: $(cat "$tmp/body")"
expect_error /api/v1/cis/nope 404

# Agents: a1 connected with its record; a2, a3 never connected.
get /api/v1/agents > "$tmp/agents.json"
python3 - "$tmp/agents.json" <<'PY' || fail "agents: $(cat "$tmp/agents.json")"
import json, sys
d = json.load(open(sys.argv[1]))
a = {x["name"]: x for x in d["items"]}
assert list(a) == ["a1", "a2", "a3"] and d["next_cursor"] is None
assert a["a1"]["connected"] and a["a1"]["last_seen"].endswith("Z") and a["a1"]["peer"].startswith("127.0.0.1:")
assert a["a1"]["probes"] == 2 and a["a1"]["assignment_version"] == a["a1"]["assigned_version"]
assert not a["a2"]["connected"] and a["a2"]["last_seen"] is None and a["a2"]["assignment_version"] is None
PY

# Metrics: the 5 stored results, a1 connected.
get /metrics > "$tmp/metrics.txt"
grep -q '^slamon_ingest_results_total{outcome="stored"} 5$' "$tmp/metrics.txt" || fail "metrics: $(grep ingest "$tmp/metrics.txt")"
grep -q '^slamon_agent_connected{agent="a1"} 1$' "$tmp/metrics.txt" || fail "metrics: a1 not connected"
grep -q '^slamon_link_sessions 1$' "$tmp/metrics.txt" || fail "metrics: sessions"

# A reload (SIGHUP) shows in the API at once.
printf '  - {id: new-svc, kind: business, children: [mail-svc]}\n' > "$tmp/extra.yaml"
python3 - "$tmp/cat.yaml" <<'PY'
import sys
p = sys.argv[1]
s = open(p).read().replace("slas:\n", "  - {id: new-svc, kind: business, children: [mail-svc]}\nslas:\n")
open(p, "w").write(s)
PY
kill -HUP "$col_pid"
wait_log "$log" "catalogue reloaded"
wait_json /api/v1/catalogue 'd["roots"] == ["new-svc", "shop"] and d["counts"]["services"] == 4'
get /metrics | grep -q '^slamon_catalogue_reloads_total{result="ok"} 1$' || fail "reload counter"

# HEAD: the GET's headers (its Content-Length) without a body.
len=$(curl -sS -m 10 -I "$base/api/v1/catalogue" | tr -d '\r' | sed -n 's/^Content-Length: //Ip')
[ "$len" = "$(get /api/v1/catalogue | wc -c)" ] || fail "HEAD Content-Length $len"
# Keep-alive: two requests, one connection.
curl -sS -m 10 -v -o /dev/null -o /dev/null "$base/healthz" "$base/readyz" 2> "$tmp/curl.err" || fail "keep-alive curl"
grep -qiE 're-?using existing connection' "$tmp/curl.err" || fail "the connection was not kept alive: $(cat "$tmp/curl.err")"

stop_collector
echo "PASS: api"
