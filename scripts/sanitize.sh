#!/usr/bin/env bash
# ASan+UBSan build of every unit-test executable (the pure libraries' and those of probes and agent,
# which use Asio) in build-asan/, then runs them: CTest labels `unit` and `peers` (the probes' tests
# against real peers they start themselves; they need root, as in CI). No benchmarks, no script
# tests: only the test executables and what they link are built. Prints the build and run durations.
set -euo pipefail
cd "$(dirname "$0")/.."
export CCACHE_BASEDIR="$PWD"
jobs=${SLAMON_JOBS:-$(nproc)}
labels='^(unit|peers)$'
t0=$SECONDS
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DSLAMON_SANITIZE=ON -DSLAMON_PURE_ONLY=OFF \
  -DSLAMON_BENCH=OFF -DCMAKE_CXX_FLAGS="-O1" >/dev/null
# The unit-test executables are the CTest tests of those labels, each named after its target
# (slamon_probes_tests.root is a second entry of slamon_probes_tests). The PostgreSQL server's fixture
# tests (pg.start, pg.stop) come along with the tests that need it: they build nothing.
mapfile -t targets < <(cd build-asan && ctest -N -L "$labels" | sed -n 's/^ *Test *#[0-9]*: *//p' | sed 's/\..*$//' |
                       grep -v -x -e pg | sort -u)
[ "${#targets[@]}" -gt 0 ] || { echo "sanitize.sh: no unit tests found" >&2; exit 1; }
echo "sanitize.sh: building ${targets[*]}"
cmake --build build-asan -j"$jobs" --target "${targets[@]}"
t1=$SECONDS
cd build-asan
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:detect_stack_use_after_return=1 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --output-on-failure -j"$jobs" -L "$labels"
echo "sanitize.sh: build $((t1 - t0)) s, run $((SECONDS - t1)) s"
