// Fuzz target for the HTTP API's request handling (collector/api/): the input is a request line's
// method and target, an Authorization header and an Accept-Encoding header, one per line. It goes
// through parse_target (percent-decoding, limits) and the router against a small catalogue, with and
// without tokens. Aborts when anything throws, a status is outside 200..599, an error body is not
// {"error": {"status": N, "message": ...}} with N the status, a decoded path segment holds '/', a
// control character or is "." / "..", a secret of the catalogue shows in a 2xx body, or a cursor does not
// round-trip. The live and store-backed routes decide over a snapshot; their jobs are never run (no
// store: answered 503).
#include <simdjson.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "collector/api/pagination.h"
#include "collector/api/router.h"
#include "collector/session_logic.h"

using namespace slamon::collector;
using namespace slamon::collector::api;

namespace {

const char* kCatalogue = R"(version: 1
agents:
  - {name: a1, token_sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08}
cis:
  - id: web
    probes:
      - {id: web.http, type: http, agent: a1, url: "https://web.example/", headers: {Authorization: "Bearer hdr-secret"}}
      - {id: web.snmp, type: snmp, agent: a1, target: 192.0.2.1, community: comm-secret, get: [{oid: 1.3.6.1.2.1.1.3.0}]}
services:
  - {id: shop, children: [web]}
slas:
  - {id: gold, service: shop, target: 99.5}
)";

std::shared_ptr<const ApiCatalogue> make_catalogue() {
  const auto dir = std::filesystem::temp_directory_path() / ("slamon-fuzz-http-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "cat.yaml") << kCatalogue;
  auto loaded = load_served_catalogue((dir / "cat.yaml").string());
  std::filesystem::remove_all(dir);
  if (!loaded.served) std::abort();
  return std::make_shared<ApiCatalogue>(loaded.served, 0);
}

std::string_view next_line(std::string_view& in) {
  const auto nl = in.find('\n');
  const auto line = in.substr(0, nl);
  in = nl == std::string_view::npos ? std::string_view{} : in.substr(nl + 1);
  return line;
}

void check_response(const Response& r) {
  if (r.status < 200 || r.status > 599) std::abort();
  if (r.status < 400) {
    // (An error may quote the request, which may hold anything: only answers are checked for secrets.)
    for (const char* secret : {"hdr-secret", "comm-secret", "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"})
      if (r.body.find(secret) != std::string::npos) std::abort();
    return;
  }
  simdjson::dom::parser p;
  simdjson::dom::element doc;
  if (p.parse(simdjson::padded_string(r.body)).get(doc) != simdjson::SUCCESS) std::abort();
  int64_t status = 0;
  std::string_view message;
  if (doc["error"]["status"].get(status) != simdjson::SUCCESS || status != r.status) std::abort();
  if (doc["error"]["message"].get(message) != simdjson::SUCCESS || message.empty()) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto catalogue = make_catalogue();
  static const AgentRecords records;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  Request req;
  const auto line = next_line(in);
  const auto sp = line.find(' ');
  req.method = std::string(line.substr(0, sp));
  req.target = sp == std::string_view::npos ? std::string("/") : std::string(line.substr(sp + 1));
  req.authorization = std::string(next_line(in));
  req.accept_encoding = std::string(next_line(in));
  req.body = std::string(in);

  const auto t = parse_target(req.target);
  if (t.target) {
    for (const auto& seg : t.target->segments) {
      if (seg.empty() || seg == "." || seg == ".." || seg.find('/') != std::string::npos) std::abort();
      for (const char c : seg)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) std::abort();
    }
    if (t.status != 0) std::abort();
  } else if (t.status != 400 && t.status != 414) {
    std::abort();
  }
  if (const auto c = decode_cursor(req.body.substr(0, 600)); c && encode_cursor(*c) != req.body.substr(0, 600))
    std::abort();
  if (!req.authorization.empty() && req.authorization.size() <= 384 &&
      decode_cursor(encode_cursor(req.authorization)) != req.authorization)
    std::abort();

  // The live engine's snapshot and a report cache, so that the live and store-backed routes decide
  // (a job is never run here: no store).
  static const auto snapshot = [] {
    auto s = std::make_shared<slamon::live::LiveSnapshot>();
    s->as_of = 1'790'000'000'000;
    s->nodes["shop"] = slamon::live::NodeNow{slamon::Status::down, 1'789'000'000'000};
    s->nodes["web"] = slamon::live::NodeNow{slamon::Status::up, std::nullopt};
    s->probes["web.http"] = slamon::live::NodeNow{slamon::Status::up, std::nullopt};
    return std::shared_ptr<const slamon::live::LiveSnapshot>(s);
  }();
  static const auto cache = std::make_shared<ReportCache>(1 << 20);
  ApiState state;
  state.catalogue = catalogue;
  state.live = snapshot;
  state.cache = cache;
  state.now_ms = 1'790'000'000'000;
  state.agents = &records;
  state.store_open = true;
  state.metrics.agents = &records;
  state.web_missing = "fuzzing";
  try {
    check_response(handle(req, state));
    state.access.read_token_sha256 = sha256_hex("fuzz-read");
    check_response(handle(req, state));
  } catch (...) {
    std::abort();
  }
  return 0;
}
