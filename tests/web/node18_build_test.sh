#!/usr/bin/env bash
# The web UI builds with Node.js 18 as with 20 (clarifications.md: the machine image has Node.js 20;
# Debian 12's own nodejs is 18, which cannot be installed beside it). Debian's nodejs 18 and what it
# needs (libnode108; node-acorn, node-cjs-module-lexer and node-undici, whose files it loads from
# /usr/share/nodejs) are fetched with `apt-get download` into the build folder's cache and unpacked
# there; in a mount namespace of its own that cache's /usr/share/nodejs is bound over the system's.
# There `npm ci` (from the committed lock file, npm's cache first) and collector/web/build.mjs run
# under Node 18 on a copy of collector/web; the bundle must be byte for byte the one the Node 20
# build made (build/bin/web: scripts/build-web.sh). Needs root (unshare -m); skipped, counted, without.
set -euo pipefail
src=${SLAMON_SOURCE_DIR:?}
build=$(dirname "${SLAMON_BIN_DIR:?}")
fail() { echo "FAIL: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root for a mount namespace (unshare -m)"; exit 77; }
command -v npm >/dev/null || fail "npm is not installed (scripts/setup.sh)"
[ -f "$build/bin/web/index.html" ] || fail "the web UI is not built (scripts/build-web.sh)"
cache=$build/node18
version=18.20.4+dfsg-1~deb12u3
if [ ! -x "$cache/root/usr/bin/node" ]; then
  mkdir -p "$cache/debs"
  ( cd "$cache/debs" && timeout 300 apt-get download -q "nodejs=$version" "libnode108=$version" node-acorn \
      node-cjs-module-lexer node-undici >/dev/null 2>"$cache/download.err" ) ||
    fail "apt-get download of Debian's nodejs $version failed: $(grep -v '^W:' "$cache/download.err")"
  for d in "$cache"/debs/*.deb; do dpkg -x "$d" "$cache/root"; done
fi
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/bin" "$tmp/web" "$tmp/out"
printf '#!/bin/sh\nLD_LIBRARY_PATH=%s exec %s "$@"\n' "$cache/root/usr/lib/x86_64-linux-gnu" "$cache/root/usr/bin/node" > "$tmp/bin/node"
chmod +x "$tmp/bin/node"
cp -r "$src"/collector/web/{package.json,package-lock.json,build.mjs,src} "$tmp/web/"
npm_cli=$(dirname "$(readlink -f "$(command -v npm)")")/npm-cli.js
[ -f "$npm_cli" ] || fail "npm's npm-cli.js not found beside $(command -v npm)"
timeout 600 unshare -m sh -c '
  set -e
  mount --bind "$1/root/usr/share/nodejs" /usr/share/nodejs
  export PATH="$2/bin:$PATH"
  cd "$2/web"
  echo "node $(node --version)"
  node "$3" ci --prefer-offline --no-audit --no-fund --loglevel=error
  node build.mjs --out "$2/out"' sh "$cache" "$tmp" "$npm_cli" > "$tmp/log" 2>&1 || fail "the build under Node 18: $(tail -20 "$tmp/log")"
grep -q '^node v18\.' "$tmp/log" || fail "not Node 18: $(head -3 "$tmp/log")"
for f in "$build"/bin/web/*; do
  name=$(basename "$f")
  case "$name" in *.gz) continue ;; esac
  cmp -s "$f" "$tmp/out/$name" || fail "$name differs between the Node 20 and the Node 18 builds"
done
echo "PASS: the web UI builds with $(grep '^node' "$tmp/log") into the same files as with $(node --version)"
