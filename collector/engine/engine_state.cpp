// Incremental probe state with checkpointed replays.
#include "collector/engine/engine_state.h"

#include <algorithm>

#include "collector/engine/node_timelines.h"
#include "collector/engine/result_ingest.h"

namespace slamon::engine {

EngineState::EngineState(const catalogue::Catalogue& cat, std::vector<catalogue::Maintenance> extra)
    : cat_(cat), extra_(std::move(extra)) {
  const auto rt = response_time_probes(cat);
  for (const auto& ci : cat.cis)
    for (const auto& p : ci.probes) {
      const ProbeParams params{p.stale_after_ms, p.confirm};
      probes_.emplace(p.id, ProbeState{params, rt.count(p.id) > 0, {}, ProbeTimelineBuilder(params), {}, 0});
      data_.emplace(p.id, ProbeData{});
    }
}

std::vector<EngineState::Group>::iterator EngineState::group_at(const std::string& id, ProbeState& p, TimeMs ts) {
  auto pos = std::lower_bound(p.groups.begin(), p.groups.end(), ts, [](const Group& g, TimeMs t) { return g.ts < t; });
  if (pos == p.groups.end() || pos->ts != ts) pos = p.groups.insert(pos, Group{ts, std::nullopt, false});
  // A change before what the builder has seen: replay from the checkpoint before it on the next report.
  p.fed = std::min(p.fed, static_cast<std::size_t>(pos - p.groups.begin()));
  dirty_.push_back(id);
  return pos;
}

EngineState::AddOutcome EngineState::add_result(const ProbeResult& r) {
  auto it = probes_.find(r.probe);
  if (it == probes_.end()) return AddOutcome::unknown_probe;
  ProbeState& p = it->second;
  const Arrival a = to_arrival(r);
  auto pos = std::lower_bound(p.groups.begin(), p.groups.end(), r.ts,
                              [](const Group& g, TimeMs t) { return g.ts < t; });
  if (pos != p.groups.end() && pos->ts == r.ts && pos->results) {
    const Sample before = pos->results->winner();
    pos->results->receive(a);
    if (pos->results->winner() == before) return AddOutcome::resend;
  }
  pos = group_at(r.probe, p, r.ts);
  if (!pos->results) pos->results.emplace(a);
  return AddOutcome::stored;
}

EngineState::AddOutcome EngineState::add_gap(const std::string& probe, TimeMs from_ms) {
  auto it = probes_.find(probe);
  if (it == probes_.end()) return AddOutcome::unknown_probe;
  ProbeState& p = it->second;
  auto pos = std::lower_bound(p.groups.begin(), p.groups.end(), from_ms,
                              [](const Group& g, TimeMs t) { return g.ts < t; });
  if (pos != p.groups.end() && pos->ts == from_ms && pos->gap) return AddOutcome::resend;
  group_at(probe, p, from_ms)->gap = true;
  return AddOutcome::stored;
}

void EngineState::feed_group(ProbeTimelineBuilder& b, const Group& g) {
  if (g.gap) b.gap(g.ts);
  if (g.results) {
    const Sample& s = g.results->winner();
    b.add(s.ts, s.status);
  }
}

std::vector<RtSample> EngineState::rt_of(const ProbeState& p, std::size_t upto) {
  std::vector<RtSample> rt;
  if (!p.keep_rt) return rt;
  for (std::size_t i = 0; i < upto; ++i) {
    if (!p.groups[i].results) continue;
    const Sample& s = p.groups[i].results->winner();
    if (s.latency_ms && (s.status == Status::up || s.status == Status::degraded)) rt.push_back({s.ts, *s.latency_ms});
  }
  return rt;
}

void EngineState::feed(ProbeState& p, std::size_t upto) {
  // Restore the last checkpoint at or before `fed`, then feed groups [from, upto).
  std::size_t k = p.fed / kEvery;  // checkpoints usable: those after groups <= fed
  if (p.checkpoints.size() > k) p.checkpoints.resize(k);
  std::size_t from = 0;
  if (k == 0 || !p.builder.restore(p.checkpoints[k - 1])) {
    p.builder = ProbeTimelineBuilder(p.params);
    p.checkpoints.clear();
  } else {
    from = k * kEvery;
  }
  for (std::size_t i = from; i < upto; ++i) {
    feed_group(p.builder, p.groups[i]);
    if ((i + 1) % kEvery == 0) p.checkpoints.push_back(p.builder.checkpoint());
  }
  p.fed = upto;
}

ProbeData EngineState::data_of(ProbeState& p, std::size_t upto) {
  return ProbeData{p.builder.finish(), rt_of(p, upto)};
}

void EngineState::refresh(const std::string& id, ProbeState& p) {
  if (p.fed == p.groups.size()) return;
  feed(p, p.groups.size());
  data_[id] = data_of(p, p.groups.size());
}

const ProbeDataMap& EngineState::probe_data() {
  std::sort(dirty_.begin(), dirty_.end());
  dirty_.erase(std::unique(dirty_.begin(), dirty_.end()), dirty_.end());
  for (const auto& id : dirty_) refresh(id, probes_.at(id));
  dirty_.clear();
  return data_;
}

ProbeDataMap EngineState::probe_data_before(TimeMs cut) {
  probe_data();
  ProbeDataMap out;
  for (auto& [id, p] : probes_) {
    auto pos = std::lower_bound(p.groups.begin(), p.groups.end(), cut,
                                [](const Group& g, TimeMs t) { return g.ts < t; });
    const auto upto = static_cast<std::size_t>(pos - p.groups.begin());
    if (upto == p.groups.size()) {
      out.emplace(id, data_.at(id));
      continue;
    }
    // Replay the tail before the cut on a copy, leaving the live builder as it is.
    ProbeState copy{p.params, p.keep_rt, {}, p.builder, {}, 0};
    const std::size_t k = upto / kEvery;
    std::size_t from = 0;
    if (k == 0 || !copy.builder.restore(p.checkpoints[k - 1])) copy.builder = ProbeTimelineBuilder(p.params);
    else from = k * kEvery;
    for (std::size_t i = from; i < upto; ++i) feed_group(copy.builder, p.groups[i]);
    out.emplace(id, ProbeData{copy.builder.finish(), rt_of(p, upto)});
  }
  return out;
}

ReportSet EngineState::reports(const ReportRequest& req) {
  Graph graph(cat_, extra_);
  if (req.as_of) {
    const ProbeDataMap data = probe_data_before(*req.as_of);
    NodeTimelines nodes(graph, data);
    return run_reports(nodes, data, cat_, req);
  }
  const ProbeDataMap& data = probe_data();
  NodeTimelines nodes(graph, data);
  return run_reports(nodes, data, cat_, req);
}

ReportOutcome EngineState::report(const std::string& sla_id, const std::string& label, std::optional<TimeMs> as_of) {
  ReportRequest req;
  req.sla = sla_id;
  req.label = label;
  req.as_of = as_of;
  ReportSet set = reports(req);
  ReportOutcome out;
  if (!set.error.empty() || set.reports.empty()) {
    out.error = set.error;
    return out;
  }
  out.report = std::move(set.reports.front());
  return out;
}

}  // namespace slamon::engine
