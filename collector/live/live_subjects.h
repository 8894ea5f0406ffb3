// The subjects the notifications follow (collector/engine/notifications.h), as the live engine sees
// them now: an outage per service and CI (bad under the notion of the first SLA on it, else down;
// planned per that notion and the graph's maintenance windows), an agent lost when every probe it
// runs has turned unknown for staleness (its link silent past stale_after); and the rows of the
// delivery log a notification claims. Pure: no I/O.
#pragma once

#include <vector>

#include "collector/engine/graph.h"
#include "collector/engine/node_timelines.h"
#include "collector/engine/notifications.h"
#include "collector/live/live_engine.h"
#include "collector/store/notification_store.h"
#include "common/catalogue/model.h"

namespace slamon::live {

// `graph` is of `cat`, with every maintenance window in force (the catalogue's and the API's).
std::vector<engine::SubjectState> observe_subjects(const LiveEngine& engine, const catalogue::Catalogue& cat,
                                                   const engine::Graph& graph, TimeMs now);

// The data window the burn-rate alerts at `now` need: each SLA's current period and its rules' long
// windows before `now - longest long window` (as `slamon alerts` reads it).
engine::Interval alerts_window(const catalogue::Catalogue& cat, TimeMs now);

// The burn-rate alerts of every SLA at `now` (subject "SLA/severity/LONG/SHORT", engine/sla_alerts.h),
// over `nodes`: full timelines (store_reports.h) over alerts_window, of a graph with every window in force.
std::vector<engine::SubjectState> observe_alerts(engine::NodeTimelines& nodes, const catalogue::Catalogue& cat,
                                                 TimeMs now);

// The notification as the webhook's JSON body and the log's payload: kind, subject, sla, severity,
// at (RFC 3339), dedup_key.
std::string notification_json(const engine::Notification& n);

// The rows to claim for `n` at `now`: one per webhook and per address (pending, due now), or one
// unrouted row without target.
std::vector<store::Delivery> claims_for(const engine::Notification& n, TimeMs now);

}  // namespace slamon::live
