// The figure rows shared by the text and HTML reports.
#include "collector/engine/report_figures.h"

#include <cstdio>

#include "collector/engine/report_format.h"

namespace slamon::engine {
namespace {

std::string dur(DurationMs ms) {
  return format_seconds(static_cast<double>(ms) / 1000.0) + " s (" + format_duration(ms) + ")";
}

std::string seconds_or_na(const std::optional<double>& s) { return s ? format_seconds(*s) + " s" : "n/a"; }

}  // namespace

std::string format_percent(const std::optional<double>& v, int decimals) {
  if (!v) return "n/a";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f %%", decimals, *v);
  return buf;
}

std::vector<FigureRow> report_figures(const Report& r) {
  std::vector<FigureRow> rows = {
      {"Agreed service time", dur(r.service_time_ms)},
      {"Planned (excluded)", dur(r.planned_ms)},
      {"Unknown (excluded)", dur(r.unknown_ms)},
      {"Unmonitored", dur(r.unmonitored_ms)},
      {"Up", dur(r.up_ms)},
      {"Down", dur(r.down_ms)},
      {"Degraded", dur(r.degraded_ms)},
      {"Availability", format_percent(r.availability)},
      {"Coverage", format_percent(r.coverage)},
      {"Error budget", format_seconds(r.error_budget_s) + " s"},
      {"Error budget remaining", format_seconds(r.error_budget_remaining_s) + " s"},
      {"Outages", std::to_string(r.outage_count)},
      {"Longest outage", dur(r.longest_outage_ms)},
      {"MTRS", seconds_or_na(r.mtrs_s)},
      {"MTBF", seconds_or_na(r.mtbf_s)},
      {"MTBSI", seconds_or_na(r.mtbsi_s)},
  };
  if (r.response_time) {
    const auto& f = *r.response_time;
    rows.push_back({"Response time", "p" + format_decimal4(f.percentile) + " of " + f.probe + " = " +
                                         (f.value_ms ? format_seconds(*f.value_ms) + " ms" : std::string("n/a")) +
                                         " (objective under " + std::to_string(f.under_ms) + " ms, " +
                                         std::to_string(f.samples) + " results): " + (f.met ? "met" : "not met")});
  }
  return rows;
}

}  // namespace slamon::engine
