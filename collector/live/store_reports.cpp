// Reading from the store what reports need (see store_reports.h), moved here from the CLI so that
// the collector's API computes its reports exactly as `slamon report --db` does.
#include "collector/live/store_reports.h"

#include <algorithm>
#include <stdexcept>
#include <unordered_map>

#include "collector/engine/history_window.h"
#include "collector/live/live_engine.h"
#include "collector/live/overlay_store.h"
#include "collector/live/store_probe_data.h"
#include "collector/store/engine_store.h"

namespace slamon::live {

namespace {

// One catalogue probe's feeding: its gaps (sorted starts) go in before results of their ts or later.
struct ProbeFeed {
  engine::ProbeParams params;
  std::vector<TimeMs> gaps;
  std::size_t next_gap = 0;
};

class Feeder {
 public:
  Feeder(engine::ResultIngest& ingest, StoreFeed& stats, const StoreReadHooks& hooks)
      : ingest_(ingest), stats_(stats), hooks_(hooks) {}

  void gaps_until(const std::string& probe, ProbeFeed& p, TimeMs ts) {
    for (; p.next_gap < p.gaps.size() && p.gaps[p.next_gap] <= ts; ++p.next_gap) {
      ingest_.add_gap(probe, p.gaps[p.next_gap]);
      ++stats_.gaps;
    }
  }
  void result(ProbeFeed* p, const ProbeResult& r) {
    if (hooks_.result_read) hooks_.result_read();
    if (p) gaps_until(r.probe, *p, r.ts);
    const auto o = ingest_.add(r);
    if (o == engine::ResultIngest::Outcome::unknown_probe_first && hooks_.unknown_probe) hooks_.unknown_probe(r.probe);
    if (o == engine::ResultIngest::Outcome::used) ++stats_.results;
  }

 private:
  engine::ResultIngest& ingest_;
  StoreFeed& stats_;
  const StoreReadHooks& hooks_;
};

}  // namespace

StoreFeed feed_from_store(store::Store& s, const catalogue::Catalogue& cat, engine::Interval window,
                          std::optional<TimeMs> cut, engine::ResultIngest& ingest, const StoreReadHooks& hooks) {
  StoreFeed stats;
  Feeder feed(ingest, stats, hooks);
  std::unordered_map<std::string, ProbeFeed> probes;
  std::vector<std::string> order;  // catalogue order
  for (const auto& ci : cat.cis)
    for (const auto& p : ci.probes) {
      probes[p.id].params = engine::ProbeParams{p.stale_after_ms, p.confirm};
      order.push_back(p.id);
    }
  // Gap records before the cut; those of unknown probes are named like their results.
  store::ResultQuery gq;
  gq.to_ms = cut;
  for (auto& g : s.gaps(gq)) {
    if (cut && g.from_ms >= *cut) continue;
    if (auto it = probes.find(g.probe); it != probes.end()) it->second.gaps.push_back(g.from_ms);
    else if (ingest.add_gap(g.probe, g.from_ms) == engine::ResultIngest::Outcome::unknown_probe_first &&
             hooks.unknown_probe)
      hooks.unknown_probe(g.probe);
  }
  for (auto& [id, p] : probes) std::sort(p.gaps.begin(), p.gaps.end());

  const TimeMs lo = window.begin;
  const TimeMs hi = cut ? std::min(window.end, *cut) : window.end;
  using Direction = store::Store::Direction;

  // 1. Before the window: walk back to the anchor (never below the latest gap at or before lo).
  for (const auto& id : order) {
    ProbeFeed& p = probes[id];
    TimeMs bound = engine::kMinTime;
    for (TimeMs g : p.gaps)
      if (g <= lo) bound = std::max(bound, g);
    engine::HistoryAnchor anchor(p.params, lo);
    std::vector<ProbeResult> kept;  // latest first; one ts group's rows in agent order
    std::size_t group_begin = 0;
    bool found = false;
    // A complete group (kept[group_begin, end)): its winner is the last arrival (agent order).
    auto close_group = [&]() {
      if (group_begin == kept.size()) return;
      found = anchor.add_earlier(kept[group_begin].ts, kept.back().status);
      group_begin = kept.size();
    };
    s.walk_probe_results(id, lo, Direction::backward, [&](const ProbeResult& r) {
      if (r.ts < bound) return false;
      if (group_begin < kept.size() && kept[group_begin].ts != r.ts) {
        close_group();
        if (found) return false;
      }
      kept.push_back(r);
      return true;
    });
    if (!found) close_group();
    // kept is latest first by ts but agent-ascending within a ts: feed by ts ascending, agents ascending.
    std::vector<ProbeResult> needed;
    for (auto& r : kept)
      if (r.ts >= anchor.start()) needed.push_back(std::move(r));
    std::stable_sort(needed.begin(), needed.end(), [](const ProbeResult& a, const ProbeResult& b) { return a.ts < b.ts; });
    for (const auto& r : needed) feed.result(&p, r);
  }

  // 2. The window, every probe in one read ordered by ts, probe, agent.
  if (lo < hi) {
    store::ResultQuery q;
    q.from_ms = lo;
    q.to_ms = hi;
    s.for_each_result(q, [&](const ProbeResult& r) {
      auto it = probes.find(r.probe);
      feed.result(it == probes.end() ? nullptr : &it->second, r);
    });
  }

  // 3. After it: `confirm` result times settle a run still pending at its end (before the cut).
  if (!cut || hi < *cut) {
    for (const auto& id : order) {
      ProbeFeed& p = probes[id];
      int groups = 0;
      std::optional<TimeMs> group_ts;
      s.walk_probe_results(id, hi, Direction::forward, [&](const ProbeResult& r) {
        if (cut && r.ts >= *cut) return false;
        if (!group_ts || *group_ts != r.ts) {
          if (groups == p.params.confirm) return false;
          ++groups;
          group_ts = r.ts;
        }
        feed.result(&p, r);
        return true;
      });
    }
  }
  // Gaps after everything fed.
  for (const auto& id : order) feed.gaps_until(id, probes[id], engine::kMaxTime);
  return stats;
}

std::optional<engine::ProbeDataMap> probe_data_from_changes(store::Store& s, const catalogue::Catalogue& cat,
                                                            engine::Interval window, std::optional<TimeMs> cut,
                                                            const StoreReadHooks& hooks) {
  auto* es = dynamic_cast<store::EngineStore*>(&s);
  if (es == nullptr) return std::nullopt;
  live::OverlayEngineStore overlay(*es);
  live::LiveEngine engine(cat, overlay);
  for (;;) {
    const auto r = engine.step();
    if (hooks.change_applied)
      for (std::size_t i = 0; i < r.arrivals; ++i) hooks.change_applied();
    if (!r.more) break;
  }
  if (cut) {
    const auto newest = live::newest_applied(overlay, cat);
    if (newest && *cut <= *newest) {
      // The raw results from a day before the window on (the anchors a probe's state needs).
      const auto pruned = s.pruned_before();
      if (!pruned || *pruned <= window.begin - 86'400'000) return std::nullopt;
      if (hooks.pruned) hooks.pruned(*pruned);
    }
  }
  const auto rt = engine::response_time_probes(cat);
  return live::probe_data_from_engine(overlay, s, cat, window, rt);
}

engine::ProbeDataMap probe_data_for_reports(store::Store& s, const catalogue::Catalogue& cat,
                                            const std::optional<engine::Interval>& window, std::optional<TimeMs> cut,
                                            const StoreReadHooks& hooks) {
  engine::ResultIngest ingest(cat, cut);
  if (window) {
    if (auto data = probe_data_from_changes(s, cat, *window, cut, hooks)) return std::move(*data);
    feed_from_store(s, cat, *window, cut, ingest, hooks);
  }
  if (ingest.needs_second_pass()) throw std::logic_error("the store's results were not fed in time order");
  return ingest.finish();
}

}  // namespace slamon::live
