#!/usr/bin/env bash
# Installs every Debian package that slamon, its tests and its benchmarks need, on Debian 12.
# Idempotent: packages already present are left alone. Runs as root, or through sudo otherwise.
#   scripts/setup.sh            build + test dependencies
#   scripts/setup.sh --bench    also the peers the benchmarks compare against
set -euo pipefail

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "setup: run as root or install sudo" >&2; exit 1; }
  SUDO="sudo"
fi

# Build toolchain and libraries (Boost 1.81, not Debian's default 1.74: Asio coroutine tools need it).
BUILD_PKGS=(
  build-essential g++ cmake ninja-build ccache pkg-config git
  libboost1.81-dev
  libcurl4-openssl-dev libsnmp-dev libsqlite3-dev sqlite3
  libspdlog-dev libfmt-dev doctest-dev libyaml-cpp-dev libhowardhinnant-date-dev tzdata
  libssl-dev openssl libre2-dev libprotobuf-dev protobuf-compiler libsimdjson-dev libcli11-dev libsystemd-dev
  libpq-dev
  clang libclang-rt-14-dev llvm
)
# Real peers the tests talk to.
TEST_PKGS=(
  snmpd snmp nginx-light iproute2 iputils-ping procps python3 curl jq
  chromium        # the web UI's tests (headless, driven by collector/web/'s pinned playwright-core); slamon report --format pdf
  poppler-utils   # pdftotext: the PDF report's test reads the text back
  prometheus      # promtool: `promtool check metrics` on a live /metrics scrape
  python3-yaml python3-jsonschema  # the OpenSLO export checked against docs/schema/openslo-v1.schema.json
  postgresql-15   # initdb and pg_ctl: the PostgreSQL store's tests start their own server (tests/lib/pg.sh)
  systemd         # systemd-analyze: verify and security --offline=true over systemd/'s units
  python3-aiosmtpd  # the notifications test: a local SMTP relay with STARTTLS receives the e-mail
)
# Peers the benchmarks compare against.
BENCH_PKGS=(
  fping prometheus-blackbox-exporter prometheus-snmp-exporter hyperfine time valgrind wrk
)

want=("${BUILD_PKGS[@]}" "${TEST_PKGS[@]}")
# The web UI builds with Node.js 18 or 20 and npm: Debian's own only when none is there (a machine's
# Node.js 20 brings its npm, and Debian's npm package conflicts with it).
command -v node >/dev/null || want+=(nodejs npm)
[ "${1:-}" = "--bench" ] && want+=("${BENCH_PKGS[@]}")

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#want[@]} packages present"
  exit 0
fi
echo "setup: installing ${#missing[@]} packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# Daemons installed as test peers must not start as system services (tests start their own copies).
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
  $SUDO chmod +x /usr/sbin/policy-rc.d
  trap '$SUDO rm -f /usr/sbin/policy-rc.d' EXIT
fi
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "setup: done"
