#!/usr/bin/env bash
# Mutual TLS: with tls.client_ca_file set, a client without a certificate (or with one another CA
# signed) fails the handshake, logged with its address and the reason; one with its certificate is
# welcomed.
source "$(dirname "$0")/lib.sh"
write_config "  client_ca_file: tls/ca.pem"
log=$tmp/collector.log
start_collector "$log"
grep -q 'client certificates required' "$log" || fail "the start line does not say client certificates are required"

out=$(lc a1 --epoch 3 hello) && fail "welcomed without a client certificate: $out"
wait_log "$log" "127\.0\.0\.1:[0-9]+: TLS handshake failed: peer did not return a certificate"

"$src/scripts/make-certs.sh" "$tmp/other" a1 >/dev/null
out=$(lc a1 --cert "$tmp/other/agent-a1.pem" --key "$tmp/other/agent-a1.key" --epoch 3 hello) &&
  fail "welcomed with a certificate of another CA: $out"
wait_log "$log" "127\.0\.0\.1:[0-9]+: TLS handshake failed: .*(certificate|unknown ca)"

out=$(lc a1 --cert "$tmp/tls/agent-a1.pem" --key "$tmp/tls/agent-a1.key" --epoch 3 hello batch:1:5:web.tcp) ||
  fail "not welcomed with its certificate: $out"
grep -q '^welcome epoch=3 committed_seq=0' <<<"$out" || fail "welcome: $out"
grep -q '^ack epoch=3 committed_seq=5$' <<<"$out" || fail "ack: $out"
stop_collector
echo "mtls_test: ok"
