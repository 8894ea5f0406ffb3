// Fuzz target for the maintenance windows' request bodies (collector/api/maintenance_api.h): the first
// byte chooses create or end, the rest is the body. Aborts when anything throws, a refusal is not a
// 4xx with an {"error": ...} body, a window to create breaks the rules (no targets, an unknown
// target, starting before now, not ending after it starts, longer than 366 days, who/why empty or
// too long), or its JSON is not valid.
#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "collector/api/maintenance_api.h"
#include "common/catalogue/memory_file_source.h"
#include "common/catalogue/parser.h"

using namespace slamon;
using namespace slamon::collector::api;

namespace {

const char* kCatalogue = R"(version: 1
agents:
  - {name: a1, token_sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08}
cis:
  - {id: db, probes: [{id: db.tcp, type: tcp, agent: a1, target: "127.0.0.1:5432"}]}
services:
  - {id: shop, children: [db]}
)";

constexpr TimeMs kNow = 1'790'000'000'000;

const CatalogueIndex& index() {
  static const catalogue::Catalogue cat = [] {
    catalogue::MemoryFileSource files;
    files.add("/mem/root.yaml", kCatalogue);
    auto r = catalogue::load_catalogue("/mem/root.yaml", files);
    if (!r.catalogue) std::abort();
    return std::move(*r.catalogue);
  }();
  static const CatalogueIndex idx(cat);
  return idx;
}

void check_refusal(const Response& r) {
  if (r.status < 400 || r.status > 499) std::abort();
  simdjson::dom::parser p;
  simdjson::dom::element doc;
  if (p.parse(r.body).get(doc)) std::abort();
  std::int64_t status = 0;
  if (doc["error"]["status"].get(status) || status != r.status) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const bool create = (data[0] & 1) == 0;
  const std::string body(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (create) {
    const auto plan = plan_create(body, index(), kNow);
    if (!plan.window) {
      check_refusal(plan.refusal);
      return 0;
    }
    const auto& w = *plan.window;
    if (w.targets.empty() || w.targets.size() > kMaxTargets) std::abort();
    for (const auto& t : w.targets)
      if (t != "db" && t != "shop") std::abort();
    if (w.from_ms < kNow || w.to_ms <= w.from_ms || w.to_ms - w.from_ms > kMaxWindowMs) std::abort();
    if (w.who.empty() || w.who.size() > kMaxWhoBytes || w.why.empty() || w.why.size() > kMaxWhyBytes) std::abort();
    if (w.created_ms != kNow || w.planned_to_ms != w.to_ms) std::abort();
    JsonWriter out;
    write_window(out, w, kNow, nullptr);
    simdjson::dom::parser p;
    simdjson::dom::element doc;
    if (p.parse(out.take()).get(doc)) std::abort();
  } else {
    store::MaintenanceWindow w;
    w.id = "mw-1";
    w.from_ms = kNow;
    w.to_ms = kNow + 1000;
    const auto plan = plan_end(body, &w, w.id, kNow + (data[0] >> 1));
    if (!plan.who_why) check_refusal(plan.refusal);
    else if (plan.who_why->first.empty() || kNow + (data[0] >> 1) >= w.to_ms) std::abort();
  }
  return 0;
}
