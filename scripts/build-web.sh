#!/usr/bin/env bash
# Builds the web UI (collector/web/: Preact + htm, bundled by esbuild) into the build folder, where the collector
# finds it by default ("web" beside build/bin/slamon-collector; or http.web_root in collector.yaml):
# `npm ci` from the committed package-lock.json, then collector/web/build.mjs, which prints the sizes and fails
# when the first page's JavaScript passes 100 kB gzipped. Nothing is fetched at run time (no CDN) and
# no build output is committed. Without Node.js and npm it says so and exits 0 (the collector then
# serves the API and says on / that the UI is not built), unless --require.
#   scripts/build-web.sh [--require]     (SLAMON_BUILD_DIR, default build/)
set -euo pipefail
cd "$(dirname "$0")/.."
require=0
[ "${1:-}" = "--require" ] && require=1
out="${SLAMON_BUILD_DIR:-build}/bin/web"
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "build-web: node and npm are not installed (scripts/setup.sh): the web UI is not built" >&2
  [ "$require" = 1 ] && exit 1
  exit 0
fi
cd collector/web
# npm ci reinstalls node_modules only when the lock file changed since the last install.
stamp=node_modules/.slamon-lock
if [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json "$stamp"
fi
mkdir -p "../../$(dirname "$out")"
node build.mjs --out "$(cd ../.. && mkdir -p "$out" && cd "$out" && pwd)"
