// The classification of every instant for one SLA version over a range (semantics.md section 4) as
// interval sets: the one place that turns service hours, planned time and X's status into the
// classes that the report (sla_report.h) and the burn rates (burn_rate.h) both count.
#pragma once

#include "collector/engine/calendar.h"
#include "collector/engine/node_timelines.h"

namespace slamon::engine {

struct SlaClasses {
  IntervalSet hours;         // agreed service time
  IntervalSet planned;       // classed planned (empty unless planned: exclude)
  IntervalSet unmonitored;   // service time, not planned, where X's status is unknown
  IntervalSet degraded;      // base time where X's status is degraded
  IntervalSet counted_down;  // class down
  IntervalSet counted;       // the base: classes up and down (hours - planned - excluded unknown)
};

// `first_day`..`end_day`: the local dates whose service hours count (the period's); `range` clips them.
SlaClasses classify_instants(NodeTimelines& nodes, int x, const catalogue::SlaTerms& terms, Zone zone,
                             LocalDate first_day, LocalDate end_day, Interval range);

}  // namespace slamon::engine
