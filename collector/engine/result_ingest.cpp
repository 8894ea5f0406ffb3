// Streaming ingest with a second pass for probes out of order.
#include "collector/engine/result_ingest.h"

namespace slamon::engine {

std::set<std::string> response_time_probes(const catalogue::Catalogue& cat) {
  std::set<std::string> out;
  for (const auto& s : cat.slas)
    for (const auto& v : s.versions)
      if (v.terms.response_time) out.insert(v.terms.response_time->probe);
  for (const auto& a : cat.agreements)
    if (a.terms.response_time) out.insert(a.terms.response_time->probe);
  return out;
}

ResultIngest::ResultIngest(const catalogue::Catalogue& cat, std::optional<TimeMs> cut) : cut_(cut) {
  const auto rt = response_time_probes(cat);
  for (const auto& ci : cat.cis)
    for (const auto& p : ci.probes) {
      Entry e;
      e.params = ProbeParams{p.stale_after_ms, p.confirm};
      e.keep_rt = rt.count(p.id) > 0;
      e.stream.emplace(e.params, e.keep_rt);
      probes_.emplace(p.id, std::move(e));
    }
}

ResultIngest::Entry* ResultIngest::find(const std::string& probe, Outcome& outcome) {
  auto it = probes_.find(probe);
  if (it == probes_.end()) {
    outcome = unknown_.insert(probe).second ? Outcome::unknown_probe_first : Outcome::unknown_probe;
    return nullptr;
  }
  outcome = Outcome::used;
  return &it->second;
}

void ResultIngest::mark_reordered(const std::string& probe, Entry& e) {
  e.reordered = true;
  e.stream.reset();
  reordered_.insert(probe);
}

ResultIngest::Outcome ResultIngest::add(const ProbeResult& r) {
  Outcome o;
  Entry* e = find(r.probe, o);
  if (!e) return o;
  if (cut_ && r.ts >= *cut_) return Outcome::after_cut;
  if (e->reordered) return Outcome::used;
  if (!e->stream->add(to_arrival(r))) {
    mark_reordered(r.probe, *e);
    return Outcome::out_of_order_first;
  }
  return Outcome::used;
}

ResultIngest::Outcome ResultIngest::add_gap(const std::string& probe, TimeMs from_ms) {
  Outcome o;
  Entry* e = find(probe, o);
  if (!e) return o;
  if (cut_ && from_ms >= *cut_) return Outcome::after_cut;
  if (e->reordered) return Outcome::used;
  if (!e->stream->add_gap(from_ms)) {
    mark_reordered(probe, *e);
    return Outcome::out_of_order_first;
  }
  return Outcome::used;
}

void ResultIngest::add_gap_second_pass(const std::string& probe, TimeMs from_ms) {
  auto it = probes_.find(probe);
  if (it == probes_.end() || !it->second.reordered) return;
  if (cut_ && from_ms >= *cut_) return;
  it->second.gaps.push_back(from_ms);
}

void ResultIngest::add_second_pass(const ProbeResult& r) {
  auto it = probes_.find(r.probe);
  if (it == probes_.end() || !it->second.reordered) return;
  if (cut_ && r.ts >= *cut_) return;
  it->second.arrivals.push_back(to_arrival(r));
}

ProbeDataMap ResultIngest::finish() {
  ProbeDataMap out;
  for (auto& [id, e] : probes_) {
    if (e.reordered) out.emplace(id, build_probe_data(e.params, e.keep_rt, std::move(e.arrivals), std::move(e.gaps)));
    else out.emplace(id, e.stream->finish());
  }
  return out;
}

}  // namespace slamon::engine
