#!/usr/bin/env bash
# A local snmpd for the SNMP probe tests and benchmarks, entirely inside DIR, on 127.0.0.1 only.
#   snmpd_peer.sh start DIR PORT    write DIR/snmpd.conf, start snmpd on udp:127.0.0.1:PORT (and udp6:[::1]:PORT)
#   snmpd_peer.sh stop DIR          stop it (bounded wait)
# Credentials (tests only): v1/v2c community "public-test"; v3 users
#   privuser  authPriv     SHA-256 "authpass-256" / AES "privpass-aes"
#   authuser  authNoPriv   SHA "authpass-sha"
#   md5des    authPriv     MD5 "authpass-md5" / DES "privpass-des"
#   sha512aes authPriv     SHA-512 "authpass-512" / AES "privpass-aes2"
#   aes256user  authPriv   SHA-384 "authpass-384" / AES-256 "privpass-256" (RFC 3826 style key extension)
#   aes256cuser authPriv   SHA-224 "authpass-224" / AES-256-C "privpass-256c" (Cisco key extension)
#   nouser    noAuthNoPriv
# Environment: ROWS (default 40) sets the table size; EXTRA_ADDRESSES adds listening addresses
# (comma list like udp:127.0.1.1:PORT, loopback only), for the benchmarks.
# Known values: sysContact "ops@example.test", sysLocation "slamon lab", sysName "peer-1",
# and a table under .1.3.6.1.4.1.99999.1: .1.N = integer N*10 and .2.N = string "row-N" (N=1..ROWS),
# .3.1 = string of 1,200 'x' (to provoke tooBig with large bulk requests).
set -euo pipefail

cmd=${1:?usage: snmpd_peer.sh start|stop DIR [PORT]}
dir=${2:?DIR}

# shellcheck source=peer_lib.sh
source "$(dirname "$0")/peer_lib.sh"

stop() { stop_pidfile "$dir/snmpd.pid"; }

start() {
  local port=${1:?PORT}
  mkdir -p "$dir/persist"
  {
    echo "rocommunity public-test 127.0.0.1"
    echo "rocommunity6 public-test ::1"
    echo "rouser privuser priv"
    echo "rouser authuser auth"
    echo "rouser md5des priv"
    echo "rouser sha512aes priv"
    echo "rouser nouser noauth"
    echo "rouser aes256user priv"
    echo "rouser aes256cuser priv"
    echo "sysContact ops@example.test"
    echo "sysLocation slamon lab"
    echo "sysName peer-1"
    echo "sysServices 72"
    for n in $(seq 1 "${ROWS:-40}"); do
      echo "override .1.3.6.1.4.1.99999.1.1.$n integer $((n * 10))"
      echo "override .1.3.6.1.4.1.99999.1.2.$n octet_str row-$n"
    done
    echo "override .1.3.6.1.4.1.99999.1.3.1 octet_str $(head -c 1200 /dev/zero | tr '\0' 'x')"
    echo 'createUser privuser SHA-256 "authpass-256" AES "privpass-aes"'
    echo 'createUser authuser SHA "authpass-sha"'
    echo 'createUser md5des MD5 "authpass-md5" DES "privpass-des"'
    echo 'createUser sha512aes SHA-512 "authpass-512" AES "privpass-aes2"'
    echo 'createUser aes256user SHA-384 "authpass-384" AES-256 "privpass-256"'
    echo 'createUser aes256cuser SHA-224 "authpass-224" AES-256-C "privpass-256c"'
    echo 'createUser nouser'
  } > "$dir/snmpd.conf"
  local listen="udp:127.0.0.1:$port"  # and [::1] where the host has IPv6 loopback
  grep -q '^00000000000000000000000000000001 ' /proc/net/if_inet6 2>/dev/null && listen="$listen,udp6:[::1]:$port"
  [ -n "${EXTRA_ADDRESSES:-}" ] && listen="$listen,$EXTRA_ADDRESSES"
  SNMP_PERSISTENT_DIR=$dir/persist MIBS="" snmpd -C -c "$dir/snmpd.conf" -p "$dir/snmpd.pid" \
    -Lf "$dir/snmpd.log" "$listen"
  # Ready when it answers a v2c GET (bounded).
  for _ in $(seq 1 50); do
    if SNMP_PERSISTENT_DIR=$dir/client MIBS="" snmpget -v2c -c public-test -r 0 -t 0.2 -On "udp:127.0.0.1:$port" .1.3.6.1.2.1.1.5.0 >/dev/null 2>&1; then
      return 0
    fi
    sleep 0.1
  done
  echo "snmpd_peer: snmpd did not answer on 127.0.0.1:$port" >&2
  cat "$dir/snmpd.log" >&2 || true
  stop
  return 1
}

case "$cmd" in
  start) start "${3:-}" ;;
  stop) stop ;;
  *) echo "usage: snmpd_peer.sh start|stop DIR [PORT]" >&2; exit 2 ;;
esac
