// Calendars in an IANA timezone (semantics.md section 5): local dates and times to UTC (a skipped
// local time maps to the first instant after the gap, a repeated one to its earlier occurrence),
// service hours on local dates as UTC intervals, holidays, and recurring weekly windows.
#pragma once

#include <string>

#include "collector/engine/timeline.h"
#include "common/catalogue/model.h"

namespace date {
class time_zone;
}

namespace slamon::engine {

using catalogue::LocalDate;
using Zone = const date::time_zone*;

// The zone for an IANA name; throws std::runtime_error when unknown.
Zone find_zone(const std::string& name);

// The UTC instant of `minutes` after local midnight of `day` (minutes may be 1440: next midnight).
TimeMs local_to_utc(Zone zone, LocalDate day, int minutes);
// The local calendar date at a UTC instant.
LocalDate local_date_of(Zone zone, TimeMs t);

// ISO weekday: 0 = Monday ... 6 = Sunday (the bit index of HoursWindow::days).
int iso_weekday_index(LocalDate day);

// The service time on the local dates [from, to), holidays removed, as UTC intervals.
IntervalSet service_hours_intervals(const catalogue::ServiceHours& hours,
                                    const std::vector<LocalDate>& holidays, Zone zone, LocalDate from,
                                    LocalDate to);

// A recurring ("every") window in its zone, over [range) in UTC.
IntervalSet recurring_intervals(const catalogue::ServiceHours& every, Zone zone, Interval range);

}  // namespace slamon::engine
