#!/usr/bin/env bash
# The README's test command: installs what is needed, builds, and runs every test (unit tests, tests
# against real peers, script tests of the real binaries) through CTest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
cd "${SLAMON_BUILD_DIR:-build}"
ctest --output-on-failure -j"$(nproc)"
