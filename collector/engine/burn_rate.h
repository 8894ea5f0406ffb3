// Multi-window burn-rate alerts over the service-hours-aware error budget (docs/semantics-notes.md
// "Burn-rate alerts"), computed exactly from change points: between the edges of the service and
// counted-down sets and those edges shifted by a window, every windowed sum is linear in the
// instant, so each alert condition changes at most once there and that instant is solved for in
// integer arithmetic (no sampling). Instants are UTC milliseconds.
#pragma once

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "collector/engine/timeline.h"
#include "common/catalogue/model.h"

namespace slamon::engine {

// One SLA's error budget over time: its service time, what counts down, and the budget fraction.
struct BudgetTimeline {
  IntervalSet service;       // agreed service time (service hours minus holidays)
  IntervalSet counted_down;  // class down (semantics.md section 4; a subset of service)
  // (from, 1'000'000 - target.e4): the budget in millionths that an evaluation instant t >= from
  // uses; sorted by from; instants before the first step use the first.
  std::vector<std::pair<TimeMs, std::int64_t>> budget_e6;
};

// The service and counted-down time in the window [t - w, t).
struct WindowSums {
  DurationMs service_ms = 0;
  DurationMs down_ms = 0;
};
WindowSums window_sums(const BudgetTimeline& b, TimeMs t, DurationMs w);

// The burn rate over [t - w, t): (down / service) / budget; nullopt without service time there;
// infinity when the budget is zero (target 100) and some time counted down.
std::optional<double> burn_rate_at(const BudgetTimeline& b, TimeMs t, DurationMs w);

struct AlertChange {
  TimeMs t = 0;
  bool firing = false;  // true: fires at t; false: resolves at t
  bool operator==(const AlertChange&) const = default;
};

// The alert's state at every millisecond instant t of [range.begin, range.end] (both included):
// at range.begin it is firing when both windows' burn rates are >= factor; later it fires when
// both are >= factor, resolves when either has a rate below factor, and otherwise (a window with
// no service time) keeps its state.
struct RuleAlerts {
  bool firing_at_start = false;
  std::vector<AlertChange> changes;  // instants in (range.begin, range.end], alternating
  bool firing_at_end = false;
  bool operator==(const RuleAlerts&) const = default;
};
RuleAlerts burn_rate_alerts(const BudgetTimeline& b, const catalogue::BurnRateRule& rule, Interval range);

}  // namespace slamon::engine
