#!/usr/bin/env bash
# Makes the certificates of a test or demo link (ECDSA P-256: a reconnect storm signs ~12x faster than
# with RSA-2048): a CA, the collector's certificate (SAN DNS:localhost, IP:127.0.0.1, IP:::1) and one
# client certificate per agent name, all signed by that CA. Keys are mode 0600. Idempotent: files that
# exist are kept, unless --force.
#   scripts/make-certs.sh [--force] [--days N] OUT_DIR [agent-name ...]
# Writes OUT_DIR/ca.pem ca.key collector.pem collector.key and, per agent, agent-NAME.pem agent-NAME.key.
# collector.yaml: tls.cert_file collector.pem, tls.key_file collector.key, tls.client_ca_file ca.pem;
# agent.yaml: tls.ca_file ca.pem (and the agent's own pair for mutual TLS).
set -euo pipefail
usage() { sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
force=0
days=825
while [ $# -gt 0 ]; do
  case "$1" in
    --force) force=1; shift ;;
    --days) [ $# -ge 2 ] || usage; days=$2; shift 2 ;;
    -h|--help) usage ;;
    --) shift; break ;;
    -*) echo "make-certs: unknown option $1" >&2; usage ;;
    *) break ;;
  esac
done
[ $# -ge 1 ] || usage
out=$1; shift
command -v openssl >/dev/null || { echo "make-certs: openssl is not installed (scripts/setup.sh)" >&2; exit 1; }
for name in "$@"; do
  [[ "$name" =~ ^[A-Za-z0-9._-]+$ ]] || { echo "make-certs: agent name '$name' is not [A-Za-z0-9._-]+" >&2; exit 2; }
done
mkdir -p "$out"
umask 077
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

# need FILE...: true when one of them is missing (or --force).
need() { [ "$force" = 1 ] && return 0; for f in "$@"; do [ -e "$out/$f" ] || return 0; done; return 1; }
new_key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; chmod 600 "$1"; }
# sign NAME CN EXTENSIONS: NAME.key + NAME.pem signed by the CA.
sign() {
  new_key "$out/$1.key"
  openssl req -new -key "$out/$1.key" -subj "/CN=$2" -out "$tmp/$1.csr" 2>/dev/null
  printf '%s\n' "$3" > "$tmp/$1.ext"
  openssl x509 -req -in "$tmp/$1.csr" -CA "$out/ca.pem" -CAkey "$out/ca.key" -CAcreateserial -CAserial "$tmp/ca.srl" \
    -days "$days" -sha256 -extfile "$tmp/$1.ext" -out "$out/$1.pem" 2>/dev/null
  chmod 644 "$out/$1.pem"
  echo "make-certs: $out/$1.pem ($2)"
}

made_ca=0
if need ca.pem ca.key; then
  new_key "$out/ca.key"
  openssl req -x509 -new -key "$out/ca.key" -subj "/CN=slamon link CA" -days "$days" -sha256 \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -out "$out/ca.pem" 2>/dev/null
  chmod 644 "$out/ca.pem"
  made_ca=1
  echo "make-certs: $out/ca.pem (a new CA: every certificate below is made again)"
fi
if [ "$made_ca" = 1 ] || need collector.pem collector.key; then
  sign collector localhost "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1"
fi
for name in "$@"; do
  if [ "$made_ca" = 1 ] || need "agent-$name.pem" "agent-$name.key"; then
    sign "agent-$name" "$name" "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=clientAuth"
  fi
done
