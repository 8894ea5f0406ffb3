// Reporting periods (semantics.md section 5): calendar-aligned day, ISO week, month, quarter, year
// in the SLA's timezone, from local midnight to local midnight, and their labels
// (2026-10-05, 2026-W41 in the ISO week-numbering year, 2026-10, 2026-Q4, 2026).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "collector/engine/calendar.h"

namespace slamon::engine {

using catalogue::PeriodKind;

struct Period {
  PeriodKind kind = PeriodKind::month;
  LocalDate first_day;  // local date of the first day
  LocalDate end_day;    // local date after the last day
  TimeMs start = 0;     // UTC of local midnight starting first_day
  TimeMs end = 0;       // UTC of local midnight starting end_day
  std::string label;
  bool operator==(const Period&) const = default;
};

// A label's kind and first day; nullopt when the label is not one of the five forms or out of range.
struct PeriodLabel {
  PeriodKind kind;
  LocalDate first_day;
};
std::optional<PeriodLabel> parse_period_label(std::string_view label);

// The period of `kind` that contains local date `day`.
Period period_containing(PeriodKind kind, LocalDate day, Zone zone);
Period period_from_label(const PeriodLabel& label, Zone zone);
Period next_period(const Period& p, Zone zone);
Period previous_period(const Period& p, Zone zone);
std::string period_label(PeriodKind kind, LocalDate first_day);

// The instants RFC 3339 can write: years 0001 to 9999 in UTC. A period whose bounds leave them, or
// an as_of outside them, cannot be reported (its label is invalid).
inline constexpr TimeMs kFirstWritableMs = -62'135'596'800'000;  // 0001-01-01T00:00:00Z
inline constexpr TimeMs kLastWritableMs = 253'402'300'799'999;   // 9999-12-31T23:59:59.999Z
inline bool writable_instant(TimeMs t) { return t >= kFirstWritableMs && t <= kLastWritableMs; }
inline bool writable_period(const Period& p) { return writable_instant(p.start) && writable_instant(p.end); }

// Whether `day` is the first day of a period of `kind` (SLA versions start on period boundaries).
bool is_period_boundary(PeriodKind kind, LocalDate day);

}  // namespace slamon::engine
