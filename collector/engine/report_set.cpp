// Selecting SLAs and periods for a report request.
#include "collector/engine/report_set.h"

#include <algorithm>

#include "collector/engine/agreement_report.h"
#include "collector/engine/period.h"
#include "collector/engine/sla_report.h"

namespace slamon::engine {
namespace {

// An SLA report's agreements: their verdicts, and who cost the budget (when there are any).
void add_agreements(NodeTimelines& nodes, const ProbeDataMap& probes, const catalogue::Catalogue& cat,
                    const catalogue::Sla& sla, const Period& period, std::optional<TimeMs> as_of, Report& r) {
  r.agreements = agreement_verdicts(nodes, probes, cat, sla, period, as_of);
  if (!r.agreements.empty()) attribute_to_agreements(nodes.graph(), cat, sla.service, r);
}

}  // namespace

ReportSet run_reports(NodeTimelines& nodes, const ProbeDataMap& probes, const catalogue::Catalogue& cat,
                      const ReportRequest& req) {
  ReportSet out;
  const auto label = parse_period_label(req.label);
  if (!label) {
    out.error = "invalid period label '" + req.label + "' (2026-10-05, 2026-W41, 2026-10, 2026-Q4 or 2026)";
    return out;
  }
  if (req.as_of && !writable_instant(*req.as_of)) {
    out.error = "--as-of is outside the years 0001-9999 that RFC 3339 can write (in UTC)";
    return out;
  }
  if (req.agreements) return run_agreement_reports(nodes, probes, cat, req);
  if (req.trend > 0 && !req.sla) {
    out.error = "--trend needs --sla";
    return out;
  }
  if (req.sla) {
    auto it = std::find_if(cat.slas.begin(), cat.slas.end(), [&](const catalogue::Sla& s) { return s.id == *req.sla; });
    if (it == cat.slas.end()) {
      out.error = "unknown SLA '" + *req.sla + "'";
      return out;
    }
    const auto p = sla_period(*it, req.label);
    if (!p.period) {
      out.error = p.error;
      return out;
    }
    std::vector<Period> periods{*p.period};
    const Zone zone = find_zone(it->timezone);
    for (int i = 1; i < req.trend; ++i) {
      const Period earlier = previous_period(periods.front(), zone);
      if (!writable_period(earlier)) {
        out.error = "--trend " + std::to_string(req.trend) + " from " + req.label +
                    " reaches before the years 0001-9999 that RFC 3339 can write";
        return out;
      }
      periods.insert(periods.begin(), earlier);
    }
    for (std::size_t i = 0; i < periods.size(); ++i) {
      auto o = compute_report(nodes, probes, *it, periods[i], req.as_of);
      const bool asked = i + 1 == periods.size();
      if (o.report) add_agreements(nodes, probes, cat, *it, periods[i], req.as_of, *o.report);
      if (o.report) {
        // Trend periods that start after as_of are not reported.
        out.reports.push_back(std::move(*o.report));
      } else if (asked) {
        out.reports.clear();
        out.error = o.error;
        return out;
      } else {
        out.left_out.push_back(o.error);
      }
    }
    return out;
  }
  for (const auto& s : cat.slas) {
    if (s.period != label->kind) {
      out.left_out.push_back("sla " + s.id + ": its period is a " + std::string(catalogue::to_string(s.period)) + ", not a " +
                             std::string(catalogue::to_string(label->kind)));
      continue;
    }
    const auto p = sla_period(s, req.label);
    if (!p.period) {
      out.left_out.push_back("sla " + s.id + ": " + p.error);
      continue;
    }
    auto o = compute_report(nodes, probes, s, *p.period, req.as_of);
    if (o.report) add_agreements(nodes, probes, cat, s, *p.period, req.as_of, *o.report);
    if (o.report) out.reports.push_back(std::move(*o.report));
    else out.left_out.push_back(o.error);
  }
  return out;
}

}  // namespace slamon::engine
