// Period arithmetic on local dates; only the bounds go through the timezone.
#include "collector/engine/period.h"

#include <cstdio>

namespace slamon::engine {
namespace {

using namespace std::chrono;

sys_days monday_of_iso_week1(int iso_year) {
  const sys_days jan4{year{iso_year} / January / 4};
  const int wd = iso_weekday_index(LocalDate{jan4});
  return jan4 - days{wd};
}

int iso_year_of(LocalDate d, int* week) {
  const sys_days sd{d};
  const sys_days thursday = sd - days{iso_weekday_index(d)} + days{3};
  const int y = static_cast<int>(year_month_day{thursday}.year());
  if (week) *week = static_cast<int>((thursday - monday_of_iso_week1(y)).count() / 7) + 1;
  return y;
}

int weeks_in_iso_year(int y) {
  int w = 0;
  iso_year_of(LocalDate{year{y} / December / 28}, &w);
  return w;
}

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

int to_int(std::string_view s) {
  int v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  return v;
}

LocalDate first_day_of(PeriodKind kind, LocalDate day) {
  const year_month_day ymd = day;
  switch (kind) {
    case PeriodKind::day: return day;
    case PeriodKind::week: return LocalDate{sys_days{day} - days{iso_weekday_index(day)}};
    case PeriodKind::month: return ymd.year() / ymd.month() / 1;
    case PeriodKind::quarter: {
      const unsigned m = static_cast<unsigned>(ymd.month());
      return ymd.year() / month{(m - 1) / 3 * 3 + 1} / 1;
    }
    case PeriodKind::year: return ymd.year() / January / 1;
  }
  return day;
}

LocalDate add_period(PeriodKind kind, LocalDate first, int n) {
  switch (kind) {
    case PeriodKind::day: return LocalDate{sys_days{first} + days{n}};
    case PeriodKind::week: return LocalDate{sys_days{first} + days{7 * n}};
    case PeriodKind::month: return first + months{n};
    case PeriodKind::quarter: return first + months{3 * n};
    case PeriodKind::year: return first + years{n};
  }
  return first;
}

Period make(PeriodKind kind, LocalDate first, Zone zone) {
  Period p;
  p.kind = kind;
  p.first_day = first;
  p.end_day = add_period(kind, first, 1);
  p.start = local_to_utc(zone, p.first_day, 0);
  p.end = local_to_utc(zone, p.end_day, 0);
  p.label = period_label(kind, first);
  return p;
}

}  // namespace

std::optional<PeriodLabel> parse_period_label(std::string_view s) {
  if (s.size() < 4 || !all_digits(s.substr(0, 4))) return std::nullopt;
  const int y = to_int(s.substr(0, 4));
  if (s.size() == 4) return PeriodLabel{PeriodKind::year, year{y} / January / 1};
  if (s[4] != '-') return std::nullopt;
  const std::string_view rest = s.substr(5);
  if (rest.size() == 3 && rest[0] == 'W' && all_digits(rest.substr(1))) {
    const int w = to_int(rest.substr(1));
    if (w < 1 || w > weeks_in_iso_year(y)) return std::nullopt;
    return PeriodLabel{PeriodKind::week, LocalDate{monday_of_iso_week1(y) + days{7 * (w - 1)}}};
  }
  if (rest.size() == 2 && rest[0] == 'Q' && rest[1] >= '1' && rest[1] <= '4') {
    const unsigned q = static_cast<unsigned>(rest[1] - '0');
    return PeriodLabel{PeriodKind::quarter, year{y} / month{(q - 1) * 3 + 1} / 1};
  }
  if (rest.size() == 2 && all_digits(rest)) {
    const int m = to_int(rest);
    if (m < 1 || m > 12) return std::nullopt;
    return PeriodLabel{PeriodKind::month, year{y} / month{static_cast<unsigned>(m)} / 1};
  }
  if (rest.size() == 5 && all_digits(rest.substr(0, 2)) && rest[2] == '-' && all_digits(rest.substr(3))) {
    const year_month_day ymd{year{y}, month{static_cast<unsigned>(to_int(rest.substr(0, 2)))},
                             day{static_cast<unsigned>(to_int(rest.substr(3)))}};
    if (!ymd.ok()) return std::nullopt;
    return PeriodLabel{PeriodKind::day, ymd};
  }
  return std::nullopt;
}

Period period_containing(PeriodKind kind, LocalDate day, Zone zone) {
  return make(kind, first_day_of(kind, day), zone);
}

Period period_from_label(const PeriodLabel& label, Zone zone) {
  return make(label.kind, label.first_day, zone);
}

Period next_period(const Period& p, Zone zone) { return make(p.kind, p.end_day, zone); }

Period previous_period(const Period& p, Zone zone) {
  return make(p.kind, add_period(p.kind, p.first_day, -1), zone);
}

std::string period_label(PeriodKind kind, LocalDate first) {
  const year_month_day ymd = first;
  const int y = static_cast<int>(ymd.year());
  const unsigned m = static_cast<unsigned>(ymd.month());
  char buf[32];
  switch (kind) {
    case PeriodKind::day:
      std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", y, m, static_cast<unsigned>(ymd.day()));
      break;
    case PeriodKind::week: {
      int w = 0;
      const int iy = iso_year_of(first, &w);
      std::snprintf(buf, sizeof buf, "%04d-W%02d", iy, w);
      break;
    }
    case PeriodKind::month: std::snprintf(buf, sizeof buf, "%04d-%02u", y, m); break;
    case PeriodKind::quarter: std::snprintf(buf, sizeof buf, "%04d-Q%u", y, (m - 1) / 3 + 1); break;
    case PeriodKind::year: std::snprintf(buf, sizeof buf, "%04d", y); break;
  }
  return buf;
}

bool is_period_boundary(PeriodKind kind, LocalDate day) { return first_day_of(kind, day) == day; }

}  // namespace slamon::engine
