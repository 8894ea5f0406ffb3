#!/usr/bin/env bash
# Access and TLS: with a read token (digest in collector.yaml) and an admin token (digest in a file it
# names), the API and /metrics answer 401 without a token or with a wrong one, 200 with either token;
# /healthz stays open. Over HTTPS (http.tls with the certificates of scripts/make-certs.sh) the same
# API answers to a client that trusts the CA, and plain HTTP gets no answer.
source "$(dirname "$0")/lib.sh"
read_digest=$(printf %s read-secret | sha256sum | cut -d' ' -f1)
printf '%s\n' "$(printf %s admin-secret | sha256sum | cut -d' ' -f1)" > "$tmp/admin.sha256"
cp "$tmp/collector.yaml" "$tmp/plain.yaml"
write_http "  read_token_sha256: $read_digest
  admin_token_sha256_file: admin.sha256
  tls: {cert_file: tls/collector.pem, key_file: tls/collector.key}"
"$bin/slamon" check --collector-config "$tmp/collector.yaml" > "$tmp/check.out" ||
  fail "slamon check: $(cat "$tmp/check.out")"
grep -q "http 127.0.0.1:$http_port HTTPS with a read token" "$tmp/check.out" || fail "check line: $(cat "$tmp/check.out")"
log=$tmp/collector.log
start_collector "$log"
wait_log "$log" "http listening on 127.0.0.1:$http_port \(HTTPS, tokens required\)"
base=https://localhost:$http_port
tls=(--cacert "$tmp/tls/ca.pem")
[ "$(get /healthz "${tls[@]}")" = '{"status":"ok"}' ] || fail "healthz over HTTPS: $(status)"
expect_error /api/v1/catalogue 401 "${tls[@]}"
expect_error /metrics 401 "${tls[@]}"
expect_error /api/v1/catalogue 401 "${tls[@]}" -H 'Authorization: Bearer wrong'
get /api/v1/catalogue "${tls[@]}" -H 'Authorization: Bearer read-secret' > /dev/null
[ "$(status)" = 200 ] || fail "read token: $(status)"
get /metrics "${tls[@]}" -H 'Authorization: Bearer admin-secret' > /dev/null
[ "$(status)" = 200 ] || fail "admin token: $(status)"
! grep -q read-secret "$log" || fail "a token reached the log"
# Plain HTTP to the HTTPS listener: no HTTP answer.
code=$(curl -sS -m 5 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$http_port/healthz" 2>/dev/null || true)
[ "$code" = 000 ] || fail "plain HTTP to the HTTPS listener answered $code"
stop_collector

# A non-loopback address without a read token: the collector does not start (exit 2).
cp "$tmp/plain.yaml" "$tmp/collector.yaml"
sed -i "s|listen: 127.0.0.1:$http_port|listen: 0.0.0.0:$http_port|" "$tmp/collector.yaml"
rc=0; out=$("$collector" --config "$tmp/collector.yaml" 2>&1) || rc=$?
[ "$rc" = 2 ] || fail "non-loopback without a token: exit $rc: $out"
grep -qE "collector.yaml:[0-9]+:11: error: collector config: http.listen 0.0.0.0:$http_port is not a loopback address" <<<"$out" ||
  fail "non-loopback error: $out"
echo "PASS: access"
