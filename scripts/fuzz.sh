#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan+UBSan) in build-fuzz/ and runs each for a bounded
# time from its seed corpus (tests/fuzz/corpus/NAME/). Fails on any crash, hang, leak or sanitizer report.
#   scripts/fuzz.sh [--seconds N]   (default 30 per target)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=30
[ "${1:-}" = "--seconds" ] && seconds=$2
export CCACHE_BASEDIR="$PWD"
CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSLAMON_PURE_ONLY=ON \
  -DSLAMON_SANITIZE=ON -DSLAMON_FUZZ=ON -DSLAMON_TESTS=OFF >/dev/null
cmake --build build-fuzz -j"$(nproc)"
shopt -s nullglob
for bin in build-fuzz/bin/fuzz_*; do
  name=$(basename "$bin")
  corpus=tests/fuzz/corpus/${name#fuzz_}
  work=$(mktemp -d)
  [ -d "$corpus" ] && cp -r "$corpus"/. "$work"/
  echo "fuzz: $name for ${seconds}s"
  ASAN_OPTIONS=detect_leaks=1 "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 "$work" 2>&1 | tail -n 3
  rm -rf "$work"
done
