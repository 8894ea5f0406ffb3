// What a report computed from the store reads, shared by `slamon report --db`, `slamon status --db`
// and the collector's HTTP API (so that all three give the same figures for the same store): the raw
// results a report over a window needs, fed to the engine's ingest, or the same probe data from the
// live engine's change points. Over the store interfaces only (no SQLite, no Asio); what the caller
// says on the way (progress, warnings) goes through StoreReadHooks.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "collector/engine/probe_data.h"
#include "collector/engine/result_ingest.h"
#include "collector/engine/timeline.h"
#include "collector/store/store.h"
#include "common/catalogue/model.h"

namespace slamon::live {

// What the caller hears while the store is read; every hook optional.
struct StoreReadHooks {
  std::function<void()> result_read;     // one raw result read (progress)
  std::function<void()> change_applied;  // one arrival applied to the change points in memory (progress)
  // Results and gap records of a probe the catalogue does not know (once per probe).
  std::function<void(const std::string& probe)> unknown_probe;
  // The change points are used although the cut falls before the newest applied result, because the
  // raw results before `pruned_before` are gone (retention).
  std::function<void(TimeMs pruned_before)> pruned;
};

struct StoreFeed {
  std::size_t results = 0;  // fed to the ingest
  std::size_t gaps = 0;
};

// Feeds `ingest` (built with `cut`) with what reports looking at `window` need, in ts order per probe:
// per catalogue probe its results from its anchor before window.begin, every result in the window,
// and `confirm` result times after it (before `cut`); gap records before `cut`. Results and gaps of
// probes the catalogue does not know go through hooks.unknown_probe. Throws store::StoreFailure.
StoreFeed feed_from_store(store::Store& s, const catalogue::Catalogue& cat, engine::Interval window,
                          std::optional<TimeMs> cut, engine::ResultIngest& ingest, const StoreReadHooks& hooks);

// The probe data reports over `window` need, from the live engine's change points (exact after raw
// results are pruned; store_probe_data.h). The engine is first brought up to date for this catalogue
// in memory (what the collector has not applied yet, probes whose parameters differ), without
// writing to the store. nullopt when the raw results give it exactly and the change points do not:
// `cut` falls at or before the newest result applied (a cut report ignores later results, which the
// change points include), and the raw results of the window are still there; the caller then reads
// them (feed_from_store). When they were pruned, the change points are used after hooks.pruned (a
// run pending at the cut and confirmed after it counts). nullopt too when `s` keeps no change points.
// Throws store::StoreFailure.
std::optional<engine::ProbeDataMap> probe_data_from_changes(store::Store& s, const catalogue::Catalogue& cat,
                                                            engine::Interval window, std::optional<TimeMs> cut,
                                                            const StoreReadHooks& hooks);

// Both of the above as `slamon report --db` uses them: the probe data for reports over `window` cut
// at `cut` (no window: nothing to read, the data of no result). Throws store::StoreFailure, and
// std::logic_error when the store's results came out of ts order (a bug).
engine::ProbeDataMap probe_data_for_reports(store::Store& s, const catalogue::Catalogue& cat,
                                            const std::optional<engine::Interval>& window, std::optional<TimeMs> cut,
                                            const StoreReadHooks& hooks);

}  // namespace slamon::live
