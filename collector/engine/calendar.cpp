// Local time to UTC with Howard Hinnant's date/tz (system tzdata).
#include "collector/engine/calendar.h"

#include <date/tz.h>

#include <algorithm>
#include <stdexcept>

namespace slamon::engine {
namespace {

date::local_days to_local_days(LocalDate d) {
  return date::local_days{std::chrono::sys_days{d}.time_since_epoch()};
}

}  // namespace

Zone find_zone(const std::string& name) {
  try {
    return date::locate_zone(name);
  } catch (const std::exception&) {
    throw std::runtime_error("unknown timezone '" + name + "'");
  }
}

TimeMs local_to_utc(Zone zone, LocalDate day, int minutes) {
  const auto lt = to_local_days(day) + std::chrono::minutes{minutes};
  // nonexistent: date returns the transition (the first instant after the gap); ambiguous: earliest.
  const auto st = zone->to_sys(lt, date::choose::earliest);
  return std::chrono::duration_cast<std::chrono::milliseconds>(st.time_since_epoch()).count();
}

LocalDate local_date_of(Zone zone, TimeMs t) {
  const std::chrono::sys_time<std::chrono::milliseconds> st{std::chrono::milliseconds{t}};
  const auto lt = zone->to_local(st);
  const auto ld = std::chrono::floor<std::chrono::days>(lt.time_since_epoch());
  return LocalDate{std::chrono::sys_days{ld}};
}

int iso_weekday_index(LocalDate day) {
  const std::chrono::weekday wd{std::chrono::sys_days{day}};
  return static_cast<int>(wd.iso_encoding()) - 1;
}

IntervalSet service_hours_intervals(const catalogue::ServiceHours& hours,
                                    const std::vector<LocalDate>& holidays, Zone zone, LocalDate from,
                                    LocalDate to) {
  std::vector<Interval> out;
  for (auto d = std::chrono::sys_days{from}; d < std::chrono::sys_days{to}; d += std::chrono::days{1}) {
    const LocalDate day{d};
    if (std::find(holidays.begin(), holidays.end(), day) != holidays.end()) continue;
    if (hours.always) {
      out.push_back({local_to_utc(zone, day, 0), local_to_utc(zone, day, 1440)});
      continue;
    }
    const int wd = iso_weekday_index(day);
    for (const auto& w : hours.windows) {
      if (!(w.days & (1u << wd))) continue;
      out.push_back({local_to_utc(zone, day, w.start_min), local_to_utc(zone, day, w.end_min)});
    }
  }
  return normalize(std::move(out));
}

IntervalSet recurring_intervals(const catalogue::ServiceHours& every, Zone zone, Interval range) {
  if (range.begin >= range.end) return {};
  if (every.always) return {range};
  const auto first = std::chrono::sys_days{local_date_of(zone, range.begin)} - std::chrono::days{1};
  const auto last = std::chrono::sys_days{local_date_of(zone, range.end - 1)} + std::chrono::days{2};
  return clip(service_hours_intervals(every, {}, zone, LocalDate{first}, LocalDate{last}), range);
}

}  // namespace slamon::engine
