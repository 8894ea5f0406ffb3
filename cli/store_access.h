// The commands over the collector's store (export, import, report --db, status): opening the store
// that --db names (what collector.yaml's `store` takes), time options, and reading from the store what
// the engine needs for reports over a window (collector/live/store_reports.h, shared with the
// collector's API), exactly.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "collector/engine/result_ingest.h"
#include "collector/engine/timeline.h"
#include "collector/live/store_reports.h"
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

using StoreFeed = live::StoreFeed;

// live::feed_from_store (collector/live/store_reports.h) with progress on stderr: `command` names
// the progress lines (a line per million results read). Results and gaps of probes the catalogue
// does not know are named once each through `on_unknown_probe`. Throws store::StoreFailure.
StoreFeed feed_from_store(const std::string& command, store::Store& s, const catalogue::Catalogue& cat,
                          engine::Interval window, std::optional<TimeMs> cut, engine::ResultIngest& ingest,
                          const std::function<void(const std::string&)>& on_unknown_probe);

// live::probe_data_from_changes (collector/live/store_reports.h) with progress on stderr, and a
// warning there when the change points are used because the raw results were pruned. Throws
// store::StoreFailure.
std::optional<engine::ProbeDataMap> probe_data_from_changes(const std::string& command, store::Store& s,
                                                            const catalogue::Catalogue& cat, engine::Interval window,
                                                            std::optional<TimeMs> cut);

}  // namespace slamon::cli
