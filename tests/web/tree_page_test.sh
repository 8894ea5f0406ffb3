#!/usr/bin/env bash
# The web UI in headless Chromium against a running collector fed by `slamon import`
# (tests/web/tree_page.mjs): the service tree shows what the API returns (with the live status of
# /api/v1/status), click-through to a CI and a probe, the agents table, the maintenance page, both themes.
# Screenshots are kept in the build folder (SLAMON_TEST_OUT, default build/test-output/web).
# Skipped (counted) when Chromium, Node.js or the built UI is absent.
source "$(dirname "$0")/lib.sh"
# Ten minutes of results in the store (web down for the last five), so that the engine publishes the
# live status the tree colours its nodes with.
python3 - "$tmp/results.jsonl" <<'PY'
import datetime, json, sys, time
now = int(time.time())
with open(sys.argv[1], "w") as f:
    for t in range(now - 600, now, 30):
        ts = datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        for p in ("web.tcp", "web.tcp2", "db.tcp"):
            f.write(json.dumps({"probe": p, "ts": ts, "status": "down" if p.startswith("web") and t >= now - 300 else "up"}) + "\n")
PY
"$bin/slamon" import --db "$tmp/store.db" "$tmp/results.jsonl" > /dev/null 2> "$tmp/import.err" || fail "import: $(cat "$tmp/import.err")"
log=$tmp/collector.log
start_collector "$log"
wait_log "$log" "web UI $bin/web"
lc a1 --epoch 2 hello reply:accept keepalive:60000 > "$tmp/a1.out" 2>&1 &
pids+=("$!")
wait_json /api/v1/agents/a1 'd["connected"]'
# The live status (the tree's colours) once the engine has published its first snapshot (503 before).
wait_json /api/v1/status '"items" in d' 30
wait_json /api/v1/status/web 'd["status"] == "down"' 30
# The page's JavaScript is gzipped when the browser accepts it.
curl -sS -m 10 -H 'Accept-Encoding: gzip' -D "$tmp/h" -o /dev/null "$base/$(grep -o 'app-[A-Z0-9]*\.js' "$bin/web/index.html")"
grep -qi '^content-encoding: gzip' "$tmp/h" || fail "the bundle is not served gzipped: $(cat "$tmp/h")"
timeout 90 node "$src/tests/web/tree_page.mjs" "$base" "$out" || fail "the tree page in Chromium"
stop_collector
