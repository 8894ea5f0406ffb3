#!/usr/bin/env bash
# Bad requests get a JSON 4xx with a reason and never take the collector down: an unknown endpoint
# (404), a write to a read-only endpoint (405 with Allow), a bad escape or a '..' segment (400), a
# query string past 2 KiB (414), a header past 16 KiB (431), a body past 64 KiB (413), bytes that are
# not HTTP (400), a bad limit or cursor (400); a request that never completes is closed after
# --http-request-timeout; the collector still answers /healthz after all of it.
source "$(dirname "$0")/lib.sh"
write_http
log=$tmp/collector.log
start_collector "$log" --http-request-timeout 1s

expect_error /api/v1/nothing 404
expect_error /api/v2/catalogue 404
expect_error /api/v1/catalogue 405 -X POST
grep -qi '^allow: GET, HEAD' <(curl -sS -m 10 -D - -o /dev/null -X DELETE "$base/healthz") || fail "405 without Allow"
expect_error '/api/v1/cis/%zz' 400
expect_error '/api/v1/cis/%2e%2e/x' 400
expect_error '/api/v1/probes?limit=0' 400
expect_error '/api/v1/probes?cursor=***' 400
expect_error "/api/v1/probes?q=$(head -c 3000 /dev/zero | tr '\0' a)" 414
expect_error /healthz 431 -H "X-Big: $(head -c 20000 /dev/zero | tr '\0' b)"
head -c 70000 /dev/zero | tr '\0' c > "$tmp/big.body"
expect_error /api/v1/catalogue 413 -X POST --data-binary @"$tmp/big.body" -H 'Content-Type: text/plain'

# Not HTTP at all; then a request that never completes (closed by the server, not by this client).
python3 - "$http_port" <<'PY' || fail "raw requests"
import json, socket, sys, time
port = int(sys.argv[1])
s = socket.create_connection(("127.0.0.1", port), timeout=10)
s.sendall(b"NOT HTTP AT ALL\r\n\r\n")
data = b""
while True:
    chunk = s.recv(4096)
    if not chunk:
        break
    data += chunk
head, _, body = data.partition(b"\r\n\r\n")
assert head.startswith(b"HTTP/1.1 400"), data
assert json.loads(body)["error"]["status"] == 400, body
s = socket.create_connection(("127.0.0.1", port), timeout=10)
s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")   # and nothing more
assert s.recv(4096) == b"", "the server answered or did not close a request that never completed"
PY
wait_log "$log" "closed: no whole request within 1s"

[ "$(get /healthz)" = '{"status":"ok"}' ] || fail "the collector does not answer after the bad requests"
kill -0 "$col_pid" || fail "the collector died"
get /metrics | grep -q '^slamon_http_responses_total{code="431"} 1$' || fail "the 431 is not counted"
stop_collector
echo "PASS: limits"
