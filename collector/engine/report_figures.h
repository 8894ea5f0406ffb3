// The figures of one report as labelled, formatted rows: the one list that the text and HTML
// reports both print, so that they never disagree on what a report shows.
#pragma once

#include <string>
#include <vector>

#include "collector/engine/report.h"

namespace slamon::engine {

struct FigureRow {
  std::string label;  // "Agreed service time", "Availability", ...
  std::string value;  // "86400 s (1d)", "99.9306 %", "n/a"
  bool operator==(const FigureRow&) const = default;
};

// Service time, planned, unknown, unmonitored, up, down, degraded, availability, coverage, error
// budget and what remains of it, outages, longest outage, MTRS, MTBF, MTBSI, and the response-time
// objective when the SLA has one.
std::vector<FigureRow> report_figures(const Report& r);

// "12.3456 %", or "n/a".
std::string format_percent(const std::optional<double>& v, int decimals = 4);

}  // namespace slamon::engine
