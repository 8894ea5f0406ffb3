// Probe data from the engine's change points (see store_probe_data.h).
#include "collector/live/store_probe_data.h"

#include <unordered_map>

namespace slamon::live {

engine::ProbeDataMap probe_data_from_engine(store::EngineStore& es, store::Store& st, const catalogue::Catalogue& cat,
                                            engine::Interval window, const std::set<std::string>& rt_probes,
                                            const std::function<void()>& on_progress) {
  std::unordered_map<std::string, store::EngineProbe> states;
  for (auto& e : es.engine_probes()) states.emplace(e.probe, std::move(e));
  engine::ProbeDataMap out;
  for (const auto& ci : cat.cis)
    for (const auto& def : ci.probes) {
      engine::ProbeData& d = out[def.id];
      if (const auto before = es.change_point_before(def.id, window.begin))
        engine::append_change(d.timeline, before->t, before->status);
      for (const auto& p : es.change_points(def.id, window.begin, window.end))
        engine::append_change(d.timeline, p.t, p.status);
      if (const auto it = states.find(def.id); it != states.end() && it->second.state.has_prev) {
        const TimeMs stale = it->second.state.prev_ts + def.stale_after_ms;
        if (stale < window.end && (d.timeline.empty() || stale >= d.timeline.back().t))
          engine::append_change(d.timeline, stale, Status::unknown);
      }
      if (rt_probes.count(def.id) > 0) {
        // The winner of each ts is the last result in agent order (distinct agents).
        std::optional<engine::Sample> group;
        auto flush = [&] {
          if (group && group->latency_ms && (group->status == Status::up || group->status == Status::degraded))
            d.rt.push_back(engine::RtSample{group->ts, *group->latency_ms});
          group.reset();
        };
        st.walk_probe_results(def.id, window.begin, store::Store::Direction::forward, [&](const ProbeResult& r) {
          if (r.ts >= window.end) return false;
          if (group && group->ts != r.ts) flush();
          group = engine::Sample{r.ts, r.status, r.latency_ms};
          return true;
        });
        flush();
      }
      if (on_progress) on_progress();
    }
  return out;
}

std::optional<TimeMs> newest_applied(store::EngineStore& es, const catalogue::Catalogue& cat) {
  std::set<std::string> ids;
  for (const auto& ci : cat.cis)
    for (const auto& def : ci.probes) ids.insert(def.id);
  std::optional<TimeMs> out;
  for (const auto& e : es.engine_probes())
    if (ids.count(e.probe) > 0 && e.horizon && (!out || *e.horizon > *out)) out = e.horizon;
  return out;
}

}  // namespace slamon::live
