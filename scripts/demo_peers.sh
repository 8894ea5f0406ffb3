#!/usr/bin/env bash
# The local targets that config/demo.yaml probes, all on loopback, all state inside DIR:
#   18080 nginx plain HTTP, 18443 nginx HTTPS (self-signed), 11161 snmpd v2c (community "public"),
#   15432 a TCP listener standing in for a database.
#   scripts/demo_peers.sh start DIR
#   scripts/demo_peers.sh stop DIR
#   scripts/demo_peers.sh stop-db DIR | start-db DIR    (take the "database" away and back)
#   scripts/demo_peers.sh stop-web DIR | start-web DIR  (stop nginx, both ports, and start it again)
set -euo pipefail
cmd=${1:?usage: demo_peers.sh start|stop|stop-db|start-db|stop-web|start-web DIR}
dir=$(mkdir -p "${2:?DIR}" && cd "$2" && pwd)

wait_port() {  # wait_port PORT: bounded wait until 127.0.0.1:PORT accepts
  for _ in $(seq 1 50); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "demo_peers: nothing listens on 127.0.0.1:$1" >&2
  return 1
}

kill_pidfile() {  # kill_pidfile FILE: stop that process (bounded wait)
  local f=$1 pid
  [ -f "$f" ] || return 0
  pid=$(cat "$f" 2>/dev/null || true)
  rm -f "$f"
  [ -n "$pid" ] || return 0
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
}

start_db() {
  python3 - "$dir/db.pid" <<'PY' &
import os, socket, sys
open(sys.argv[1], "w").write(str(os.getpid()))
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 15432)); s.listen(64)
while True:
    c, _ = s.accept(); c.close()
PY
  wait_port 15432
}

start_web() {
  nginx -p "$dir" -e "$dir/logs/error.log" -c "$dir/nginx.conf"
  wait_port 18080
}

start() {
  mkdir -p "$dir/html" "$dir/logs" "$dir/tmp" "$dir/snmp"
  if [ ! -f "$dir/server.crt" ]; then
    openssl req -x509 -newkey rsa:2048 -nodes -keyout "$dir/server.key" -out "$dir/server.crt" -days 90 \
      -subj "/CN=127.0.0.1" -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" 2>/dev/null
  fi
  echo "slamon demo shop" > "$dir/html/index.html"
  local user=""
  [ "$(id -u)" = 0 ] && user="user root;"
  cat > "$dir/nginx.conf" <<CONF
$user
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/logs/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $dir/tmp/body; proxy_temp_path $dir/tmp/proxy; fastcgi_temp_path $dir/tmp/fastcgi;
  uwsgi_temp_path $dir/tmp/uwsgi; scgi_temp_path $dir/tmp/scgi;
  server { listen 127.0.0.1:18080; root $dir/html; }
  server { listen 127.0.0.1:18443 ssl; ssl_protocols TLSv1.2 TLSv1.3;
           ssl_certificate $dir/server.crt; ssl_certificate_key $dir/server.key; root $dir/html; }
}
CONF
  start_web
  cat > "$dir/snmpd.conf" <<CONF
rocommunity public 127.0.0.1
sysLocation slamon demo
sysContact demo@example.test
CONF
  MIBS="" snmpd -C -c "$dir/snmpd.conf" -p "$dir/snmpd.pid" -Lf "$dir/logs/snmpd.log" \
    --persistentDir="$dir/snmp" udp:127.0.0.1:11161
  for _ in $(seq 1 50); do [ -s "$dir/snmpd.pid" ] && break; sleep 0.1; done
  [ -s "$dir/snmpd.pid" ] || { echo "demo_peers: snmpd did not start (see $dir/logs/snmpd.log)" >&2; return 1; }
  start_db
  echo "demo peers up: http 18080, https 18443, snmp 11161, tcp 15432"
}

stop() {
  kill_pidfile "$dir/db.pid"
  kill_pidfile "$dir/snmpd.pid"
  kill_pidfile "$dir/nginx.pid"
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  stop-db) kill_pidfile "$dir/db.pid" ;;
  start-db) start_db ;;
  stop-web) kill_pidfile "$dir/nginx.pid" ;;
  start-web) start_web ;;
  *) echo "usage: demo_peers.sh start|stop|stop-db|start-db|stop-web|start-web DIR" >&2; exit 2 ;;
esac
