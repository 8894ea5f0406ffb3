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

EngineState::AddOutcome EngineState::add_result(const ProbeResult& r) {
  auto it = probes_.find(r.probe);
  if (it == probes_.end()) return AddOutcome::unknown_probe;
  ProbeState& p = it->second;
  const Arrival a = to_arrival(r);
  auto pos = std::lower_bound(p.groups.begin(), p.groups.end(), r.ts,
                              [](const Group& g, TimeMs t) { return g.ts < t; });
  const auto idx = static_cast<std::size_t>(pos - p.groups.begin());
  bool changed = true;
  if (pos != p.groups.end() && pos->ts == r.ts) {
    const Sample before = pos->results.winner();
    pos->results.receive(a);
    changed = !(pos->results.winner() == before);
    if (!changed) return AddOutcome::resend;
  } else {
    p.groups.insert(pos, Group{r.ts, TsGroup(a)});
  }
  // A change before what the builder has seen: replay from the checkpoint before idx on the next report.
  p.fed = std::min(p.fed, idx);
  dirty_.push_back(r.probe);
  return AddOutcome::stored;
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
    const Sample& s = p.groups[i].results.winner();
    p.builder.add(s.ts, s.status);
    if ((i + 1) % kEvery == 0) p.checkpoints.push_back(p.builder.checkpoint());
  }
  p.fed = upto;
}

ProbeData EngineState::data_of(ProbeState& p, std::size_t upto) {
  ProbeData d;
  d.timeline = p.builder.finish();
  if (p.keep_rt) {
    for (std::size_t i = 0; i < upto; ++i) {
      const Sample& s = p.groups[i].results.winner();
      if (s.latency_ms && (s.status == Status::up || s.status == Status::degraded)) d.rt.push_back({s.ts, *s.latency_ms});
    }
  }
  return d;
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
    for (std::size_t i = from; i < upto; ++i) {
      const Sample& s = p.groups[i].results.winner();
      copy.builder.add(s.ts, s.status);
    }
    ProbeData d;
    d.timeline = copy.builder.finish();
    if (p.keep_rt)
      for (std::size_t i = 0; i < upto; ++i) {
        const Sample& s = p.groups[i].results.winner();
        if (s.latency_ms && (s.status == Status::up || s.status == Status::degraded)) d.rt.push_back({s.ts, *s.latency_ms});
      }
    out.emplace(id, std::move(d));
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
