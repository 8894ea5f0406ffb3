// One self-contained printable HTML page (inline CSS, no scripts, no external resources): per
// report the figures, an availability bar per day with the outages marked, and the outage list.
#include <algorithm>
#include <cstdio>

#include "collector/engine/report_figures.h"
#include "collector/engine/report_format.h"

namespace slamon::engine {
namespace {

std::string esc(const std::string& s) {
  std::string o;
  for (char c : s) {
    switch (c) {
      case '<': o += "&lt;"; break;
      case '>': o += "&gt;"; break;
      case '&': o += "&amp;"; break;
      case '"': o += "&quot;"; break;
      default: o += c;
    }
  }
  return o;
}

std::string f2(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.3f", v);
  return buf;
}

std::string secs(DurationMs ms) { return format_seconds(static_cast<double>(ms) / 1000.0) + " s"; }

std::string row(const std::string& k, const std::string& v) {
  return "<tr><th>" + esc(k) + "</th><td>" + esc(v) + "</td></tr>\n";
}

std::string one(const Report& r) {
  std::string o;
  o += "<section class=\"report\">\n<h1>SLA " + esc(r.sla) + " &middot; " + esc(r.service) + "</h1>\n";
  o += "<p class=\"sub\">Period " + esc(r.period.label) + ": " + esc(format_local(r.period.start, r.timezone)) +
       " to " + esc(format_local(r.period.end, r.timezone)) +
       (r.complete ? "" : " &middot; cut at " + esc(format_local(r.as_of, r.timezone)) + " (incomplete)") +
       " &middot; target " + esc(format_decimal4(r.target)) + " %</p>\n";
  const std::string v = !r.met ? "not judged" : *r.met ? "MET" : "NOT MET";
  const std::string vc = !r.met ? "na" : *r.met ? "ok" : "bad";
  o += "<p class=\"verdict " + vc + "\">Verdict: " + v + " &middot; availability " + esc(format_percent(r.availability)) + "</p>\n";
  o += "<table class=\"figures\">\n";
  for (const auto& f : report_figures(r)) o += row(f.label, f.value);
  o += "</table>\n<h2>Availability per day</h2>\n<table class=\"days\">\n";
  for (const auto& d : r.days) {
    const DurationMs base = d.up_ms + d.down_ms;
    const std::string label = format_local(d.start, r.timezone).substr(0, 10);
    o += "<tr><th>" + esc(label) + "</th><td class=\"barcell\"><div class=\"bar" +
         std::string(d.service_ms == 0 ? " off" : "") + "\">";
    const double len = static_cast<double>(std::max<TimeMs>(1, d.end - d.start));
    for (const auto& x : r.outages) {
      const TimeMs a = std::max(x.start, d.start), b = std::min(x.end, d.end);
      if (a >= b) continue;
      o += "<span class=\"out\" style=\"left:" + f2(100.0 * (a - d.start) / len) + "%;width:" +
           f2(std::max(0.3, 100.0 * (b - a) / len)) + "%\"></span>";
    }
    o += "</div></td><td class=\"num\">";
    if (base > 0) o += f2(100.0 * static_cast<double>(d.up_ms) / static_cast<double>(base)) + " %";
    else o += d.service_ms == 0 ? "no service time" : "n/a";
    o += "</td></tr>\n";
  }
  o += "</table>\n<h2>Outages</h2>\n";
  if (r.outages.empty()) o += "<p>None.</p>\n";
  else {
    o += "<table class=\"outages\"><tr><th>#</th><th>Start</th><th>End</th><th>Down</th><th>Causes</th><th>Notes</th></tr>\n";
    int i = 0;
    for (const auto& x : r.outages) {
      std::string causes;
      for (const auto& c : x.causes) causes += (causes.empty() ? "" : ", ") + c;
      std::string notes;
      if (x.continues_before) notes += "began before the period. ";
      if (x.continues_after) notes += r.complete ? "goes on after the period." : "still lasting.";
      o += "<tr><td>" + std::to_string(++i) + "</td><td>" + esc(format_local(x.start, r.timezone)) + "</td><td>" +
           esc(format_local(x.end, r.timezone)) + "</td><td>" + secs(x.down_ms) + "</td><td>" +
           esc(causes.empty() ? "(unattributed)" : causes) + "</td><td>" + esc(notes) + "</td></tr>\n";
    }
    o += "</table>\n";
  }
  if (!r.by_cause_s.empty()) {
    o += "<h2>Downtime by cause</h2>\n<table class=\"figures\">\n";
    for (const auto& [k, v] : r.by_cause_s) o += row(k, format_seconds(v) + " s");
    if (r.unattributed_s > 0) o += row("(unattributed)", format_seconds(r.unattributed_s) + " s");
    o += "</table>\n";
  }
  o += "</section>\n";
  return o;
}

}  // namespace

std::string reports_to_html(const std::vector<Report>& rs, bool with_kpi) {
  std::string o =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>Service level report</title>\n"
      "<style>\n"
      "body{font-family:sans-serif;margin:2em;color:#222}h1{font-size:1.4em;margin-bottom:0}"
      "h2{font-size:1.1em;margin-top:1.5em}.sub{color:#555;margin-top:.2em}"
      "table{border-collapse:collapse}th,td{padding:2px 8px;text-align:left;font-size:.9em}"
      ".figures th{font-weight:normal;color:#555}.outages td,.outages th{border-bottom:1px solid #ddd}"
      ".verdict{font-weight:bold;padding:4px 8px;display:inline-block}.ok{background:#d7f5d7}"
      ".bad{background:#f8d0d0}.na{background:#eee}.barcell{width:60%}"
      ".bar{position:relative;height:12px;background:#4caf50;border:1px solid #999}.bar.off{background:#ddd}"
      ".out{position:absolute;top:0;height:12px;background:#d32f2f}.num{text-align:right}"
      ".report{page-break-after:always}@media print{body{margin:1cm}}\n"
      "</style></head><body>\n";
  for (const auto& r : rs) o += one(r);
  if (with_kpi) {
    const bool agreements = !rs.empty() && rs.front().agreement.has_value();
    o += std::string("<section><h1>") + (agreements ? "Agreement" : "SLA") + " attainment</h1><p>" +
         esc(format_percent(attainment_percent(rs))) + " of judged " + (agreements ? "agreements" : "SLAs") +
         " met</p></section>\n";
  }
  o += "</body></html>\n";
  return o;
}

}  // namespace slamon::engine
