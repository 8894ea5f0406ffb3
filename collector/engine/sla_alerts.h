// One SLA's burn-rate alerts over a span and its forecast of the period's end (docs/semantics-notes.md
// "Burn-rate alerts"): the budget timeline built period by period (each under the SLA version in
// effect for it), every rule evaluated by burn_rate.h, and a projection at the span's end.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "collector/engine/burn_rate.h"
#include "collector/engine/node_timelines.h"
#include "collector/engine/period.h"

namespace slamon::engine {

// The budget timeline of the SLA over [range): service and counted-down time from the classes of
// every period that meets it, under that period's version (none before the first version).
BudgetTimeline budget_timeline(NodeTimelines& nodes, const catalogue::Sla& sla, Interval range);

struct RuleOutcome {
  catalogue::BurnRateRule rule;
  RuleAlerts alerts;
  std::optional<double> long_rate_at_end;   // burn rates over the windows ending at the span's end
  std::optional<double> short_rate_at_end;
  bool operator==(const RuleOutcome&) const = default;
};

// At the span's end `at`, for the period containing at - 1 ms: what happened so far, and the
// period's end if the recent share of service time counted down (`basis`) holds for the remaining
// service time (all of it assumed counted: neither planned nor unknown).
struct Forecast {
  Period period;
  TimeMs at = 0;
  Decimal4 target{};
  DurationMs service_ms = 0;    // so far
  DurationMs counted_ms = 0;    // so far: the base (up + down)
  DurationMs down_ms = 0;       // so far
  DurationMs remaining_ms = 0;  // service time in [at, period end), all assumed counted
  std::string basis;            // "long window of the first rule", "period so far", or "" (none)
  std::optional<double> burn_rate;
  std::optional<double> projected_availability;  // percent
  std::optional<bool> will_meet;                 // availability alone (not outages, response time)
  bool operator==(const Forecast&) const = default;
};

struct SlaAlerts {
  std::string sla;
  std::vector<RuleOutcome> rules;
  std::optional<Forecast> forecast;  // none before the SLA's first version
  std::string error;  // set when nothing else is
};

// Alerts at every millisecond instant of [from, to] (to included) and the forecast at `to`.
SlaAlerts compute_sla_alerts(NodeTimelines& nodes, const catalogue::Sla& sla, TimeMs from, TimeMs to);

// The instants whose status the alerts of `slas` over [from, to] look at: the longest long window
// before `from` and the start of the period holding `to` (the forecast), 1 ms more on each side
// (what `slamon alerts` and the API read from a store).
Interval alerts_data_window(const std::vector<const catalogue::Sla*>& slas, TimeMs from, TimeMs to);

}  // namespace slamon::engine
