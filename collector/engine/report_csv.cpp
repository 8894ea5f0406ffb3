// CSV: the figures, one line per report, then the outages as a second table.
#include <cstdio>

#include "collector/engine/report_format.h"

namespace slamon::engine {
namespace {

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string o = "\"";
  for (char c : s) {
    if (c == '"') o += '"';
    o += c;
  }
  return o + "\"";
}

std::string num(const std::optional<double>& v) {
  if (!v) return "";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", *v);
  return buf;
}

std::string secs(DurationMs ms) { return format_seconds(static_cast<double>(ms) / 1000.0); }

}  // namespace

std::string reports_to_csv(const std::vector<Report>& rs) {
  std::string o =
      "sla,service,period,start,end,as_of,complete,target,service_time_s,planned_s,unknown_s,unmonitored_s,"
      "up_s,down_s,degraded_s,availability,coverage,error_budget_s,error_budget_remaining_s,outage_count,"
      "longest_outage_s,mtrs_s,mtbf_s,mtbsi_s,unattributed_s,response_time_ms,met\n";
  for (const auto& r : rs) {
    std::string met = !r.met ? "" : *r.met ? "true" : "false";
    std::string rt = r.response_time && r.response_time->value_ms ? num(r.response_time->value_ms) : "";
    o += csv_field(r.sla) + "," + csv_field(r.service) + "," + r.period.label + "," +
         csv_field(format_local(r.period.start, r.timezone)) + "," + csv_field(format_local(r.period.end, r.timezone)) +
         "," + csv_field(format_local(r.as_of, r.timezone)) + "," + (r.complete ? "true" : "false") + "," +
         format_decimal4(r.target) + "," + secs(r.service_time_ms) + "," + secs(r.planned_ms) + "," +
         secs(r.unknown_ms) + "," + secs(r.unmonitored_ms) + "," + secs(r.up_ms) + "," + secs(r.down_ms) + "," +
         secs(r.degraded_ms) + "," + num(r.availability) + "," + num(r.coverage) + "," + num(r.error_budget_s) + "," +
         num(r.error_budget_remaining_s) + "," + std::to_string(r.outage_count) + "," + secs(r.longest_outage_ms) +
         "," + num(r.mtrs_s) + "," + num(r.mtbf_s) + "," + num(r.mtbsi_s) + "," + num(r.unattributed_s) + "," + rt +
         "," + met + "\n";
  }
  o += "\nsla,period,outage,start,end,down_s,continues_before,continues_after,causes\n";
  for (const auto& r : rs) {
    int i = 0;
    for (const auto& x : r.outages) {
      std::string causes;
      for (const auto& c : x.causes) causes += (causes.empty() ? "" : " ") + c;
      o += csv_field(r.sla) + "," + r.period.label + "," + std::to_string(++i) + "," +
           csv_field(format_local(x.start, r.timezone)) + "," + csv_field(format_local(x.end, r.timezone)) + "," +
           secs(x.down_ms) + "," + (x.continues_before ? "true" : "false") + "," +
           (x.continues_after ? "true" : "false") + "," + csv_field(causes) + "\n";
    }
  }
  return o;
}

}  // namespace slamon::engine
