#!/usr/bin/env bash
# Configures and builds slamon (Release) in build/. Warnings are errors when CI=true.
#   scripts/build.sh [extra cmake -D options...]
set -euo pipefail
cd "$(dirname "$0")/.."
export CCACHE_BASEDIR="$PWD"
BUILD_DIR="${SLAMON_BUILD_DIR:-build}"
werror=OFF
[ "${CI:-}" = "true" ] && werror=ON
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSLAMON_WERROR="$werror" "$@" >/dev/null
cmake --build "$BUILD_DIR" -j"$(nproc)"
# The web UI the collector serves (skipped with a note when Node.js is absent).
SLAMON_BUILD_DIR="$BUILD_DIR" scripts/build-web.sh
