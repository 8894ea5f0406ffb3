// Which reports `slamon report` asks for: one SLA, every SLA whose period kind matches the label
// (those whose period starts before their first version are left out, with the reason), or the
// last N periods of one SLA (--trend). Pure over the catalogue and probe data.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "collector/engine/node_timelines.h"
#include "collector/engine/report.h"
#include "common/catalogue/model.h"

namespace slamon::engine {

struct ReportRequest {
  std::optional<std::string> sla;  // nullopt: every SLA of the label's kind
  std::string label;
  std::optional<TimeMs> as_of;
  int trend = 0;  // > 0: the last `trend` periods of `sla`, oldest first
  // Agreement reports instead (agreement_report.h): `agreement`, or every agreement of the label's kind.
  bool agreements = false;
  std::optional<std::string> agreement;
};

struct ReportSet {
  std::vector<Report> reports;
  std::vector<std::string> left_out;  // "sla X: why", for stderr
  std::string error;                  // set: nothing to print, exit non-zero
};

ReportSet run_reports(NodeTimelines& nodes, const ProbeDataMap& probes, const catalogue::Catalogue& cat,
                      const ReportRequest& req);

}  // namespace slamon::engine
