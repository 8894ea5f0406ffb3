// OLA and UC reports (see agreement_report.h).
#include "collector/engine/agreement_report.h"

#include <algorithm>
#include <map>

#include "collector/engine/calendar.h"
#include "collector/engine/sla_report.h"

namespace slamon::engine {

catalogue::Sla agreement_as_sla(const catalogue::Agreement& a) {
  catalogue::Sla s;
  s.id = a.id;
  s.service = a.covers;
  s.period = a.period;
  s.timezone = a.timezone;
  s.loc = a.loc;
  catalogue::SlaVersion v;
  v.terms = a.terms;
  if (a.restore_within_ms)
    v.terms.max_outage_ms = v.terms.max_outage_ms ? std::min(*v.terms.max_outage_ms, *a.restore_within_ms)
                                                  : *a.restore_within_ms;
  v.loc = a.loc;
  s.versions.push_back(std::move(v));
  return s;
}

Period agreement_period_at(const catalogue::Agreement& a, LocalDate day) {
  return period_containing(a.period, day, find_zone(a.timezone));
}

namespace {

void mark_agreement(Report& r, const catalogue::Agreement& a) {
  r.agreement = AgreementInfo{a.kind, a.provider, a.restore_within_ms};
}

}  // namespace

ReportSet run_agreement_reports(NodeTimelines& nodes, const ProbeDataMap& probes, const catalogue::Catalogue& cat,
                                const ReportRequest& req) {
  ReportSet out;
  for (const auto& a : cat.agreements) {
    if (req.agreement && a.id != *req.agreement) continue;
    const catalogue::Sla s = agreement_as_sla(a);
    const auto p = sla_period(s, req.label);
    if (!p.period) {
      if (req.agreement) {
        out.error = "agreement " + a.id + ": " + p.error;
        return out;
      }
      out.left_out.push_back("agreement " + a.id + ": " + p.error);
      continue;
    }
    auto o = compute_report(nodes, probes, s, *p.period, req.as_of);
    if (!o.report) {
      if (req.agreement) {
        out.error = o.error;
        return out;
      }
      out.left_out.push_back(o.error);
      continue;
    }
    mark_agreement(*o.report, a);
    out.reports.push_back(std::move(*o.report));
  }
  if (req.agreement && out.reports.empty() && out.error.empty()) out.error = "unknown agreement '" + *req.agreement + "'";
  return out;
}

std::vector<AgreementVerdict> agreement_verdicts(NodeTimelines& nodes, const ProbeDataMap& probes,
                                                 const catalogue::Catalogue& cat, const catalogue::Sla& sla,
                                                 const Period& period, std::optional<TimeMs> as_of) {
  std::vector<AgreementVerdict> out;
  if (cat.agreements.empty()) return out;
  const Graph& g = nodes.graph();
  const int root = g.find(sla.service);
  if (root < 0) return out;
  // The nodes under the SLA's (itself included), through counted edges.
  std::vector<bool> under(static_cast<std::size_t>(g.size()), false);
  std::vector<int> stack{root};
  under[static_cast<std::size_t>(root)] = true;
  while (!stack.empty()) {
    const int n = stack.back();
    stack.pop_back();
    for (const auto& c : g.node(n).children)
      if (!under[static_cast<std::size_t>(c.node)]) {
        under[static_cast<std::size_t>(c.node)] = true;
        stack.push_back(c.node);
      }
  }
  for (const auto& a : cat.agreements) {
    const int n = g.find(a.covers);
    if (n < 0 || !under[static_cast<std::size_t>(n)]) continue;
    const Period p = agreement_period_at(a, period.first_day);
    AgreementVerdict v;
    v.id = a.id;
    v.kind = a.kind;
    v.provider = a.provider;
    v.covers = a.covers;
    v.period = p.label;
    v.target = a.terms.target;
    v.restore_within_ms = a.restore_within_ms;
    if (as_of && *as_of < p.start) continue;  // its period has not begun at the cut
    const auto o = compute_report(nodes, probes, agreement_as_sla(a), p, as_of);
    if (!o.report) continue;
    v.availability = o.report->availability;
    v.longest_outage_ms = o.report->longest_outage_ms;
    v.met = o.report->met;
    out.push_back(std::move(v));
  }
  return out;
}

void attribute_to_agreements(const Graph& g, const catalogue::Catalogue& cat, const std::string& root, Report& report) {
  const int top = g.find(root);
  if (top < 0 || cat.agreements.empty()) return;
  // The nodes under root and, for each, its parents under root.
  const auto n = static_cast<std::size_t>(g.size());
  std::vector<bool> under(n, false);
  std::vector<std::vector<int>> parents(n);
  std::vector<int> stack{top};
  under[static_cast<std::size_t>(top)] = true;
  while (!stack.empty()) {
    const int x = stack.back();
    stack.pop_back();
    for (const auto& c : g.node(x).children) {
      parents[static_cast<std::size_t>(c.node)].push_back(x);
      if (!under[static_cast<std::size_t>(c.node)]) {
        under[static_cast<std::size_t>(c.node)] = true;
        stack.push_back(c.node);
      }
    }
  }
  std::vector<std::vector<const catalogue::Agreement*>> on(n);
  for (const auto& a : cat.agreements) {
    const int x = g.find(a.covers);
    if (x >= 0 && under[static_cast<std::size_t>(x)]) on[static_cast<std::size_t>(x)].push_back(&a);
  }
  std::map<std::string, double> by_agreement, by_provider;
  double unbacked = 0;
  for (const auto& [ci, seconds] : report.by_cause_s) {
    const int start = g.find(ci);
    std::vector<const catalogue::Agreement*> found;
    if (start >= 0 && under[static_cast<std::size_t>(start)]) {
      std::vector<bool> seen(n, false);
      std::vector<int> level{start};
      seen[static_cast<std::size_t>(start)] = true;
      while (!level.empty() && found.empty()) {
        std::vector<int> next;
        for (const int x : level) {
          for (const auto* a : on[static_cast<std::size_t>(x)]) found.push_back(a);
          for (const int p : parents[static_cast<std::size_t>(x)])
            if (!seen[static_cast<std::size_t>(p)]) {
              seen[static_cast<std::size_t>(p)] = true;
              next.push_back(p);
            }
        }
        level = std::move(next);
      }
    }
    if (found.empty()) {
      unbacked += seconds;
      continue;
    }
    const double share = seconds / static_cast<double>(found.size());
    for (const auto* a : found) {
      by_agreement[a->id] += share;
      by_provider[a->provider.empty() ? a->id : a->provider] += share;
    }
  }
  report.by_agreement_s.assign(by_agreement.begin(), by_agreement.end());
  report.by_provider_s.assign(by_provider.begin(), by_provider.end());
  report.unbacked_s = unbacked;
}

std::optional<Interval> agreement_periods_span(const catalogue::Catalogue& cat, LocalDate day,
                                               std::optional<TimeMs> as_of) {
  std::optional<Interval> out;
  for (const auto& a : cat.agreements) {
    const Period ap = agreement_period_at(a, day);
    const TimeMs cut = as_of ? std::min(*as_of, ap.end) : ap.end;
    widen(out, Interval{ap.start - 1, std::max(cut, ap.start) + 1});
  }
  return out;
}

std::optional<Interval> agreement_window(const catalogue::Catalogue& cat, const ReportRequest& req) {
  std::optional<Interval> out;
  for (const auto& a : cat.agreements) {
    if (req.agreement && a.id != *req.agreement) continue;
    const auto p = sla_period(agreement_as_sla(a), req.label);
    if (!p.period) continue;
    const TimeMs cut = req.as_of ? std::min(*req.as_of, p.period->end) : p.period->end;
    widen(out, Interval{p.period->start - 1, std::max(cut, p.period->start) + 1});
  }
  return out;
}

}  // namespace slamon::engine
