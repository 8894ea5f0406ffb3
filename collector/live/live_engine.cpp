// The live engine (see live_engine.h).
#include "collector/live/live_engine.h"

#include <algorithm>
#include <unordered_set>

#include "collector/engine/timeline.h"

namespace slamon::live {
namespace {

using engine::kMaxTime;
using engine::kMinTime;
using engine::ProbeTimelineBuilder;

store::BuilderState to_store(const ProbeTimelineBuilder::State& s) {
  return store::BuilderState{s.confirmed, s.pending, s.pending_count, s.pending_start, s.has_prev, s.prev_ts};
}

ProbeTimelineBuilder::State from_store(const store::BuilderState& s) {
  return ProbeTimelineBuilder::State{s.confirmed, s.pending, s.pending_count, s.pending_start, s.has_prev, s.prev_ts};
}

// How many replays one step does at most (each reads a probe's history since a checkpoint).
constexpr std::size_t kReplaysPerStep = 256;

}  // namespace

LiveEngine::LiveEngine(const catalogue::Catalogue& cat, store::EngineStore& st, LiveOptions options)
    : cat_(cat), st_(st), options_(options) {}

engine::StatusTimeline LiveEngine::last_points_before(const std::string& id, TimeMs before) {
  engine::StatusTimeline out;
  const auto last = st_.change_point_before(id, before);
  if (!last) return out;
  if (const auto prev = st_.change_point_before(id, last->t)) out.push_back({prev->t, prev->status});
  out.push_back({last->t, last->status});
  return out;
}

void LiveEngine::load() {
  loaded_ = false;
  probes_.clear();
  pos_ = st_.engine_position();
  std::unordered_map<std::string, store::EngineProbe> rows;
  for (auto& e : st_.engine_probes()) rows.emplace(e.probe, std::move(e));
  std::unordered_map<std::string, TimeMs> checkpoints;
  for (auto& [probe, ts] : st_.latest_checkpoints()) checkpoints.emplace(std::move(probe), ts);
  for (const auto& ci : cat_.cis)
    for (const auto& def : ci.probes) {
      const engine::ProbeParams params{def.stale_after_ms, def.confirm};
      auto [it, fresh] = probes_.try_emplace(def.id);
      if (!fresh) continue;  // ids are unique in a valid catalogue
      Probe& p = it->second;
      p.params = params;
      p.builder = ProbeTimelineBuilder(params);
      const auto row = rows.find(def.id);
      if (row != rows.end() && row->second.stale_after_ms == params.stale_after_ms &&
          row->second.confirm == params.confirm) {
        p.builder.resume(from_store(row->second.state), last_points_before(def.id, kMaxTime));
        p.horizon = row->second.horizon;
        p.dirty_from = row->second.dirty_from;
        if (const auto c = checkpoints.find(def.id); c != checkpoints.end()) p.last_checkpoint = c->second;
      } else {
        // New to the engine, or built with other parameters: replayed from what is stored.
        p.builder.resume({}, last_points_before(def.id, kMaxTime));
        p.dirty_from = kMinTime;
        p.touched = true;
      }
      p.written = p.builder.points();
    }
  loaded_ = true;
}

void LiveEngine::maybe_checkpoint(Probe& p, TimeMs ts) {
  if (p.last_checkpoint && ts - *p.last_checkpoint < options_.checkpoint_every_ms) return;
  p.new_checkpoints.push_back(store::EngineCheckpoint{ts, to_store(p.builder.state())});
  p.last_checkpoint = ts;
}

void LiveEngine::apply(const store::StoredArrival& a) {
  const auto it = probes_.find(a.probe);
  if (it == probes_.end()) return;  // not in the catalogue
  Probe& p = it->second;
  p.touched = true;
  if (p.horizon && a.ts <= *p.horizon) {
    // Before (or at) what the probe has seen: its history changed from here.
    p.dirty_from = p.dirty_from ? std::min(*p.dirty_from, a.ts) : a.ts;
    return;
  }
  if (a.gap) {
    p.builder.gap(a.ts);
  } else {
    p.builder.add(a.ts, a.status);
    maybe_checkpoint(p, a.ts);
  }
  p.horizon = a.ts;
}

void LiveEngine::replay(const std::string& id, Probe& p, store::EngineCommit& commit) {
  const TimeMs from = *p.dirty_from;
  const auto ck = st_.checkpoint_before(id, from);
  std::vector<store::StoredArrival> history;
  st_.probe_history(id, ck ? ck->ts : kMinTime, pos_, [&](const store::StoredArrival& a) { history.push_back(a); });

  // The change points before `boundary` were written before the checkpoint's state and stay; those
  // from it on are written again. (Before a checkpoint's prev_ts, a pending run's start is after
  // every point written; without a pending run, every point written is at or before prev_ts.)
  ProbeTimelineBuilder::State state{};
  TimeMs boundary = kMaxTime;
  if (ck) {
    state = from_store(ck->state);
    boundary = state.pending_count > 0 ? state.pending_start : ck->ts + 1;
  } else if (!history.empty()) {
    // From the beginning of what is stored: points before it (results pruned since) stay.
    boundary = std::min(from, history.front().ts);
  }
  p.builder = ProbeTimelineBuilder(p.params);
  p.builder.resume(state, last_points_before(id, boundary));
  p.horizon = ck ? std::optional<TimeMs>(ck->ts) : std::nullopt;
  // The checkpoints from `ck` on are written again (this step's forward ones are superseded).
  p.last_checkpoint = p.horizon;
  p.new_checkpoints.clear();

  // Results of one ts: the last in agent order wins (distinct agents: never a resend of another).
  bool in_group = false;
  TimeMs group_ts = 0;
  Status winner = Status::unknown;
  auto flush = [&] {
    if (!in_group) return;
    p.builder.add(group_ts, winner);
    p.horizon = group_ts;
    maybe_checkpoint(p, group_ts);
    in_group = false;
  };
  for (const auto& a : history) {
    if (a.gap) {
      flush();
      p.builder.gap(a.ts);
      p.horizon = p.horizon ? std::max(*p.horizon, a.ts) : a.ts;
      continue;
    }
    if (in_group && group_ts != a.ts) flush();
    in_group = true;
    group_ts = a.ts;
    winner = a.status;
  }
  flush();

  store::EngineCommit::Rewrite w;
  w.probe = id;
  w.from = boundary;
  for (const auto& pt : p.builder.points())
    if (pt.t >= boundary) w.points.push_back(store::ChangePoint{pt.t, pt.status});
  w.checkpoints_from = ck ? ck->ts + 1 : kMinTime;
  w.checkpoints = std::move(p.new_checkpoints);
  p.new_checkpoints.clear();
  if (boundary != kMaxTime || !w.checkpoints.empty() || !ck) commit.rewrites.push_back(std::move(w));
  p.dirty_from.reset();
  p.dirty_steps = 0;
  p.touched = true;
}

store::EngineProbe LiveEngine::record(const std::string& id, const Probe& p) const {
  store::EngineProbe e;
  e.probe = id;
  e.stale_after_ms = p.params.stale_after_ms;
  e.confirm = p.params.confirm;
  e.state = to_store(p.builder.state());
  e.horizon = p.horizon;
  e.dirty_from = p.dirty_from;
  return e;
}

StepResult LiveEngine::step() {
  StepResult r;
  try {
    if (!loaded_) load();
    if (!(st_.engine_position() == pos_)) {
      load();  // another process applied arrivals: its state is the store's now
      r.reloaded = true;
    }
    const store::EnginePosition start = pos_;
    std::size_t results = 0, gaps = 0;
    pos_ = st_.arrivals_after(start, options_.step_arrivals, [&](const store::StoredArrival& a) {
      ++(a.gap ? gaps : results);
      apply(a);
    });
    r.arrivals = results + gaps;
    const bool caught_up = results < options_.step_arrivals && gaps < options_.step_arrivals;

    store::EngineCommit commit;
    commit.expect = start;
    commit.next = pos_;
    std::unordered_set<std::string> replayed;
    for (auto& [id, p] : probes_) {
      if (!p.dirty_from) continue;
      if (!caught_up && ++p.dirty_steps <= options_.replay_after_steps) continue;
      if (replayed.size() >= kReplaysPerStep) {
        r.more = true;
        continue;
      }
      replay(id, p, commit);
      replayed.insert(id);
    }
    r.replayed = replayed.size();
    r.more = r.more || !caught_up;

    for (auto& [id, p] : probes_) {
      if (!p.touched) continue;
      if (replayed.count(id) == 0 && (p.builder.points() != p.written || !p.new_checkpoints.empty())) {
        store::EngineCommit::Rewrite w;
        w.probe = id;
        w.from = p.written.empty() ? kMinTime : p.written.front().t;
        for (const auto& pt : p.builder.points()) w.points.push_back(store::ChangePoint{pt.t, pt.status});
        w.checkpoints_from = p.new_checkpoints.empty() ? kMaxTime : p.new_checkpoints.front().ts;
        w.checkpoints = p.new_checkpoints;
        commit.rewrites.push_back(std::move(w));
      }
      commit.probes.push_back(record(id, p));
    }
    if (!st_.engine_commit(commit)) {
      load();
      r.reloaded = true;
      r.more = true;
      return r;
    }
    for (auto& [id, p] : probes_) {
      if (!p.touched) continue;
      const auto& pts = p.builder.points();
      const bool was = !p.written.empty(), is = !pts.empty();
      if (was != is || (is && !(p.written.back() == pts.back()))) r.changed.push_back(id);
      p.builder.keep_last_points();
      p.written = p.builder.points();
      p.new_checkpoints.clear();
      p.touched = false;
    }
    return r;
  } catch (...) {
    loaded_ = false;  // the memory may be ahead of the store: read it again at the next step
    throw;
  }
}

std::optional<ProbeNow> LiveEngine::probe_now(const std::string& probe, TimeMs now) const {
  const auto it = probes_.find(probe);
  if (it == probes_.end()) return std::nullopt;
  const Probe& p = it->second;
  const auto& pts = p.builder.points();
  const auto s = p.builder.state();
  if (s.has_prev && now >= s.prev_ts + p.params.stale_after_ms) {
    if (!pts.empty() && pts.back().status == Status::unknown) return ProbeNow{Status::unknown, pts.back().t};
    return ProbeNow{Status::unknown, s.prev_ts + p.params.stale_after_ms};
  }
  if (pts.empty()) return ProbeNow{};
  return ProbeNow{pts.back().status, pts.back().t};
}

engine::StatusTimeline LiveEngine::recent_timeline(const std::string& probe, TimeMs now) const {
  engine::StatusTimeline out;
  const auto it = probes_.find(probe);
  if (it == probes_.end()) return out;
  const Probe& p = it->second;
  for (const auto& pt : p.builder.points())
    if (pt.t <= now) engine::append_change(out, pt.t, pt.status);
  const auto s = p.builder.state();
  const TimeMs stale = s.prev_ts + p.params.stale_after_ms;
  if (s.has_prev && stale <= now && (out.empty() || stale >= out.back().t)) engine::append_change(out, stale, Status::unknown);
  while (!out.empty() && out.front().status == Status::unknown) out.erase(out.begin());
  return out;
}

std::optional<TimeMs> LiveEngine::stale_at(const Probe& p) {
  const auto& pts = p.builder.points();
  const auto s = p.builder.state();
  if (!s.has_prev || pts.empty() || pts.back().status == Status::unknown) return std::nullopt;
  return s.prev_ts + p.params.stale_after_ms;
}

std::optional<TimeMs> LiveEngine::next_staleness(TimeMs now) const {
  std::optional<TimeMs> best;
  for (const auto& [id, p] : probes_) {
    const auto at = stale_at(p);
    if (!at || *at <= now) continue;
    if (!best || *at < *best) best = at;
  }
  return best;
}

std::optional<TimeMs> LiveEngine::stale_since(const std::string& probe, TimeMs now) const {
  const auto it = probes_.find(probe);
  if (it == probes_.end()) return std::nullopt;
  const auto at = stale_at(it->second);
  if (!at || *at > now) return std::nullopt;
  return at;
}

std::vector<std::string> LiveEngine::stale_between(TimeMs after, TimeMs upto) const {
  std::vector<std::string> out;
  for (const auto& [id, p] : probes_) {
    const auto at = stale_at(p);
    if (at && *at > after && *at <= upto) out.push_back(id);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::size_t LiveEngine::dirty() const {
  return static_cast<std::size_t>(
      std::count_if(probes_.begin(), probes_.end(), [](const auto& kv) { return kv.second.dirty_from.has_value(); }));
}

}  // namespace slamon::live
