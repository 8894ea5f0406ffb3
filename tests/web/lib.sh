# Sourced by the browser tests (tests/web/*_test.sh): tests/http/lib.sh, then a skip (exit 77, counted)
# when Chromium, Node.js, the built UI or playwright-core is absent; `out` is where screenshots go
# (SLAMON_TEST_OUT, default build/test-output/web); the collector's http settings are written.
source "$(dirname "${BASH_SOURCE[0]}")/../http/lib.sh"
chromium=${CHROMIUM:-/usr/bin/chromium}
[ -x "$chromium" ] || { echo "SKIP: $chromium is not installed (scripts/setup.sh)"; exit 77; }
command -v node >/dev/null || { echo "SKIP: node is not installed"; exit 77; }
[ -f "$bin/web/index.html" ] || { echo "SKIP: the web UI is not built (scripts/build-web.sh)"; exit 77; }
[ -d "$src/collector/web/node_modules/playwright-core" ] || { echo "SKIP: collector/web/node_modules has no playwright-core (scripts/build-web.sh)"; exit 77; }
out=${SLAMON_TEST_OUT:-$bin/../test-output}/web
mkdir -p "$out"
write_http
