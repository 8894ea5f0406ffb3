// Builders for engine tests: catalogue objects, results and probe data in a few lines.
#pragma once

#include <string>
#include <vector>

#include "collector/engine/graph.h"
#include "collector/engine/node_timelines.h"
#include "collector/engine/period.h"
#include "collector/engine/probe_data.h"
#include "collector/engine/sla_report.h"
#include "common/catalogue/model.h"
#include "common/time.h"

namespace slamon::engine::test {

inline TimeMs T(const char* rfc3339) {
  auto t = parse_rfc3339(rfc3339);
  if (!t) throw std::runtime_error(std::string("bad time ") + rfc3339);
  return *t;
}

inline constexpr TimeMs kMin = 60'000;

inline catalogue::Probe make_probe(const std::string& id, const std::string& ci, DurationMs interval = 60'000,
                                   int confirm = 1, DurationMs stale = 0, int weight = 1) {
  catalogue::Probe p;
  p.id = id;
  p.ci = ci;
  p.agent = "a1";
  p.interval_ms = interval;
  p.confirm = confirm;
  p.stale_after_ms = stale ? stale : 3 * interval;
  p.weight = weight;
  return p;
}

inline catalogue::Ci make_ci(const std::string& id, std::vector<catalogue::Probe> probes,
                             catalogue::Rule rule = {}) {
  catalogue::Ci c;
  c.id = id;
  c.type = "host";
  c.rule = rule;
  c.probes = std::move(probes);
  return c;
}

inline catalogue::Service make_service(const std::string& id, std::vector<catalogue::ChildRef> children,
                                       catalogue::Rule rule = {}) {
  catalogue::Service s;
  s.id = id;
  s.rule = rule;
  s.children = std::move(children);
  return s;
}

inline catalogue::Rule rule_all() { return {}; }
inline catalogue::Rule rule_any() { return {catalogue::Rule::Kind::any, 0, {}}; }
inline catalogue::Rule rule_quorum(int k) { return {catalogue::Rule::Kind::quorum, k, {}}; }
inline catalogue::Rule rule_min_percent(const char* p) {
  return {catalogue::Rule::Kind::min_percent, 0, *parse_decimal4(p)};
}

inline catalogue::Maintenance one_off(const std::string& id, std::vector<std::string> targets, TimeMs from,
                                      TimeMs to) {
  catalogue::Maintenance m;
  m.id = id;
  m.targets = std::move(targets);
  m.from = from;
  m.to = to;
  return m;
}

inline catalogue::HoursWindow window(std::uint8_t days, int start_min, int end_min) {
  return {days, start_min, end_min};
}

inline catalogue::Sla make_sla(const std::string& id, const std::string& service, const char* target,
                               catalogue::PeriodKind period = catalogue::PeriodKind::day,
                               const std::string& tz = "UTC") {
  catalogue::Sla s;
  s.id = id;
  s.service = service;
  s.period = period;
  s.timezone = tz;
  catalogue::SlaVersion v;
  v.terms.target = *parse_decimal4(target);
  s.versions.push_back(v);
  return s;
}

// Results of one probe: status per minute over [from, to) stepping `step`.
inline void add_series(std::vector<ProbeResult>& out, const std::string& probe, TimeMs from, TimeMs to,
                       Status s, DurationMs step = 60'000) {
  for (TimeMs t = from; t < to; t += step) out.push_back(ProbeResult{probe, t, s, std::nullopt, "", "", {}});
}

// Probe data for every catalogue probe from results in arrival order (full recomputation).
inline ProbeDataMap build_all(const catalogue::Catalogue& cat, const std::vector<ProbeResult>& results,
                              std::optional<TimeMs> cut = std::nullopt) {
  std::unordered_map<std::string, std::vector<Arrival>> per;
  for (const auto& r : results) {
    if (cut && r.ts >= *cut) continue;
    per[r.probe].push_back(to_arrival(r));
  }
  ProbeDataMap out;
  for (const auto& ci : cat.cis)
    for (const auto& p : ci.probes) {
      auto it = per.find(p.id);
      if (it == per.end()) continue;
      out[p.id] = build_probe_data({p.stale_after_ms, p.confirm}, true, std::move(it->second));
    }
  return out;
}

// The report of one SLA for a label, from a catalogue and results.
inline Report report_for(const catalogue::Catalogue& cat, const std::vector<ProbeResult>& results,
                         const std::string& sla_id, const std::string& label,
                         std::optional<TimeMs> as_of = std::nullopt,
                         const std::vector<catalogue::Maintenance>& extra = {}) {
  const catalogue::Sla* sla = nullptr;
  for (const auto& s : cat.slas)
    if (s.id == sla_id) sla = &s;
  if (!sla) throw std::runtime_error("no sla " + sla_id);
  const auto data = build_all(cat, results, as_of);
  Graph g(cat, extra);
  NodeTimelines nodes(g, data);
  const auto p = sla_period(*sla, label);
  if (!p.period) throw std::runtime_error(p.error);
  auto o = compute_report(nodes, data, *sla, *p.period, as_of);
  if (!o.report) throw std::runtime_error(o.error);
  return *o.report;
}

}  // namespace slamon::engine::test
