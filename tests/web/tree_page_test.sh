#!/usr/bin/env bash
# The web UI in headless Chromium against a running collector (tests/web/tree_page.mjs): the service
# tree shows what the API returns, click-through to a CI and a probe, the agents table, both themes.
# Screenshots are kept in the build folder (SLAMON_TEST_OUT, default build/test-output/web).
# Skipped (counted) when Chromium, Node.js or the built UI is absent.
source "$(dirname "$0")/../http/lib.sh"
chromium=${CHROMIUM:-/usr/bin/chromium}
[ -x "$chromium" ] || { echo "SKIP: $chromium is not installed (scripts/setup.sh)"; exit 77; }
command -v node >/dev/null || { echo "SKIP: node is not installed"; exit 77; }
[ -f "$bin/web/index.html" ] || { echo "SKIP: the web UI is not built (scripts/build-web.sh)"; exit 77; }
[ -d "$src/collector/web/node_modules/playwright-core" ] || { echo "SKIP: collector/web/node_modules has no playwright-core (scripts/build-web.sh)"; exit 77; }
out=${SLAMON_TEST_OUT:-$bin/../test-output}/web
mkdir -p "$out"
write_http
log=$tmp/collector.log
start_collector "$log"
wait_log "$log" "web UI $bin/web"
lc a1 --epoch 2 hello reply:accept keepalive:60000 > "$tmp/a1.out" 2>&1 &
pids+=("$!")
wait_json /api/v1/agents/a1 'd["connected"]'
# The page's JavaScript is gzipped when the browser accepts it.
curl -sS -m 10 -H 'Accept-Encoding: gzip' -D "$tmp/h" -o /dev/null "$base/$(grep -o 'app-[A-Z0-9]*\.js' "$bin/web/index.html")"
grep -qi '^content-encoding: gzip' "$tmp/h" || fail "the bundle is not served gzipped: $(cat "$tmp/h")"
timeout 90 node "$src/tests/web/tree_page.mjs" "$base" "$out" || fail "the tree page in Chromium"
stop_collector
