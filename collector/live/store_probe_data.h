// Probe data for reports and status from the live engine's change points (what
// engine::build_probe_data gives over every result, for the instants a report looks at), plus, for
// the probes a response-time objective names, the latencies of their results from the raw results
// (the store keeps those past the retention). The engine must be caught up (LiveEngine::step until
// nothing is left) for the figures to cover every stored result.
#pragma once

#include <functional>
#include <set>
#include <string>

#include "collector/engine/probe_data.h"
#include "collector/engine/timeline.h"
#include "collector/store/engine_store.h"
#include "collector/store/store.h"
#include "common/catalogue/model.h"

namespace slamon::live {

// For every probe of the catalogue: its timeline over `window` (the last change point before it, the
// change points in it, and unknown from its last result + stale_after when that falls in it), and
// for those in `rt_probes` the latencies of their winning up/degraded results in the window.
// `on_progress` is called once per probe done. Throws store::StoreFailure.
engine::ProbeDataMap probe_data_from_engine(store::EngineStore& es, store::Store& st, const catalogue::Catalogue& cat,
                                            engine::Interval window, const std::set<std::string>& rt_probes,
                                            const std::function<void()>& on_progress = {});

// The latest ts the engine has applied for any probe of the catalogue (nullopt: none).
std::optional<TimeMs> newest_applied(store::EngineStore& es, const catalogue::Catalogue& cat);

}  // namespace slamon::live
