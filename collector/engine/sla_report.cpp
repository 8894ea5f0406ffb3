// The report computation: interval algebra over the SLA node's status and planned sets.
#include "collector/engine/sla_report.h"

#include <algorithm>
#include <map>
#include <set>

#include "collector/engine/calendar.h"
#include "collector/engine/percentile.h"
#include "collector/engine/sla_classes.h"
#include "collector/engine/sla_terms.h"

namespace slamon::engine {
namespace {

using catalogue::PlannedPolicy;
using catalogue::UnknownPolicy;

// Counted descendants of x (services and CIs; probes are summed up by their CI), x included.
std::vector<int> subtree(const Graph& g, int x) {
  std::vector<int> out;
  std::vector<char> seen(static_cast<std::size_t>(g.size()), 0);
  std::vector<int> stack{x};
  while (!stack.empty()) {
    const int i = stack.back();
    stack.pop_back();
    if (seen[static_cast<std::size_t>(i)]) continue;
    seen[static_cast<std::size_t>(i)] = 1;
    if (g.node(i).kind == NodeKind::probe) continue;
    out.push_back(i);
    if (g.node(i).kind == NodeKind::service)
      for (const auto& c : g.node(i).children) stack.push_back(c.node);
  }
  return out;
}

class CauseFinder {
 public:
  CauseFinder(NodeTimelines& nodes, int x, BadSet bad, bool exclude_planned, Interval range)
      : nodes_(nodes), g_(nodes.graph()), x_(x), bad_(bad), exclude_(exclude_planned), range_(range),
        sub_(subtree(g_, x)), seen_(static_cast<std::size_t>(g_.size()), 0) {}

  // Splits [a, b) where any subtree node changes, and calls f(seg_begin, seg_end, causes).
  template <class F>
  void for_each_segment(Interval iv, F&& f) {
    std::vector<TimeMs> cuts{iv.begin, iv.end};
    for (const int i : sub_) {
      const auto& tl = nodes_.status(i);
      auto it = std::upper_bound(tl.begin(), tl.end(), iv.begin,
                                 [](TimeMs v, const StatusPoint& p) { return v < p.t; });
      for (; it != tl.end() && it->t < iv.end; ++it) cuts.push_back(it->t);
      if (exclude_) {
        for (const auto& p : nodes_.planned(i, bad_, range_)) {
          if (p.begin > iv.begin && p.begin < iv.end) cuts.push_back(p.begin);
          if (p.end > iv.begin && p.end < iv.end) cuts.push_back(p.end);
        }
      }
    }
    std::sort(cuts.begin(), cuts.end());
    cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
    for (std::size_t k = 0; k + 1 < cuts.size(); ++k) {
      causes_.clear();
      std::fill(seen_.begin(), seen_.end(), 0);
      visit(x_, cuts[k]);
      std::sort(causes_.begin(), causes_.end());
      f(cuts[k], cuts[k + 1], causes_);
    }
  }

 private:
  // The CIs reached from x through nodes bad and unplanned at t (an explicit stack: no recursion).
  void visit(int x, TimeMs t) {
    stack_.assign(1, x);
    while (!stack_.empty()) {
      const int i = stack_.back();
      stack_.pop_back();
      if (seen_[static_cast<std::size_t>(i)]) continue;
      seen_[static_cast<std::size_t>(i)] = 1;
      const Node& n = g_.node(i);
      if (n.kind == NodeKind::probe) continue;
      if (!is_bad(status_at(nodes_.status(i), t), bad_)) continue;
      if (exclude_ && contains(nodes_.planned(i, bad_, range_), t)) continue;
      if (n.kind == NodeKind::ci) {
        causes_.push_back(n.id);
        continue;
      }
      for (const auto& c : n.children) stack_.push_back(c.node);
    }
  }

  NodeTimelines& nodes_;
  const Graph& g_;
  int x_;
  BadSet bad_;
  bool exclude_;
  Interval range_;
  std::vector<int> sub_;
  std::vector<char> seen_;
  std::vector<int> stack_;
  std::vector<std::string> causes_;
};

std::optional<double> percent(DurationMs num, DurationMs den) {
  if (den == 0) return std::nullopt;
  return 100.0 * static_cast<double>(num) / static_cast<double>(den);
}

double secs(DurationMs ms) { return static_cast<double>(ms) / 1000.0; }

}  // namespace

PeriodOutcome sla_period(const catalogue::Sla& sla, const std::string& label) {
  const auto parsed = parse_period_label(label);
  if (!parsed) return {std::nullopt, "invalid period label '" + label + "'"};
  if (parsed->kind != sla.period)
    return {std::nullopt, "period '" + label + "' is not a " + std::string(catalogue::to_string(sla.period)) +
                              " (the period of SLA " + sla.id + ")"};
  const Period period = period_from_label(*parsed, find_zone(sla.timezone));
  if (!writable_period(period))
    return {std::nullopt, "period '" + label + "' in " + sla.timezone + " (the timezone of SLA " + sla.id +
                              ") has bounds outside the years 0001-9999 that RFC 3339 can write"};
  return {period, {}};
}

ReportOutcome compute_report(NodeTimelines& nodes, const ProbeDataMap& probes, const catalogue::Sla& sla,
                             const Period& period, std::optional<TimeMs> as_of) {
  ReportOutcome out;
  if (!writable_period(period) || (as_of && !writable_instant(*as_of))) {
    out.error = "sla " + sla.id + ": period " + period.label + (as_of ? " or --as-of" : "") +
                " outside the years 0001-9999 that RFC 3339 can write";
    return out;
  }
  const Graph& g = nodes.graph();
  const catalogue::SlaTerms* terms = terms_in_effect(sla, period.first_day);
  if (!terms) {
    out.before_first_version = true;
    out.error = "sla " + sla.id + ": period " + period.label + " starts before the SLA's first version";
    return out;
  }
  if (as_of && *as_of < period.start) {
    out.error = "sla " + sla.id + ": --as-of is before the start of period " + period.label;
    return out;
  }
  const int x = g.find(sla.service);
  if (x < 0) {
    out.error = "sla " + sla.id + ": unknown service or CI '" + sla.service + "'";
    return out;
  }
  const Zone zone = find_zone(sla.timezone);
  const TimeMs cut = as_of ? std::min(*as_of, period.end) : period.end;
  const Interval range{period.start, cut};
  const BadSet bad = bad_set(*terms);
  const bool exclude = terms->planned == PlannedPolicy::exclude;

  Report r;
  r.sla = sla.id;
  r.service = sla.service;
  r.timezone = sla.timezone;
  r.period = period;
  r.as_of = cut;
  r.complete = cut >= period.end;
  r.target = terms->target;

  // Classification (section 4).
  const SlaClasses cls = classify_instants(nodes, x, *terms, zone, period.first_day, period.end_day, range);
  const IntervalSet& hours = cls.hours;
  const IntervalSet& planned = cls.planned;
  const IntervalSet& counted_down = cls.counted_down;
  const IntervalSet& s_unk = cls.unmonitored;
  const StatusTimeline& sx = nodes.status(x);
  r.service_time_ms = total_ms(hours);
  r.planned_ms = total_ms(planned);
  r.unmonitored_ms = total_ms(s_unk);
  r.degraded_ms = total_ms(cls.degraded);
  r.down_ms = total_ms(counted_down);
  r.unknown_ms = terms->unknown == UnknownPolicy::exclude ? r.unmonitored_ms : 0;
  r.up_ms = total_ms(cls.counted) - r.down_ms;
  r.availability = percent(r.up_ms, r.up_ms + r.down_ms);
  r.coverage = percent(r.service_time_ms - r.planned_ms - r.unmonitored_ms, r.service_time_ms - r.planned_ms);
  const __int128 base_ms = r.up_ms + r.down_ms;
  const __int128 budget_num = (1'000'000 - static_cast<__int128>(r.target.e4)) * base_ms;  // / 1e6 -> ms
  r.error_budget_s = static_cast<double>(budget_num) / 1e9;
  r.error_budget_remaining_s = static_cast<double>(budget_num - static_cast<__int128>(r.down_ms) * 1'000'000) / 1e9;

  // Outages (section 6): maximal stretches with no available instant, over all time.
  const IntervalSet unavailable =
      where(sx, Interval{kMinTime, kMaxTime}, [bad](Status s) { return is_bad(s, bad); });
  CauseFinder causes(nodes, x, bad, exclude, range);
  std::map<std::string, double> by_cause;
  double unattributed = 0;
  auto first = std::upper_bound(unavailable.begin(), unavailable.end(), range.begin,
                                [](TimeMs v, const Interval& i) { return v < i.end; });
  for (auto st = first; st != unavailable.end() && st->begin < range.end; ++st) {
    const IntervalSet part = clip(counted_down, *st);
    if (part.empty()) continue;
    OutageRecord o;
    o.start = part.front().begin;
    o.end = part.back().end;
    o.down_ms = total_ms(part);
    o.continues_before = st->begin < period.start;
    o.continues_after = st->end > cut;
    std::set<std::string> names;
    for (const auto& iv : part) {
      causes.for_each_segment(iv, [&](TimeMs a, TimeMs b, const std::vector<std::string>& cs) {
        const double s = secs(b - a);
        if (cs.empty()) {
          unattributed += s;
          return;
        }
        for (const auto& c : cs) {
          by_cause[c] += s / static_cast<double>(cs.size());
          names.insert(c);
        }
      });
    }
    o.causes.assign(names.begin(), names.end());
    r.longest_outage_ms = std::max(r.longest_outage_ms, o.down_ms);
    r.outages.push_back(std::move(o));
  }
  r.outage_count = static_cast<int>(r.outages.size());
  for (auto& [k, v] : by_cause) r.by_cause_s.emplace_back(k, v);
  r.unattributed_s = unattributed;
  if (r.outage_count > 0) {
    const double n = r.outage_count;
    r.mtrs_s = secs(r.down_ms) / n;
    r.mtbf_s = secs(r.up_ms) / n;
    r.mtbsi_s = secs(r.up_ms + r.down_ms) / n;
  }

  // Response-time objective (section 7).
  bool rt_ok = true;
  if (terms->response_time) {
    const auto& obj = *terms->response_time;
    ResponseTimeFigure f;
    f.probe = obj.probe;
    f.percentile = obj.percentile;
    f.under_ms = obj.under_ms;
    std::vector<double> lat;
    if (auto it = probes.find(obj.probe); it != probes.end()) {
      for (const auto& s : it->second.rt) {
        if (s.ts < range.begin || s.ts >= range.end) continue;
        if (!contains(hours, s.ts) || contains(planned, s.ts)) continue;
        lat.push_back(s.latency_ms);
      }
    }
    f.samples = lat.size();
    f.value_ms = nearest_rank_percentile(obj.percentile, lat);
    f.met = !f.value_ms || *f.value_ms <= static_cast<double>(obj.under_ms);
    rt_ok = f.met;
    r.response_time = std::move(f);
  }

  // Verdict (section 7).
  if (r.availability) {
    const bool avail_ok = static_cast<__int128>(r.up_ms) * 1'000'000 >= static_cast<__int128>(r.target.e4) * base_ms;
    bool met = avail_ok && rt_ok;
    if (!avail_ok) r.missed_by.emplace_back("availability");
    if (terms->max_outages && r.outage_count > *terms->max_outages) {
      met = false;
      r.missed_by.emplace_back("outage_count");
    }
    if (terms->max_outage_ms && r.longest_outage_ms > *terms->max_outage_ms) {
      met = false;
      r.missed_by.emplace_back("longest_outage");
    }
    if (!rt_ok) r.missed_by.emplace_back("response_time");
    r.met = met;
  }

  // Per local day, for presentation.
  for (auto d = std::chrono::sys_days{period.first_day}; d < std::chrono::sys_days{period.end_day};
       d += std::chrono::days{1}) {
    DayFigure f;
    f.day = LocalDate{d};
    f.start = local_to_utc(zone, f.day, 0);
    f.end = local_to_utc(zone, f.day, 1440);
    if (f.start >= cut) break;
    const Interval dr{f.start, std::min(f.end, cut)};
    f.service_ms = total_ms(clip(hours, dr));
    f.planned_ms = total_ms(clip(planned, dr));
    f.down_ms = total_ms(clip(counted_down, dr));
    f.unknown_ms = terms->unknown == UnknownPolicy::exclude ? total_ms(clip(s_unk, dr)) : 0;
    f.up_ms = f.service_ms - f.planned_ms - f.down_ms - f.unknown_ms;
    r.days.push_back(f);
  }
  out.report = std::move(r);
  return out;
}

std::optional<double> attainment_percent(const std::vector<Report>& reports) {
  int judged = 0, met = 0;
  for (const auto& r : reports) {
    if (!r.met) continue;
    ++judged;
    if (*r.met) ++met;
  }
  if (judged == 0) return std::nullopt;
  return 100.0 * met / judged;
}

}  // namespace slamon::engine
