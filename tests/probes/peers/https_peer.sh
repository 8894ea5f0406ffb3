#!/usr/bin/env bash
# A local nginx for the HTTP(S) probe tests and benchmarks, entirely inside DIR, on loopback only.
#   https_peer.sh start DIR BASE_PORT    generate a CA and certificates, start nginx (daemonised)
#   https_peer.sh stop DIR               stop it (bounded wait)
# Ports: BASE plain HTTP (also on [::1] when the host has IPv6 loopback); BASE+1 HTTPS with a valid certificate (leaf + CA served); BASE+2 expired;
# BASE+3 expiring in 3 days; BASE+4 valid but for another host name (other.example).
# Certificates are for 127.0.0.1, localhost and probe.test, signed by DIR/ca.crt.
# Paths on every port: / ("hello slamon"), /status/NNN (NNN in 200 201 204 301 404 500 503), /redirect -> /final,
# /loop (redirects to itself), /wrong ("maintenance in progress"), /slow (256 KiB at 32 KiB/s),
# /big (4 MiB at full speed).
set -euo pipefail

cmd=${1:?usage: https_peer.sh start|stop DIR [BASE_PORT]}
dir=${2:?DIR}

# shellcheck source=peer_lib.sh
source "$(dirname "$0")/peer_lib.sh"

stop() { stop_pidfile "$dir/nginx.pid"; }

cert() {  # cert NAME DAYS SAN
  local name=$1 days=$2 san=$3
  openssl req -newkey rsa:2048 -nodes -keyout "$dir/$name.key" -out "$dir/$name.csr" -subj "/CN=$name" 2>/dev/null
  printf 'subjectAltName=%s\nbasicConstraints=CA:FALSE\n' "$san" > "$dir/$name.ext"
  openssl x509 -req -in "$dir/$name.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial \
    -days "$days" -extfile "$dir/$name.ext" -out "$dir/$name.crt" 2>/dev/null
  cat "$dir/$name.crt" "$dir/ca.crt" > "$dir/$name.chain.crt"
}

start() {
  local base=${1:?BASE_PORT}
  mkdir -p "$dir/html/status" "$dir/logs" "$dir/tmp"
  if [ ! -f "$dir/ca.crt" ]; then
    openssl req -x509 -newkey rsa:2048 -nodes -keyout "$dir/ca.key" -out "$dir/ca.crt" -days 3650 \
      -subj "/CN=slamon test CA" 2>/dev/null
    local san="IP:127.0.0.1,DNS:localhost,DNS:probe.test"
    cert valid 200 "$san"
    cert expired -1 "$san"
    cert expiring 3 "$san"
    cert wronghost 200 "DNS:other.example"
  fi
  echo "hello slamon" > "$dir/html/index.html"
  echo "final page" > "$dir/html/final"
  echo "maintenance in progress" > "$dir/html/wrong"
  head -c 262144 /dev/zero | tr '\0' 'a' > "$dir/html/slow"
  head -c 4194304 /dev/zero | tr '\0' 'b' > "$dir/html/big"
  local v6=""  # the plain port also on [::1] where the host has IPv6 loopback
  grep -q '^00000000000000000000000000000001 ' /proc/net/if_inet6 2>/dev/null && v6="listen [::1]:$base;"
  local user=""
  [ "$(id -u)" = 0 ] && user="user root;"
  cat > "$dir/locations.conf" <<CONF
    root $dir/html;
    location = / { default_type text/plain; try_files /index.html =404; }
$(for c in 200 201 204 301 404 500 503; do echo "    location = /status/$c { return $c \"status $c\\n\"; }"; done)
    location = /redirect { return 302 /final; }
    location = /loop { return 302 /loop; }
    location = /final { default_type text/plain; }
    location = /wrong { default_type text/plain; }
    location = /big { default_type text/plain; }
    location = /slow { default_type text/plain; limit_rate 32k; limit_rate_after 0; }
CONF
  local tls="ssl_protocols TLSv1.2 TLSv1.3; ssl_session_cache off; ssl_session_tickets off;"
  cat > "$dir/nginx.conf" <<CONF
$user
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $dir/tmp/body;
  proxy_temp_path $dir/tmp/proxy;
  fastcgi_temp_path $dir/tmp/fastcgi;
  uwsgi_temp_path $dir/tmp/uwsgi;
  scgi_temp_path $dir/tmp/scgi;
  keepalive_timeout 0;
  server { listen 127.0.0.1:$base; $v6 include $dir/locations.conf; }
  server { listen 127.0.0.1:$((base + 1)) ssl; $tls ssl_certificate $dir/valid.chain.crt; ssl_certificate_key $dir/valid.key; include $dir/locations.conf; }
  server { listen 127.0.0.1:$((base + 2)) ssl; $tls ssl_certificate $dir/expired.crt; ssl_certificate_key $dir/expired.key; include $dir/locations.conf; }
  server { listen 127.0.0.1:$((base + 3)) ssl; $tls ssl_certificate $dir/expiring.crt; ssl_certificate_key $dir/expiring.key; include $dir/locations.conf; }
  server { listen 127.0.0.1:$((base + 4)) ssl; $tls ssl_certificate $dir/wronghost.crt; ssl_certificate_key $dir/wronghost.key; include $dir/locations.conf; }
}
CONF
  nginx -p "$dir" -e "$dir/logs/error.log" -c "$dir/nginx.conf"
  # Ready when the plain port answers (bounded).
  for _ in $(seq 1 50); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$base") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "https_peer: nginx did not come up on 127.0.0.1:$base" >&2
  cat "$dir/logs/error.log" >&2 || true
  return 1
}

case "$cmd" in
  start) start "${3:-}" ;;
  stop) stop ;;
  *) echo "usage: https_peer.sh start|stop DIR [BASE_PORT]" >&2; exit 2 ;;
esac
