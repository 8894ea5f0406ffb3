// One self-contained printable HTML page (inline CSS, no scripts, no external resources): per
// report the figures, a bar per day (up, counted down, planned and unmonitored time in proportion),
// and the outage list.
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

std::string hours(DurationMs ms) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.2f h", static_cast<double>(ms) / 3'600'000.0);
  return buf;
}

// One day's bar: its service time split into proportional segments, counted up, counted down,
// planned and unmonitored (excluded unknown), each its own colour, the hours in each segment's title;
// a day without service time is an empty grey bar. Then the outages touching the day, and the figure.
std::string day_row(const Report& r, const DayFigure& d) {
  const std::string label = format_local(d.start, r.timezone).substr(0, 10);
  std::string o = "<tr><th>" + esc(label) + "</th><td class=\"barcell\"><div class=\"bar" +
                  std::string(d.service_ms == 0 ? " off" : "") + "\">";
  struct Segment {
    const char* cls;
    const char* what;
    DurationMs ms;
  };
  const Segment segments[] = {{"up", "up", d.up_ms},
                              {"down", "counted down", d.down_ms},
                              {"planned", "planned", d.planned_ms},
                              {"unmon", "unmonitored", d.unknown_ms}};
  std::string outages;
  for (const auto& x : r.outages) {
    if (std::max(x.start, d.start) >= std::min(x.end, d.end)) continue;
    outages += (outages.empty() ? "; outages: " : ", ") + format_local(x.start, r.timezone).substr(11, 5) + "-" +
               format_local(x.end, r.timezone).substr(11, 5);
  }
  if (d.service_ms > 0) {
    for (const auto& seg : segments) {
      if (seg.ms <= 0) continue;
      o += "<span class=\"seg " + std::string(seg.cls) + "\" style=\"width:" +
           f2(100.0 * static_cast<double>(seg.ms) / static_cast<double>(d.service_ms)) + "%\" title=\"" +
           esc(std::string(seg.what) + " " + hours(seg.ms) + (seg.cls == std::string("down") ? outages : "")) +
           "\"></span>";
    }
  }
  o += "</div></td><td class=\"num\">";
  const DurationMs base = d.up_ms + d.down_ms;
  if (base > 0) o += f2(100.0 * static_cast<double>(d.up_ms) / static_cast<double>(base)) + " %";
  else o += d.service_ms == 0 ? "no service time" : "n/a";
  o += "</td></tr>\n";
  return o;
}

std::string one(const Report& r) {
  std::string o;
  // An OLA's or UC's report names what it is and who provides it; an SLA's its service.
  std::string what = "SLA " + esc(r.sla) + " &middot; " + esc(r.service);
  if (r.agreement) {
    what = (r.agreement->kind == catalogue::AgreementKind::uc ? "UC " : "OLA ") + esc(r.sla) + " &middot; " + esc(r.service);
    if (!r.agreement->provider.empty()) what += " &middot; " + esc(r.agreement->provider);
  }
  o += "<section class=\"report\">\n<h1>" + what + "</h1>\n";
  o += "<p class=\"sub\">Period " + esc(r.period.label) + ": " + esc(format_local(r.period.start, r.timezone)) +
       " to " + esc(format_local(r.period.end, r.timezone)) +
       (r.complete ? "" : " &middot; cut at " + esc(format_local(r.as_of, r.timezone)) + " (incomplete)") +
       " &middot; target " + esc(format_decimal4(r.target)) + " %</p>\n";
  const std::string v = !r.met ? "not judged" : *r.met ? "MET" : "NOT MET";
  const std::string vc = !r.met ? "na" : *r.met ? "ok" : "bad";
  o += "<p class=\"verdict " + vc + "\">Verdict: " + v + " &middot; availability " + esc(format_percent(r.availability)) + "</p>\n";
  o += "<table class=\"figures\">\n";
  for (const auto& f : report_figures(r)) o += row(f.label, f.value);
  o += "</table>\n<h2>Availability per day</h2>\n"
       "<p class=\"legend\"><span class=\"seg up\"></span>up<span class=\"seg down\"></span>counted down"
       "<span class=\"seg planned\"></span>planned<span class=\"seg unmon\"></span>unmonitored"
       "<span class=\"bar off\"></span>no service time</p>\n<table class=\"days\">\n";
  for (const auto& d : r.days) o += day_row(r, d);
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
      ".bar{display:flex;height:12px;background:#ddd;border:1px solid #999;overflow:hidden}"
      ".seg{display:block;height:100%}.seg.up{background:#4caf50}.seg.down{background:#d32f2f}"
      ".seg.planned{background:#5c8dd6}.seg.unmon{background:#9e9e9e}.num{text-align:right}"
      ".legend span{display:inline-block;width:.9em;height:.9em;margin:0 .3em 0 1em;vertical-align:middle}"
      ".report{page-break-after:always}@media print{body{margin:1cm}*{-webkit-print-color-adjust:exact;print-color-adjust:exact}}\n"
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
