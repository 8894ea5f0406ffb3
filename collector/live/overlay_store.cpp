// The in-memory overlay over an engine store (see overlay_store.h).
#include "collector/live/overlay_store.h"

#include <algorithm>
#include <limits>

namespace slamon::live {

const OverlayEngineStore::Probe* OverlayEngineStore::find(std::string_view probe) const {
  const auto it = rewritten_.find(probe);
  return it == rewritten_.end() ? nullptr : &it->second;
}

store::EnginePosition OverlayEngineStore::engine_position() {
  return position_ ? *position_ : base_.engine_position();
}

std::vector<store::EngineProbe> OverlayEngineStore::engine_probes() {
  std::map<std::string, store::EngineProbe, std::less<>> all;
  for (auto& e : base_.engine_probes()) all.emplace(e.probe, std::move(e));
  for (const auto& [id, e] : probes_) all.insert_or_assign(id, e);
  std::vector<store::EngineProbe> out;
  out.reserve(all.size());
  for (auto& [id, e] : all) out.push_back(std::move(e));
  return out;
}

store::EnginePosition OverlayEngineStore::arrivals_after(const store::EnginePosition& from, std::size_t limit,
                                                         const std::function<void(const store::StoredArrival&)>& f) {
  return base_.arrivals_after(from, limit, f);
}

void OverlayEngineStore::probe_history(std::string_view probe, TimeMs after_ts, const store::EnginePosition& upto,
                                       const std::function<void(const store::StoredArrival&)>& f) {
  base_.probe_history(probe, after_ts, upto, f);
}

std::optional<store::EngineCheckpoint> OverlayEngineStore::checkpoint_before(std::string_view probe, TimeMs before) {
  const Probe* o = find(probe);
  const TimeMs base_bound = o && o->checkpoints_cut ? std::min(before, *o->checkpoints_cut) : before;
  std::optional<store::EngineCheckpoint> best = base_.checkpoint_before(probe, base_bound);
  if (o)
    for (const auto& c : o->checkpoints)
      if (c.ts < before && (!best || c.ts > best->ts)) best = c;
  return best;
}

std::vector<std::pair<std::string, TimeMs>> OverlayEngineStore::latest_checkpoints() {
  std::map<std::string, TimeMs, std::less<>> all;
  for (auto& [probe, ts] : base_.latest_checkpoints()) all.emplace(std::move(probe), ts);
  for (const auto& [probe, o] : rewritten_) {
    if (!o.checkpoints_cut) continue;
    all.erase(probe);
    if (const auto c = checkpoint_before(probe, std::numeric_limits<TimeMs>::max()))
      all.emplace(probe, c->ts);
  }
  return {all.begin(), all.end()};
}

std::optional<store::ChangePoint> OverlayEngineStore::change_point_before(std::string_view probe, TimeMs before) {
  const Probe* o = find(probe);
  const TimeMs base_bound = o && o->points_cut ? std::min(before, *o->points_cut) : before;
  std::optional<store::ChangePoint> best = base_.change_point_before(probe, base_bound);
  if (o)
    for (const auto& p : o->points)
      if (p.t < before && (!best || p.t > best->t)) best = p;
  return best;
}

std::vector<store::ChangePoint> OverlayEngineStore::change_points(std::string_view probe, TimeMs from, TimeMs to) {
  const Probe* o = find(probe);
  const TimeMs base_to = o && o->points_cut ? std::min(to, *o->points_cut) : to;
  std::vector<store::ChangePoint> out = base_to > from ? base_.change_points(probe, from, base_to) : std::vector<store::ChangePoint>{};
  if (o)
    for (const auto& p : o->points)
      if (p.t >= from && p.t < to) out.push_back(p);
  return out;
}

bool OverlayEngineStore::engine_commit(const store::EngineCommit& c) {
  if (!(engine_position() == c.expect)) return false;
  for (const auto& e : c.probes) probes_.insert_or_assign(e.probe, e);
  for (const auto& w : c.rewrites) {
    Probe& o = rewritten_[w.probe];
    o.points_cut = o.points_cut ? std::min(*o.points_cut, w.from) : w.from;
    std::erase_if(o.points, [&](const store::ChangePoint& p) { return p.t >= w.from; });
    o.points.insert(o.points.end(), w.points.begin(), w.points.end());
    o.checkpoints_cut = o.checkpoints_cut ? std::min(*o.checkpoints_cut, w.checkpoints_from) : w.checkpoints_from;
    std::erase_if(o.checkpoints, [&](const store::EngineCheckpoint& k) { return k.ts >= w.checkpoints_from; });
    o.checkpoints.insert(o.checkpoints.end(), w.checkpoints.begin(), w.checkpoints.end());
  }
  position_ = c.next;
  return true;
}

}  // namespace slamon::live
