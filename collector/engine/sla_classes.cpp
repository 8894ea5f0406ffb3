// Interval algebra over the SLA node's status and planned sets (section 4).
#include "collector/engine/sla_classes.h"

namespace slamon::engine {

SlaClasses classify_instants(NodeTimelines& nodes, int x, const catalogue::SlaTerms& terms, Zone zone,
                             LocalDate first_day, LocalDate end_day, Interval range) {
  using catalogue::DegradedPolicy;
  using catalogue::PlannedPolicy;
  using catalogue::UnknownPolicy;
  const BadSet bad = bad_set(terms);
  SlaClasses c;
  c.hours = clip(service_hours_intervals(terms.hours, terms.holidays, zone, first_day, end_day), range);
  if (terms.planned == PlannedPolicy::exclude) c.planned = intersect(c.hours, nodes.planned(x, bad, range));
  const IntervalSet base = subtract(c.hours, c.planned);
  const StatusTimeline& sx = nodes.status(x);
  auto of_status = [&](Status s) { return intersect(base, where(sx, range, [s](Status v) { return v == s; })); };
  c.degraded = of_status(Status::degraded);
  c.unmonitored = of_status(Status::unknown);
  c.counted_down = of_status(Status::down);
  if (terms.degraded == DegradedPolicy::down) c.counted_down = unite(c.counted_down, c.degraded);
  if (terms.unknown == UnknownPolicy::down) c.counted_down = unite(c.counted_down, c.unmonitored);
  c.counted = terms.unknown == UnknownPolicy::exclude ? subtract(base, c.unmonitored) : base;
  return c;
}

}  // namespace slamon::engine
