// The readable service level report: header, figures, outage table, verdict; times in the SLA's zone.
#include <date/tz.h>

#include <cstdio>

#include "collector/engine/calendar.h"
#include "collector/engine/report_figures.h"
#include "collector/engine/report_format.h"

namespace slamon::engine {
namespace {

std::string line(const char* label, const std::string& value) {
  char buf[256];
  std::snprintf(buf, sizeof buf, "  %-26s %s\n", label, value.c_str());
  return buf;
}

std::string verdict(const std::optional<bool>& met) { return !met ? "not judged (no base)" : *met ? "MET" : "NOT MET"; }

}  // namespace

std::string format_seconds(double s) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.3f", s);
  std::string out = buf;
  while (!out.empty() && out.back() == '0') out.pop_back();
  if (!out.empty() && out.back() == '.') out.pop_back();
  return out;
}

std::string format_local(TimeMs t, const std::string& timezone) {
  const Zone zone = find_zone(timezone);
  const std::chrono::sys_time<std::chrono::milliseconds> st{std::chrono::milliseconds{t}};
  if (t % 1000 == 0) {
    const auto zt = date::make_zoned(zone, std::chrono::floor<std::chrono::seconds>(st));
    return date::format("%Y-%m-%d %H:%M:%S %Z", zt);
  }
  const auto zt = date::make_zoned(zone, st);
  return date::format("%Y-%m-%d %H:%M:%S %Z", zt);
}

std::string report_to_text(const Report& r) {
  std::string o;
  if (r.agreement) {
    std::string kind(catalogue::to_string(r.agreement->kind));
    for (auto& c : kind) c = static_cast<char>(c - 'a' + 'A');
    o += "Agreement report: " + kind + " " + r.sla + (r.agreement->provider.empty() ? "" : " (" + r.agreement->provider + ")") +
         " on " + r.service + "\n";
  } else {
    o += "Service level report: SLA " + r.sla + " on " + r.service + "\n";
  }
  o += "Period " + r.period.label + ": " + format_local(r.period.start, r.timezone) + " to " +
       format_local(r.period.end, r.timezone) + (r.complete ? "" : " (cut at " + format_local(r.as_of, r.timezone) + ", incomplete)") + "\n";
  o += "Target " + format_decimal4(r.target) + " %\n\n";
  o += "Figures\n";
  for (const auto& f : report_figures(r)) o += line(f.label.c_str(), f.value);
  o += "\nOutages\n";
  if (r.outages.empty()) o += "  none\n";
  else {
    char buf[512];
    std::snprintf(buf, sizeof buf, "  %-4s %-25s %-25s %12s  %s\n", "#", "start", "end", "down_s", "causes");
    o += buf;
    int i = 0;
    for (const auto& x : r.outages) {
      std::string causes;
      for (const auto& c : x.causes) causes += (causes.empty() ? "" : ", ") + c;
      if (causes.empty()) causes = "(unattributed)";
      std::string flags;
      if (x.continues_before) flags += " [began before the period]";
      if (x.continues_after) flags += r.complete ? " [goes on after the period]" : " [still lasting]";
      std::snprintf(buf, sizeof buf, "  %-4d %-25s %-25s %12s  %s%s\n", ++i, format_local(x.start, r.timezone).c_str(),
                    format_local(x.end, r.timezone).c_str(), format_seconds(x.down_ms / 1000.0).c_str(),
                    causes.c_str(), flags.c_str());
      o += buf;
    }
  }
  if (!r.by_cause_s.empty() || r.unattributed_s > 0) {
    o += "\nDowntime by cause\n";
    for (const auto& [k, v] : r.by_cause_s) o += line(k.c_str(), format_seconds(v) + " s");
    if (r.unattributed_s > 0) o += line("(unattributed)", format_seconds(r.unattributed_s) + " s");
  }
  if (r.agreement && r.agreement->restore_within_ms)
    o += "\nRestore within " + format_seconds(static_cast<double>(*r.agreement->restore_within_ms) / 1000.0) +
         " s (longest outage " + format_seconds(static_cast<double>(r.longest_outage_ms) / 1000.0) + " s)\n";
  if (!r.agreements.empty()) {
    o += "\nAgreements underneath\n";
    char buf[512];
    std::snprintf(buf, sizeof buf, "  %-20s %-4s %-22s %-16s %-10s %10s %9s  %s\n", "id", "kind", "provider", "covers",
                  "period", "avail. %", "target %", "verdict");
    o += buf;
    for (const auto& a : r.agreements) {
      char av[32] = "-";
      if (a.availability) std::snprintf(av, sizeof av, "%.4f", *a.availability);
      std::snprintf(buf, sizeof buf, "  %-20s %-4s %-22s %-16s %-10s %10s %9s  %s\n", a.id.c_str(),
                    std::string(catalogue::to_string(a.kind)).c_str(), a.provider.c_str(), a.covers.c_str(),
                    a.period.c_str(), av, format_decimal4(a.target).c_str(), verdict(a.met).c_str());
      o += buf;
    }
  }
  if (!r.agreements.empty() && r.down_ms > 0) {
    const std::string spent = format_seconds(static_cast<double>(r.down_ms) / 1000.0);
    o += "\nWho cost the budget (counted downtime by provider)\n";
    for (const auto& [k, v] : r.by_provider_s) o += line(k.c_str(), format_seconds(v) + " s of the " + spent + " s spent");
    if (r.unbacked_s > 0) o += line("(no agreement)", format_seconds(r.unbacked_s) + " s");
    if (r.unattributed_s > 0) o += line("(no cause)", format_seconds(r.unattributed_s) + " s");
  }
  o += "\nVerdict: " + verdict(r.met) + "\n";
  return o;
}

std::string reports_to_text(const std::vector<Report>& rs, bool with_kpi) {
  std::string o;
  for (std::size_t i = 0; i < rs.size(); ++i) {
    if (i) o += "\n" + std::string(78, '-') + "\n\n";
    o += report_to_text(rs[i]);
  }
  if (with_kpi) {
    int judged = 0, met = 0;
    for (const auto& r : rs)
      if (r.met) {
        ++judged;
        met += *r.met ? 1 : 0;
      }
    o += "\n" + std::string(78, '=') + "\n";
    const bool agreements = !rs.empty() && rs.front().agreement.has_value();
    const std::string what = agreements ? "agreements" : "SLAs";
    o += std::string(agreements ? "Agreement attainment: " : "SLA attainment: ") + format_percent(attainment_percent(rs), 2) +
         " (" + std::to_string(met) + " of " + std::to_string(judged) + " judged " + what + " met, " +
         std::to_string(rs.size()) + " reported)\n";
  }
  return o;
}

std::string trend_to_text(const std::vector<Report>& rs) {
  std::string o;
  if (rs.empty()) return o;
  o += "Trend of SLA " + rs.front().sla + " on " + rs.front().service + " (" + rs.front().timezone + ")\n\n";
  char buf[256];
  auto row = [&](const char* label, auto&& cell) {
    std::snprintf(buf, sizeof buf, "%-22s", label);
    o += buf;
    for (const auto& r : rs) {
      std::snprintf(buf, sizeof buf, " %14s", cell(r).c_str());
      o += buf;
    }
    o += "\n";
  };
  row("period", [](const Report& r) { return r.period.label; });
  row("target %", [](const Report& r) { return format_decimal4(r.target); });
  row("availability %", [](const Report& r) {
    if (!r.availability) return std::string("n/a");
    char b[32];
    std::snprintf(b, sizeof b, "%.4f", *r.availability);
    return std::string(b);
  });
  row("coverage %", [](const Report& r) {
    if (!r.coverage) return std::string("n/a");
    char b[32];
    std::snprintf(b, sizeof b, "%.4f", *r.coverage);
    return std::string(b);
  });
  row("down s", [](const Report& r) { return format_seconds(r.down_ms / 1000.0); });
  row("planned s", [](const Report& r) { return format_seconds(r.planned_ms / 1000.0); });
  row("outages", [](const Report& r) { return std::to_string(r.outage_count); });
  row("longest outage s", [](const Report& r) { return format_seconds(r.longest_outage_ms / 1000.0); });
  row("budget left s", [](const Report& r) { return format_seconds(r.error_budget_remaining_s); });
  row("met", [](const Report& r) { return std::string(!r.met ? "n/a" : *r.met ? "yes" : "NO"); });
  return o;
}

}  // namespace slamon::engine
