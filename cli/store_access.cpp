// Opening the store for the CLI and feeding the engine from it (see store_access.h).
#include "cli/store_access.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <unordered_map>

#include "collector/engine/history_window.h"
#include "collector/live/live_engine.h"
#include "collector/live/overlay_store.h"
#include "collector/live/store_probe_data.h"
#include "collector/store/open_store.h"
#include "common/collector_config.h"

namespace slamon::cli {

std::unique_ptr<store::Store> open_store(const std::string& command, const std::string& db, bool create) {
  std::string error;
  const auto loc = parse_store_location(db, std::filesystem::current_path(), error);
  if (!loc) {
    std::fprintf(stderr, "slamon %s: --db: %s\n", command.c_str(), error.c_str());
    return nullptr;
  }
  return open_store(command, *loc, create);
}

std::unique_ptr<store::Store> open_store(const std::string& command, const StoreLocation& loc, bool create) {
  const std::string& path = loc.target;
  struct stat st {};
  if (loc.kind == StoreLocation::Kind::postgresql) {
    // A database: opened below (without create, one without slamon's schema is refused).
  } else if (::stat(path.c_str(), &st) != 0) {
    if (errno != ENOENT || !create) {
      std::fprintf(stderr, "slamon %s: store %s: %s\n", command.c_str(), path.c_str(),
                   errno == ENOENT ? "no such store (nothing is created)" : std::strerror(errno));
      return nullptr;
    }
  } else if (S_ISDIR(st.st_mode)) {
    std::fprintf(stderr, "slamon %s: store %s: is a directory, not a store\n", command.c_str(), path.c_str());
    return nullptr;
  }
  try {
    return store::open_store(loc, {.create = create, .durable = true}).store;
  } catch (const store::StoreFailure& e) {
    std::fprintf(stderr, "slamon %s: %s\n", command.c_str(), e.what());
    return nullptr;
  }
}

std::optional<TimeMs> parse_time_option(const std::string& command, const std::string& option,
                                        const std::string& text) {
  const auto t = parse_rfc3339(text);
  if (!t) {
    std::fprintf(stderr, "slamon %s: %s '%s' is not an RFC 3339 timestamp with an offset\n", command.c_str(),
                 option.c_str(), text.c_str());
    return std::nullopt;
  }
  return t;
}

namespace {

// One catalogue probe's feeding: its gaps (sorted starts) go in before results of their ts or later.
struct ProbeFeed {
  engine::ProbeParams params;
  std::vector<TimeMs> gaps;
  std::size_t next_gap = 0;
};

class Feeder {
 public:
  Feeder(engine::ResultIngest& ingest, StoreFeed& stats, Progress& progress,
         const std::function<void(const std::string&)>& on_unknown)
      : ingest_(ingest), stats_(stats), progress_(progress), on_unknown_(on_unknown) {}

  void gaps_until(const std::string& probe, ProbeFeed& p, TimeMs ts) {
    for (; p.next_gap < p.gaps.size() && p.gaps[p.next_gap] <= ts; ++p.next_gap) {
      ingest_.add_gap(probe, p.gaps[p.next_gap]);
      ++stats_.gaps;
    }
  }
  void result(ProbeFeed* p, const ProbeResult& r) {
    progress_.tick();
    if (p) gaps_until(r.probe, *p, r.ts);
    const auto o = ingest_.add(r);
    if (o == engine::ResultIngest::Outcome::unknown_probe_first) on_unknown_(r.probe);
    if (o == engine::ResultIngest::Outcome::used) ++stats_.results;
  }

 private:
  engine::ResultIngest& ingest_;
  StoreFeed& stats_;
  Progress& progress_;
  const std::function<void(const std::string&)>& on_unknown_;
};

}  // namespace

StoreFeed feed_from_store(const std::string& command, store::Store& s, const catalogue::Catalogue& cat,
                          engine::Interval window, std::optional<TimeMs> cut, engine::ResultIngest& ingest,
                          const std::function<void(const std::string&)>& on_unknown_probe) {
  StoreFeed stats;
  Progress progress(command, "results read from the store");
  Feeder feed(ingest, stats, progress, on_unknown_probe);
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
    else if (ingest.add_gap(g.probe, g.from_ms) == engine::ResultIngest::Outcome::unknown_probe_first)
      on_unknown_probe(g.probe);
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

std::optional<engine::ProbeDataMap> probe_data_from_changes(const std::string& command, store::Store& s,
                                                            const catalogue::Catalogue& cat, engine::Interval window,
                                                            std::optional<TimeMs> cut) {
  auto* es = dynamic_cast<store::EngineStore*>(&s);
  if (es == nullptr) return std::nullopt;
  live::OverlayEngineStore overlay(*es);
  live::LiveEngine engine(cat, overlay);
  Progress progress(command, "results applied to the change points");
  for (int steps = 0;; ++steps) {
    const auto r = engine.step();
    for (std::size_t i = 0; i < r.arrivals; ++i) progress.tick();
    if (!r.more) break;
  }
  if (cut) {
    const auto newest = live::newest_applied(overlay, cat);
    if (newest && *cut <= *newest) {
      // The raw results from a day before the window on (the anchors a probe's state needs).
      const auto pruned = s.pruned_before();
      if (!pruned || *pruned <= window.begin - 86'400'000) return std::nullopt;
      std::fprintf(stderr,
                   "slamon %s: warning: raw results before %s were pruned (retention): the figures up to the cut "
                   "come from the confirmed change points, which also reflect results after it\n",
                   command.c_str(), format_rfc3339(*pruned).c_str());
    }
  }
  const auto rt = engine::response_time_probes(cat);
  return live::probe_data_from_engine(overlay, s, cat, window, rt);
}

void Progress::tick() {
  if (++n_ % 1'000'000 == 0)
    std::fprintf(stderr, "slamon %s: %llu %s\n", command_.c_str(), static_cast<unsigned long long>(n_), what_.c_str());
}

}  // namespace slamon::cli
