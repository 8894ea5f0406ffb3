#!/usr/bin/env bash
# Builds the Debian packages slamon-agent and slamon-collector into build/packages/ (CPack's DEB
# generator over cmake/Packaging.cmake's install rules): builds the three binaries (and the web UI
# when Node.js is there: scripts/build-web.sh), runs cpack, lists each package's files and runs
# lintian on them when it is installed. docs/operations.md, "Packages".
#   scripts/package.sh            (SLAMON_BUILD_DIR, default build/; configured by scripts/build.sh or by hand)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${SLAMON_BUILD_DIR:-build}
if [ ! -f "$build/CMakeCache.txt" ]; then
  CCACHE_BASEDIR=$PWD cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
cmake -S . -B "$build" >/dev/null  # the packaged files are written at configure time
cmake --build "$build" -j"${SLAMON_JOBS:-2}" --target slamon-agent slamon-collector slamon
SLAMON_BUILD_DIR=$build scripts/build-web.sh
# CPack strips nothing by itself: the packages carry the binaries as built (Release: -O2, no -g).
rm -f "$build"/packages/*.deb
(cd "$build" && cpack -G DEB --config CPackConfig.cmake >/dev/null)
shopt -s nullglob
debs=("$build"/packages/*.deb)
[ ${#debs[@]} -eq 2 ] || { echo "package: expected 2 packages in $build/packages, found ${#debs[@]}" >&2; exit 1; }
for d in "${debs[@]}"; do
  echo "== $d"
  dpkg-deb --field "$d" Package Version Architecture Depends
  dpkg-deb --contents "$d" | awk '{ print "   " $1, $6 }'
  echo "   conffiles: $(dpkg-deb --ctrl-tarfile "$d" | tar -xO ./conffiles | tr '\n' ' ')"
done
if command -v lintian >/dev/null; then
  lintian --fail-on error "${debs[@]}"
else
  echo "package: lintian is not installed: not checked"
fi
