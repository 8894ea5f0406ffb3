// libFuzzer target over the results JSONL reader (bytes from agents, exports and users), and the
// engine behind it: every valid line must survive a write/read round trip and carry only finite,
// non-negative measurements, and whatever the lines say, a report over them must compute without
// crashing and with consistent figures.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "collector/engine/graph.h"
#include "collector/engine/node_timelines.h"
#include "collector/engine/result_ingest.h"
#include "collector/engine/sla_report.h"
#include "common/results_jsonl.h"
#include "common/results_reader.h"

namespace {

slamon::catalogue::Catalogue make_catalogue() {
  using namespace slamon::catalogue;
  Catalogue cat;
  for (const char* id : {"a", "b"}) {
    Ci ci;
    ci.id = id;
    Probe p;
    p.id = std::string(id) + ".p";
    p.ci = id;
    p.confirm = id[0] == 'a' ? 1 : 2;
    p.stale_after_ms = 180'000;
    ci.probes.push_back(p);
    cat.cis.push_back(ci);
  }
  Service s;
  s.id = "s";
  s.rule.kind = Rule::Kind::any;
  s.children = {{"a", 1, {}}, {"b", 2, {}}};
  cat.services.push_back(s);
  Maintenance m;
  m.id = "m";
  m.targets = {"a"};
  m.from = 1'000'000;
  m.to = 5'000'000;
  cat.maintenance.push_back(m);
  Sla sla;
  sla.id = "sla";
  sla.service = "s";
  sla.period = PeriodKind::day;
  SlaVersion v;
  v.terms.target = slamon::Decimal4{995000};
  v.terms.response_time = ResponseTimeObjective{"a.p", slamon::Decimal4{950000}, 100};
  sla.versions.push_back(v);
  cat.slas.push_back(sla);
  return cat;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const slamon::catalogue::Catalogue cat = make_catalogue();
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<slamon::ProbeResult> results;
  std::string fatal;
  const auto stats = slamon::read_results_text(
      text, "fuzz", [&](slamon::ProbeResult&& r) { results.push_back(std::move(r)); },
      [](slamon::Diagnostic&& d) {
        if (d.line <= 0) std::abort();
      },
      fatal);
  if (!stats) return 0;  // gave up: needs a million lines without a result, beyond the fuzzer's inputs
  if (stats->results != results.size()) std::abort();
  if (stats->bytes != size) std::abort();
  constexpr slamon::TimeMs kLo = -62'135'596'800'000 + 86'400'000;  // 0001-01-02
  constexpr slamon::TimeMs kHi = 253'402'214'400'000;               // 9999-12-31
  slamon::engine::ResultIngest ingest(cat, std::nullopt);
  for (const auto& r : results) {
    // What the reader lets through: finite measurements, >= 0 but for cert_days_left.
    if (r.latency_ms && !(*r.latency_ms >= 0 && std::isfinite(*r.latency_ms))) std::abort();
    for (const auto& m : r.metrics)
      if (!std::isfinite(m.value) || (m.value < 0 && m.name != "cert_days_left")) std::abort();
    if (r.ts > kLo && r.ts < kHi) {
      std::string err;
      const std::string line = slamon::format_result_line(r);
      const auto back = slamon::parse_result_line(std::string_view(line).substr(0, line.size() - 1), err);
      if (!back || !(*back == r)) std::abort();
    }
    ingest.add(r);
  }
  if (ingest.needs_second_pass())
    for (const auto& r : results) ingest.add_second_pass(r);
  const auto probe_data = ingest.finish();
  slamon::engine::Graph graph(cat, {});
  slamon::engine::NodeTimelines nodes(graph, probe_data);
  // Report the day of the first plausible result (bounded to sane years).
  for (const auto& r : results) {
    if (r.ts < 0 || r.ts > 4'102'444'800'000) continue;  // 1970 .. 2100
    const auto day = slamon::engine::local_date_of(slamon::engine::find_zone("UTC"), r.ts);
    const auto p = slamon::engine::period_containing(slamon::catalogue::PeriodKind::day, day,
                                                     slamon::engine::find_zone("UTC"));
    const auto o = slamon::engine::compute_report(nodes, probe_data, cat.slas[0], p, std::nullopt);
    if (!o.report) std::abort();
    const auto& rep = *o.report;
    if (rep.up_ms + rep.down_ms + rep.planned_ms + rep.unknown_ms != rep.service_time_ms) std::abort();
    if (rep.availability && (*rep.availability < 0 || *rep.availability > 100)) std::abort();
    break;
  }
  return 0;
}
