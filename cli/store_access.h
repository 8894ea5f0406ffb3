// The commands over the collector's store (export, import, report --db, status): opening the store
// that --db names (what collector.yaml's `store` takes), time options, and reading from the store what
// the engine needs for reports over a window (collector/engine/history_window.h), exactly.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "collector/engine/result_ingest.h"
#include "collector/engine/timeline.h"
#include "collector/store/store.h"
#include "common/catalogue/model.h"
#include "common/collector_config.h"

namespace slamon::cli {

// Opens the store --db names; `create` only for import (the one writer command): otherwise a store
// that does not exist is an error and nothing is created. nullptr after "slamon COMMAND: why" on
// stderr; the exit status is then 2.
std::unique_ptr<store::Store> open_store(const std::string& command, const std::string& db, bool create);
// The same for a location already parsed (collector.yaml's `store`).
std::unique_ptr<store::Store> open_store(const std::string& command, const StoreLocation& loc, bool create);

// An RFC 3339 option (--from, --to, --as-of): nullopt after an error on stderr naming the option.
std::optional<TimeMs> parse_time_option(const std::string& command, const std::string& option,
                                        const std::string& text);

// Progress on stderr for long work: "slamon COMMAND: N rows ..." every million.
class Progress {
 public:
  Progress(std::string command, std::string what) : command_(std::move(command)), what_(std::move(what)) {}
  void tick();

 private:
  std::string command_, what_;
  std::uint64_t n_ = 0;
};

struct StoreFeed {
  std::size_t results = 0;  // fed to the ingest
  std::size_t gaps = 0;
};

// Feeds `ingest` (built with `cut`) with what reports looking at `window` need, in ts order per probe:
// per catalogue probe its results from its anchor before window.begin, every result in the window,
// and `confirm` result times after it (before `cut`); gap records before `cut`. Results and gaps of
// probes the catalogue does not know are named once each through `on_unknown_probe`. Throws
// store::StoreFailure.
// `command` names the progress lines on stderr (a line per million results read).
StoreFeed feed_from_store(const std::string& command, store::Store& s, const catalogue::Catalogue& cat,
                          engine::Interval window, std::optional<TimeMs> cut, engine::ResultIngest& ingest,
                          const std::function<void(const std::string&)>& on_unknown_probe);

// The probe data reports over `window` need, from the live engine's change points (exact after raw
// results are pruned; collector/live/store_probe_data.h). The engine is first brought up to date
// for this catalogue in memory (what the collector has not applied yet, probes whose parameters
// differ), without writing to the store. nullopt when the raw results give it exactly and the
// change points do not: `cut` falls at or before the newest result applied (a cut report ignores
// later results, which the change points include), and the raw results of the window are still
// there; the caller then reads them (feed_from_store). When they were pruned, the change points
// are used with a warning on stderr (a run pending at the cut and confirmed after it counts).
// Throws store::StoreFailure.
std::optional<engine::ProbeDataMap> probe_data_from_changes(const std::string& command, store::Store& s,
                                                            const catalogue::Catalogue& cat, engine::Interval window,
                                                            std::optional<TimeMs> cut);

}  // namespace slamon::cli
