#!/usr/bin/env bash
# The Debian packages (cmake/Packaging.cmake, scripts/package.sh) installed for real: cpack builds
# slamon-agent and slamon-collector from this build into the test's folder, `dpkg -i` installs both
# into / (this test needs root; CI machines are throwaway), and then: the users exist, the units are
# enabled, /etc/slamon holds the conffiles. PID 1 is not systemd, so the test starts each daemon as
# systemd would from the installed unit: its ExecStart line verbatim, as its User=/Group= with
# NoNewPrivileges (setpriv), its UMask, the agent's ambient CAP_NET_RAW, the State/Logs directories
# created as systemd does, and a NOTIFY_SOCKET the test owns: READY=1 and WATCHDOG=1 from both, the
# agent's results reach the collector's store (`slamon status --db`), SIGTERM stops both with exit 0.
# Then `dpkg -r` (binaries and units gone, conffiles and state kept) and `dpkg -P` (conffiles, state,
# logs and the enablement gone; the users kept, as docs/operations.md says). The packages are purged
# on any exit, so /usr/bin holds no slamon binary afterwards (the other tests use SLAMON_BIN_DIR's).
source "$(dirname "$0")/../link/lib.sh"
source "$(dirname "$0")/notify_lib.sh"
build=$(cd "$bin/.." && pwd)

[ "$(id -u)" = 0 ] || { echo "SKIP: dpkg -i needs root"; exit 77; }
for t in dpkg cpack setpriv; do command -v $t >/dev/null || fail "$t is not installed (scripts/setup.sh)"; done
[ -f "$build/CPackConfig.cmake" ] || fail "$build/CPackConfig.cmake is missing (configure without SLAMON_PURE_ONLY)"
# One run at a time on this machine (the packages are installed into /).
exec 9>/run/lock/slamon-package-test.lock
flock -w 100 9 || fail "another package test holds /run/lock/slamon-package-test.lock for 100 s"
for p in slamon-agent slamon-collector; do
  if dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok'; then
    echo "SKIP: $p is installed on this machine (not by this test): left alone"
    exit 77
  fi
done

installed=0
purge() {
  [ "$installed" = 1 ] || return 0
  installed=0
  dpkg_retry -P slamon-agent slamon-collector >/dev/null 2>&1 || true
}
trap 'for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done; purge; cleanup' EXIT

# dpkg_retry ARGS: dpkg, waiting up to 60 s for the lock another dpkg or apt holds.
dpkg_retry() {
  local out
  for _ in $(seq 60); do
    if out=$(dpkg "$@" 2>&1); then echo "$out"; return 0; fi
    grep -q 'lock' <<<"$out" || { echo "$out" >&2; return 1; }
    sleep 1
  done
  echo "$out" >&2
  return 1
}

# ---- build and install ----
# Without dpkg-shlibdeps (half a minute here): the libraries are installed on a build machine, and
# scripts/package.sh prints the Depends it computes.
cpack -G DEB --config "$build/CPackConfig.cmake" -D CPACK_DEBIAN_PACKAGE_SHLIBDEPS=OFF -B "$tmp/pk" >"$tmp/cpack.log" 2>&1 || fail "cpack: $(cat "$tmp/cpack.log")"
agent_deb=$(ls "$tmp"/pk/slamon-agent_*.deb) collector_deb=$(ls "$tmp"/pk/slamon-collector_*.deb)
installed=1
dpkg_retry -i "$agent_deb" "$collector_deb" >"$tmp/dpkg-i.log" || fail "dpkg -i: $(cat "$tmp/dpkg-i.log")"
for u in agent collector; do
  getent passwd slamon-$u >/dev/null || fail "dpkg -i created no user slamon-$u"
  [ -x /usr/bin/slamon-$u ] || fail "/usr/bin/slamon-$u is missing"
  [ -f /usr/lib/systemd/system/slamon-$u.service ] || fail "the unit slamon-$u.service is missing"
  [ -f /usr/lib/sysusers.d/slamon-$u.conf ] || fail "the sysusers file slamon-$u.conf is missing"
  [ -L /etc/systemd/system/multi-user.target.wants/slamon-$u.service ] || fail "slamon-$u.service is not enabled"
  [ -f /etc/slamon/$u.yaml ] || fail "/etc/slamon/$u.yaml is missing"
  dpkg-query -W -f='${Conffiles}' slamon-$u | grep -q "/etc/slamon/$u.yaml" || fail "/etc/slamon/$u.yaml is no conffile"
done
[ -x /usr/bin/slamon ] || fail "/usr/bin/slamon is missing"
echo "installed: users, binaries, units enabled, conffiles"

# ---- the daemons as their units run them ----
# unit_value UNIT KEY: the unit's KEY= value (the last one).
unit_value() { sed -n "s/^$2=//p" "/usr/lib/systemd/system/$1.service" | tail -n 1; }
chmod 755 "$tmp"
# The test's catalogue: a1's probes every second (closed loopback ports: down results).
write_catalogue '      - {id: web.fast, type: tcp, agent: a1, target: "127.0.0.1:9", interval: 1s, timeout: 500ms}'
chown slamon-collector "$tmp/tls/collector.key"
cat > /etc/slamon/collector.yaml <<YAML
catalogue: $tmp/cat.yaml
listen: 127.0.0.1:$port
tls: {cert_file: $tmp/tls/collector.pem, key_file: $tmp/tls/collector.key}
http: {listen: "127.0.0.1:$http_port"}
YAML
printf 'tok-a1' > "$tmp/a1.token"
chown slamon-agent "$tmp/a1.token"
chmod 600 "$tmp/a1.token"
cat > /etc/slamon/agent.yaml <<YAML
collector: 127.0.0.1:$port
name: a1
token_file: $tmp/a1.token
tls: {ca_file: $tmp/tls/ca.pem, server_name: localhost}
YAML

# run_unit NAME LOG: starts slamon-NAME as its installed unit says, under the notify socket NAME.
run_unit() {
  local unit=slamon-$1 user group umask_ exec caps=()
  user=$(unit_value "$unit" User) group=$(unit_value "$unit" Group) umask_=$(unit_value "$unit" UMask)
  exec=$(unit_value "$unit" ExecStart)
  [ -n "$user" ] && [ -n "$group" ] && [ -n "$exec" ] || fail "$unit.service: no User=, Group= or ExecStart="
  [ "$(unit_value "$unit" NoNewPrivileges)" = yes ] || fail "$unit.service: no NoNewPrivileges=yes"
  # StateDirectory= and LogsDirectory=: created and owned as systemd does (their *Mode=).
  install -d -o "$user" -g "$group" -m "$(unit_value "$unit" StateDirectoryMode)" "/var/lib/$(unit_value "$unit" StateDirectory)"
  install -d -o "$user" -g "$group" -m "$(unit_value "$unit" LogsDirectoryMode)" "/var/log/$(unit_value "$unit" LogsDirectory)"
  local ambient
  ambient=$(unit_value "$unit" AmbientCapabilities)
  if [ -n "$ambient" ]; then
    local c=${ambient,,}
    caps=(--inh-caps "+${c#cap_}" --ambient-caps "+${c#cap_}")
  fi
  listen "$1"
  # shellcheck disable=SC2086  # ExecStart's words, as systemd splits them (no quotes in these units)
  (umask "$umask_"; cd /
   exec env NOTIFY_SOCKET="$tmp/$1.sock" WATCHDOG_USEC=2000000 \
     setpriv --reuid="$user" --regid="$group" --init-groups --no-new-privs "${caps[@]}" -- \
     sh -c 'WATCHDOG_PID=$$ exec "$@"' sh $exec) 2>"$2" &
  pids+=("$!")
  eval "${1}_pid=$!"
}

run_unit collector "$tmp/collector.log"
col_ready=$(wait_msg collector '(^| )READY=1( |$)' 20)
run_unit agent "$tmp/agent.log"
agent_ready=$(wait_msg agent '(^| )READY=1( |$)' 20)
ps -o user= -p "$collector_pid" | grep -qx slamon-collector || fail "the collector does not run as slamon-collector"
ps -o user= -p "$agent_pid" | grep -qx slamon-agent || fail "the agent does not run as slamon-agent"
watchdogs_after agent "$agent_ready"
watchdogs_after collector "$col_ready" nosleep  # READY=1 came before the agent's

# Results flow: the store (in the collector's state directory) has a1's down results.
status=
for _ in $(seq 150); do
  status=$(slamon status --db /var/lib/slamon-collector/store.db --catalogue "$tmp/cat.yaml" 2>&1 || true)
  grep -qE '^ *web +.*down' <<<"$status" && break
  sleep 0.2
done
grep -qE '^ *web +.*down' <<<"$status" || fail "no down status for web from the agent's results: $status"
echo "results flow: $(grep -E '^ *web ' <<<"$status")"

# SIGTERM: both exit 0 (as systemctl stop).
for d in agent collector; do
  pid_var=${d}_pid
  kill -TERM "${!pid_var}"
  rc=0
  timeout 15 tail --pid="${!pid_var}" -f /dev/null || fail "the $d did not stop within 15 s of SIGTERM"
  wait "${!pid_var}" || rc=$?
  [ "$rc" = 0 ] || fail "the $d exited $rc after SIGTERM"
  wait_msg "$d" '(^| )STOPPING=1( |$)' 2 >/dev/null
done
echo "daemons: READY=1, WATCHDOG=1, results stored, STOPPING=1 and exit 0 on SIGTERM"

# ---- remove, then purge ----
dpkg_retry -r slamon-agent slamon-collector >"$tmp/dpkg-r.log" || fail "dpkg -r: $(cat "$tmp/dpkg-r.log")"
for f in /usr/bin/slamon-agent /usr/bin/slamon-collector /usr/bin/slamon /usr/lib/systemd/system/slamon-agent.service \
         /usr/lib/systemd/system/slamon-collector.service; do
  [ ! -e "$f" ] || fail "dpkg -r left $f"
done
[ -f /etc/slamon/agent.yaml ] && [ -f /etc/slamon/collector.yaml ] || fail "dpkg -r removed a conffile"
[ -f /var/lib/slamon-collector/store.db ] || fail "dpkg -r removed the collector's store"
dpkg_retry -P slamon-agent slamon-collector >"$tmp/dpkg-p.log" || fail "dpkg -P: $(cat "$tmp/dpkg-p.log")"
installed=0
for f in /etc/slamon /var/lib/slamon-agent /var/lib/slamon-collector /var/log/slamon-agent /var/log/slamon-collector; do
  [ ! -e "$f" ] || fail "dpkg -P left $f"
done
left=$(find /etc/systemd/system /var/lib/systemd/deb-systemd-helper-enabled /var/lib/systemd/deb-systemd-helper-masked \
            -name 'slamon-*' 2>/dev/null || true)
[ -z "$left" ] || fail "dpkg -P left the units' enablement: $left"
getent passwd slamon-agent >/dev/null && getent passwd slamon-collector >/dev/null ||
  fail "dpkg -P removed a user (docs/operations.md: they are kept)"
echo "dpkg -r: binaries and units gone, conffiles and state kept; dpkg -P: all gone but the users"
echo OK
