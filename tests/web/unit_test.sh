#!/usr/bin/env bash
# The web UI's pure modules (collector/web/src/lib/: formatting, day-bar geometry, the overview's
# filter/sort/paging, the maintenance form) under Node's own test runner (tests/web/unit/*.test.mjs).
# Skipped (counted) without Node.js 18 or later.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
command -v node >/dev/null || { echo "SKIP: node is not installed (scripts/setup.sh)"; exit 77; }
major=$(node -p 'process.versions.node.split(".")[0]')
[ "$major" -ge 18 ] || { echo "SKIP: node $major is older than 18"; exit 77; }
timeout 60 node --test "$here"/unit/*.test.mjs
