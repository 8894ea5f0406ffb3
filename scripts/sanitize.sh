#!/usr/bin/env bash
# ASan+UBSan build of the libraries without Asio (common, engine, probe codecs) and their unit tests,
# in build-asan/, then runs them.
set -euo pipefail
cd "$(dirname "$0")/.."
export CCACHE_BASEDIR="$PWD"
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DSLAMON_SANITIZE=ON -DSLAMON_PURE_ONLY=ON \
  -DCMAKE_CXX_FLAGS="-O1" >/dev/null
cmake --build build-asan -j"$(nproc)"
cd build-asan
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --output-on-failure -j"$(nproc)"
