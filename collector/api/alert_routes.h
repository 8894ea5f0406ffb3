// The burn-rate alert endpoints (docs/api.md, docs/alerts.md): GET /api/v1/alerts (every SLA's rules
// at the engine snapshot's instant: firing or not, since when, both windows' burn rates, and the
// forecast of the period's end) and GET /api/v1/slas/{id}/alerts?from=&to= (the firing and resolving
// instants of `slamon alerts --db --format json`). Both are store jobs over the engine's functions
// (collector/engine/sla_alerts.h), read as `slamon alerts --db` reads, cached like reports.
#pragma once

#include <optional>

#include "collector/api/request_target.h"
#include "collector/api/store_job.h"
#include "collector/engine/sla_alerts.h"
#include "collector/live/live_snapshot.h"
#include "common/time.h"

namespace slamon::collector::api {

struct ApiState;
struct ApiCatalogue;

// How far back GET /api/v1/alerts looks for the instant a firing alert began (older: `since` null).
inline constexpr DurationMs kAlertsLookbackMs = 7LL * 24 * 3600 * 1000;
// GET /api/v1/slas/{id}/alerts: the span when from is not given, and the longest one allowed.
inline constexpr DurationMs kAlertsDefaultSpanMs = 24LL * 3600 * 1000;
inline constexpr DurationMs kAlertsMaxSpanMs = 366LL * 24 * 3600 * 1000;

// The answer of GET /api/v1/alerts from every SLA's alerts over [from, to] (from: to - the lookback):
// per rule firing at `to` or not, `since` the instant it last fired (null: not firing, or firing since
// before `from`), both burn rates at `to`; per SLA the count firing and the forecast.
std::string alerts_now_to_json(const std::vector<engine::SlaAlerts>& all, const ApiCatalogue& cat,
                               const live::LiveSnapshot& snap, TimeMs from, TimeMs to);

// GET /api/v1/alerts (seg.size() == 3) and /api/v1/slas/{id}/alerts; nullopt: neither.
std::optional<Routed> route_alerts(const Target& t, const ApiState& s);

}  // namespace slamon::collector::api
