// The feasibility check (feasibility.h) as text for people and as JSON (docs/feasibility.md).
#pragma once

#include <string>
#include <vector>

#include "collector/engine/feasibility.h"
#include "common/json_writer.h"

namespace slamon::engine {

// A JSON array with one object per SLA; percentages and minutes rounded to 10 decimals.
void write_feasibility_json(JsonWriter& w, const std::vector<SlaFeasibility>& slas);
// One block per SLA, then a summary line.
std::string feasibility_text(const std::vector<SlaFeasibility>& slas);

}  // namespace slamon::engine
