// The subjects the notifications follow (collector/engine/notifications.h), as the live engine sees
// them now: an outage per service and CI (bad under the notion of the first SLA on it, else down;
// planned per that notion and the graph's maintenance windows), an agent lost when every probe it
// runs has turned unknown for staleness (its link silent past stale_after); and the rows of the
// delivery log a notification claims. Pure: no I/O.
#pragma once

#include <vector>

#include "collector/engine/graph.h"
#include "collector/engine/notifications.h"
#include "collector/live/live_engine.h"
#include "collector/store/notification_store.h"
#include "common/catalogue/model.h"

namespace slamon::live {

// `graph` is of `cat`, with every maintenance window in force (the catalogue's and the API's).
std::vector<engine::SubjectState> observe_subjects(const LiveEngine& engine, const catalogue::Catalogue& cat,
                                                   const engine::Graph& graph, TimeMs now);

// The notification as the webhook's JSON body and the log's payload: kind, subject, sla, severity,
// at (RFC 3339), dedup_key.
std::string notification_json(const engine::Notification& n);

// The rows to claim for `n` at `now`: one per webhook and per address (pending, due now), or one
// unrouted row without target.
std::vector<store::Delivery> claims_for(const engine::Notification& n, TimeMs now);

}  // namespace slamon::live
