// Budget timelines period by period, the rules over them, and the forecast.
#include "collector/engine/sla_alerts.h"

#include <algorithm>

#include "collector/engine/calendar.h"
#include "collector/engine/sla_classes.h"
#include "collector/engine/sla_terms.h"

namespace slamon::engine {

BudgetTimeline budget_timeline(NodeTimelines& nodes, const catalogue::Sla& sla, Interval range) {
  BudgetTimeline b;
  const int x = nodes.graph().find(sla.service);
  if (x < 0 || range.begin >= range.end) return b;
  const Zone zone = find_zone(sla.timezone);
  for (Period p = period_containing(sla.period, local_date_of(zone, range.begin), zone); p.start < range.end;
       p = next_period(p, zone)) {
    const catalogue::SlaTerms* terms = terms_in_effect(sla, p.first_day);
    if (!terms) continue;
    const Interval part{std::max(p.start, range.begin), std::min(p.end, range.end)};
    if (part.begin >= part.end) continue;
    const SlaClasses cls = classify_instants(nodes, x, *terms, zone, p.first_day, p.end_day, part);
    b.service = unite(b.service, cls.hours);
    b.counted_down = unite(b.counted_down, cls.counted_down);
    // An evaluation instant t looks at [t - w, t): its budget is that of the period holding t - 1 ms.
    b.budget_e6.emplace_back(p.start + 1, 1'000'000 - terms->target.e4);
  }
  return b;
}

namespace {

std::optional<Forecast> forecast_at(NodeTimelines& nodes, const catalogue::Sla& sla, const BudgetTimeline& b,
                     const std::vector<catalogue::BurnRateRule>& rules, TimeMs at, int x) {
  const Zone zone = find_zone(sla.timezone);
  Forecast f;
  f.at = at;
  f.period = period_containing(sla.period, local_date_of(zone, at - 1), zone);
  const catalogue::SlaTerms* terms = terms_in_effect(sla, f.period.first_day);
  if (!terms) return std::nullopt;  // the period is before the SLA's first version
  f.target = terms->target;
  const SlaClasses past =
      classify_instants(nodes, x, *terms, zone, f.period.first_day, f.period.end_day, Interval{f.period.start, at});
  f.service_ms = total_ms(past.hours);
  f.counted_ms = total_ms(past.counted);
  f.down_ms = total_ms(past.counted_down);
  f.remaining_ms = total_ms(clip(service_hours_intervals(terms->hours, terms->holidays, zone, f.period.first_day,
                                                         f.period.end_day),
                                 Interval{at, f.period.end}));
  // The recent counted-down fraction: over the first rule's long window, else over the period so far.
  std::optional<double> fraction;
  const std::int64_t budget = 1'000'000 - terms->target.e4;
  if (!rules.empty()) {
    const WindowSums s = window_sums(b, at, rules.front().long_ms);
    if (s.service_ms > 0) {
      f.basis = "long window of the first rule";
      fraction = static_cast<double>(s.down_ms) / static_cast<double>(s.service_ms);
    }
  }
  if (!fraction && f.service_ms > 0) {
    f.basis = "period so far";
    fraction = static_cast<double>(f.down_ms) / static_cast<double>(f.service_ms);
  }
  if (fraction && budget > 0) f.burn_rate = *fraction / (static_cast<double>(budget) / 1e6);
  const double base = static_cast<double>(f.counted_ms + f.remaining_ms);
  if (base <= 0) return f;
  if (!fraction && f.remaining_ms > 0) return f;  // nothing to project from
  const double down = static_cast<double>(f.down_ms) + fraction.value_or(0.0) * static_cast<double>(f.remaining_ms);
  f.projected_availability = 100.0 * (base - down) / base;
  f.will_meet = *f.projected_availability >= terms->target.to_double() - 1e-9;
  return f;
}

}  // namespace

SlaAlerts compute_sla_alerts(NodeTimelines& nodes, const catalogue::Sla& sla, TimeMs from, TimeMs to) {
  SlaAlerts out;
  out.sla = sla.id;
  const int x = nodes.graph().find(sla.service);
  if (x < 0) {
    out.error = "sla " + sla.id + ": unknown service or CI '" + sla.service + "'";
    return out;
  }
  if (to <= from) {
    out.error = "sla " + sla.id + ": --to must be after --from";
    return out;
  }
  const std::vector<catalogue::BurnRateRule> rules = sla.burn_rate_rules();
  DurationMs longest = 0;
  for (const auto& r : rules) longest = std::max(longest, r.long_ms);
  const BudgetTimeline b = budget_timeline(nodes, sla, Interval{from - longest, to});
  for (const auto& r : rules) {
    RuleOutcome o;
    o.rule = r;
    o.alerts = burn_rate_alerts(b, r, Interval{from, to});
    o.long_rate_at_end = burn_rate_at(b, to, r.long_ms);
    o.short_rate_at_end = burn_rate_at(b, to, r.short_ms);
    out.rules.push_back(std::move(o));
  }
  out.forecast = forecast_at(nodes, sla, b, rules, to, x);
  return out;
}

Interval alerts_data_window(const std::vector<const catalogue::Sla*>& slas, TimeMs from, TimeMs to) {
  TimeMs lo = from;
  for (const auto* s : slas) {
    for (const auto& r : s->burn_rate_rules()) lo = std::min(lo, from - r.long_ms);
    const Zone zone = find_zone(s->timezone);
    lo = std::min(lo, period_containing(s->period, local_date_of(zone, to - 1), zone).start);
  }
  return Interval{lo - 1, to + 1};
}

}  // namespace slamon::engine
