#!/usr/bin/env bash
# Starts and stops snmp_udp_peer.py (a size-limiting, optionally lossy relay in front of snmpd, or a fake agent whose
# OIDs stop increasing) in the background, inside DIR, on 127.0.0.1 only.
#   snmp_udp_peer.sh start DIR PORT relay TARGET_PORT MAX_BYTES [DROP_PERCENT SEED]
#   snmp_udp_peer.sh start DIR PORT fake ROOT
#   snmp_udp_peer.sh stop DIR
set -euo pipefail

cmd=${1:?usage: snmp_udp_peer.sh start|stop DIR [PORT MODE ARGS...]}
dir=${2:?DIR}
here=$(cd "$(dirname "$0")" && pwd)

# shellcheck source=peer_lib.sh
source "$(dirname "$0")/peer_lib.sh"

stop() { stop_pidfile "$dir/udp_peer.pid"; }

case "$cmd" in
  start)
    shift 2
    rm -f "$dir/ready"
    python3 "$here/snmp_udp_peer.py" "$dir" "$@" >"$dir/udp_peer.log" 2>&1 &
    echo $! >"$dir/udp_peer.pid"
    for _ in $(seq 1 50); do
      [ -f "$dir/ready" ] && exit 0
      sleep 0.1
    done
    echo "snmp_udp_peer: not ready" >&2
    cat "$dir/udp_peer.log" >&2 || true
    stop
    exit 1
    ;;
  stop) stop ;;
  *) echo "usage: snmp_udp_peer.sh start|stop DIR [PORT MODE ARGS...]" >&2; exit 2 ;;
esac
