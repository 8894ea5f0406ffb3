# Helpers of the HTTP API tests (sourced): the link tests' set-up (tests/link/lib.sh: certificates,
# a catalogue of three agents, collector.yaml, start/stop, link_client), plus services and an SLA in
# the catalogue, an `http:` section on a free loopback port, and curl/JSON helpers. Bounded in time,
# cleaned up by the EXIT trap.
source "$(dirname "${BASH_SOURCE[0]}")/../link/lib.sh"
command -v curl >/dev/null || { echo "SKIP: curl is not installed (scripts/setup.sh)"; exit 77; }

# add_services: services and an SLA over the link catalogue's CIs (web, mail, db).
add_services() {
  cat >> "$tmp/cat.yaml" <<'YAML'
services:
  - {id: shop, name: Web shop, owner: sales, children: [shop-app, db]}
  - {id: shop-app, kind: application, children: [web]}
  - {id: mail-svc, kind: application, children: [mail]}
slas:
  - {id: shop-gold, service: shop, target: 99.5}
YAML
}
add_services

# write_http [EXTRA_HTTP_LINES]: lines added to the http: section (the last of collector.yaml, which
# tests/link/lib.sh writes with listen: 127.0.0.1:$http_port).
write_http() {
  printf '%s\n' "${1:-}" >> "$tmp/collector.yaml"
}
base=http://127.0.0.1:$http_port

# get PATH [CURL ARGS...]: the body on stdout; the status in $tmp/status. Bounded to 10 s.
get() {
  local path=$1; shift
  curl -sS -m 10 -o "$tmp/body" -w '%{http_code}' "$@" "$base$path" > "$tmp/status" || true
  cat "$tmp/body"
}
status() { cat "$tmp/status"; }

# expect_error PATH STATUS [CURL ARGS...]: a JSON error {"error": {"status": STATUS, "message": ...}}.
expect_error() {
  local path=$1 want=$2; shift 2
  get "$path" "$@" > /dev/null
  [ "$(status)" = "$want" ] || fail "$path: status $(status), not $want: $(cat "$tmp/body")"
  python3 - "$tmp/body" "$want" <<'PY' || fail "$path: not a JSON error with status $want: $(cat "$tmp/body")"
import json, sys
e = json.load(open(sys.argv[1]))["error"]
assert e["status"] == int(sys.argv[2]) and e["message"], e
PY
}

# wait_json PATH PYTHON_EXPR [SECONDS]: polls PATH until the expression over `d` (its JSON) is true.
wait_json() {
  local n=$(( ${3:-10} * 10 ))
  for _ in $(seq "$n"); do
    get "$1" > "$tmp/poll.json"
    if [ "$(status)" = 200 ] && python3 -c "import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if ($2) else 1)" "$tmp/poll.json" 2>/dev/null; then
      return 0
    fi
    sleep 0.1
  done
  fail "$1 never satisfied '$2' within ${3:-10} s: $(cat "$tmp/poll.json")"
}
