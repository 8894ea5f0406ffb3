// Writing `slamon alerts`: every firing and resolving instant per SLA and rule, the burn rates at the
// span's end and the forecast, as one JSON object or as text (docs/alerts.md).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "collector/engine/sla_alerts.h"
#include "common/json_writer.h"

namespace slamon::engine {

std::string alerts_to_json(const std::vector<SlaAlerts>& slas, TimeMs from, TimeMs to);
std::string alerts_to_text(const std::vector<SlaAlerts>& slas, TimeMs from, TimeMs to);

// A forecast as the `forecast` value of that JSON (null when there is none): also the API's.
void forecast_to_json(JsonWriter& w, const std::optional<Forecast>& forecast);

// Whether any rule of any SLA is firing at the span's end (the command then exits 1).
bool any_firing_at_end(const std::vector<SlaAlerts>& slas);

}  // namespace slamon::engine
