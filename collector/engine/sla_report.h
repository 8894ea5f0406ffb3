// One SLA's report for one period (semantics.md sections 4, 6 and 7): classification of every
// instant, outages and their causes, ITIL figures, error budget, response-time objective, verdict.
#pragma once

#include <optional>
#include <string>

#include "collector/engine/node_timelines.h"
#include "collector/engine/period.h"
#include "collector/engine/report.h"

namespace slamon::engine {

struct ReportOutcome {
  std::optional<Report> report;
  std::string error;  // set when report is not
  bool before_first_version = false;
};

// `as_of`: the cut (the caller built the probe data from results with ts < as_of); nullopt reports
// the whole period with every result given.
ReportOutcome compute_report(NodeTimelines& nodes, const ProbeDataMap& probes, const catalogue::Sla& sla,
                             const Period& period, std::optional<TimeMs> as_of);

// The period of the SLA for a label (its kind must match the SLA's), or an error.
struct PeriodOutcome {
  std::optional<Period> period;
  std::string error;
};
PeriodOutcome sla_period(const catalogue::Sla& sla, const std::string& label);

}  // namespace slamon::engine
