#!/usr/bin/env bash
# systemd/'s units: `systemd-analyze verify` accepts both (ExecStart pointed at stand-in executables,
# since verify checks that it exists) and `systemd-analyze security --offline=true` scores the
# collector at most 2.5 and the agent at most 4.5 (both scores printed). The settings the daemons
# rely on are there (Type=notify, the watchdog, the reload, the agent's one capability). PID 1 here is
# not systemd: nothing is started (clarifications.md, "Operations").
set -euo pipefail
src=${SLAMON_SOURCE_DIR:?SLAMON_SOURCE_DIR: the source tree}
fail() { echo "FAIL: $*" >&2; exit 1; }
command -v systemd-analyze >/dev/null ||
  fail "systemd-analyze is not installed: run scripts/setup.sh (Debian package systemd)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for u in agent collector; do
  unit=$src/systemd/slamon-$u.service
  [ -f "$unit" ] || fail "$unit is missing"
  [ -f "$src/systemd/slamon-$u.sysusers.conf" ] || fail "systemd/slamon-$u.sysusers.conf is missing"
  grep -qx "u slamon-$u - \"slamon $u\" /var/lib/slamon-$u" "$src/systemd/slamon-$u.sysusers.conf" ||
    fail "slamon-$u.sysusers.conf does not declare the user slamon-$u"
  grep -qx "ExecStart=/usr/bin/slamon-$u --config /etc/slamon/$u.yaml" "$unit" || fail "$unit: unexpected ExecStart"
  for want in Type=notify NotifyAccess=main WatchdogSec=30s User=slamon-$u StateDirectory=slamon-$u \
              ConfigurationDirectory=slamon LogsDirectory=slamon-$u ProtectSystem=strict PrivateTmp=yes \
              NoNewPrivileges=yes SystemCallFilter=@system-service; do
    grep -qx "$want" "$unit" || fail "$unit lacks $want"
  done
  grep -q '^RestrictAddressFamilies=' "$unit" || fail "$unit lacks RestrictAddressFamilies"
  printf '#!/bin/sh\nexit 0\n' > "$tmp/slamon-$u"
  chmod +x "$tmp/slamon-$u"
  sed "s|^ExecStart=/usr/bin/slamon-$u |ExecStart=$tmp/slamon-$u |" "$unit" > "$tmp/slamon-$u.service"
done
grep -qx 'ExecReload=/bin/kill -HUP $MAINPID' "$src/systemd/slamon-collector.service" || fail "the collector lacks ExecReload"
grep -qx 'ExecReload=/bin/kill -HUP $MAINPID' "$src/systemd/slamon-agent.service" || fail "the agent lacks ExecReload"
grep -qx 'CapabilityBoundingSet=CAP_NET_RAW' "$src/systemd/slamon-agent.service" || fail "the agent's bounding set is not CAP_NET_RAW alone"
grep -qx 'AmbientCapabilities=CAP_NET_RAW' "$src/systemd/slamon-agent.service" || fail "the agent's ambient set is not CAP_NET_RAW alone"
grep -qx 'CapabilityBoundingSet=' "$src/systemd/slamon-collector.service" || fail "the collector keeps capabilities"

out=$(systemd-analyze verify --man=no "$tmp/slamon-agent.service" "$tmp/slamon-collector.service" 2>&1) ||
  fail "systemd-analyze verify: $out"
# verify exits 0 on some warnings (unknown settings, bad values): none is allowed.
[ -z "$out" ] || fail "systemd-analyze verify warns: $out"

rc=0
for u in collector:2.5 agent:4.5; do
  name=${u%%:*} limit=${u#*:}
  out=$(systemd-analyze security --offline=true --no-pager "$tmp/slamon-$name.service" 2>&1) ||
    fail "systemd-analyze security slamon-$name.service: $out"
  score=$(sed -n 's/.*Overall exposure level for slamon-'"$name"'\.service: \([0-9.]*\).*/\1/p' <<<"$out")
  [ -n "$score" ] || fail "no exposure score for slamon-$name.service in: $out"
  echo "slamon-$name.service: exposure $score (at most $limit)"
  if awk -v s="$score" -v l="$limit" 'BEGIN { exit !(s > l) }'; then
    echo "FAIL: slamon-$name.service: exposure $score above $limit:" >&2
    grep '✗' <<<"$out" >&2 || true
    rc=1
  fi
done
exit $rc
