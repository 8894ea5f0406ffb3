// Presenting reports: the JSON object of interchange.md (keys in the spec's order), a readable text
// report, CSV and a self-contained printable HTML page. Pure functions from reports to text; times
// in the SLA's timezone except in JSON (UTC, RFC 3339).
#pragma once

#include <string>
#include <vector>

#include "collector/engine/report.h"
#include "common/json_writer.h"

namespace slamon::engine {

// Writes one report object into w.
void write_report_json(JsonWriter& w, const Report& r);
// One report as one JSON object; a list as a JSON array.
std::string report_to_json(const Report& r);
std::string reports_to_json(const std::vector<Report>& rs);

// Text: header, figures, outage table, verdict; with several reports, the attainment KPI at the end.
std::string report_to_text(const Report& r);
std::string reports_to_text(const std::vector<Report>& rs, bool with_kpi);
// Several periods of one SLA side by side.
std::string trend_to_text(const std::vector<Report>& rs);

// CSV: one header line and one line per report (figures), then the outages as a second table.
std::string reports_to_csv(const std::vector<Report>& rs);

// One HTML page (no external resources): per report the figures, an availability bar per day with
// outages marked, and the outage list with causes.
std::string reports_to_html(const std::vector<Report>& rs, bool with_kpi);

// "2026-10-14 10:00:00 CST" style local time in the zone (for text, CSV and HTML).
std::string format_local(TimeMs t, const std::string& timezone);
// Seconds with up to 3 decimals, trailing zeros dropped ("600", "0.5").
std::string format_seconds(double s);

}  // namespace slamon::engine
