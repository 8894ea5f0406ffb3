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
status=0
for bin in build-fuzz/bin/fuzz_*; do
  name=$(basename "$bin")
  corpus=tests/fuzz/corpus/${name#fuzz_}
  work=$(mktemp -d)
  [ -d "$corpus" ] && cp -r "$corpus"/. "$work"/
  mkdir -p build-fuzz/artifacts
  echo "fuzz: $name for ${seconds}s"
  log=$(mktemp)
  if ASAN_OPTIONS=detect_leaks=1 "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
      -print_final_stats=1 -artifact_prefix="build-fuzz/artifacts/$name-" "$work" >"$log" 2>&1; then
    tail -n 3 "$log"
  else
    # The whole report: the input (hex and base64), the stack, the sanitizer's words.
    echo "fuzz: $name FAILED; its report follows (artifact in build-fuzz/artifacts/)"
    grep -v -E '^#[0-9]+' "$log" | tail -n 80
    status=1
  fi
  rm -rf "$work" "$log"
done
exit "$status"
