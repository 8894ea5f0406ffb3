// RFC 3339 and duration parsing, by hand: these run on every result line, so they stay allocation-free.
#include "common/time.h"

#include <chrono>
#include <climits>
#include <cstdio>

namespace slamon {
namespace {

// Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar (Howard Hinnant's algorithm).
constexpr std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

constexpr bool is_leap(std::int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

constexpr unsigned last_day(std::int64_t y, unsigned m) {
  constexpr unsigned days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    const char c = s[i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  out = v;
  return true;
}

// The instants that RFC 3339 can write in UTC: 0000-01-01T00:00:00Z to 9999-12-31T23:59:59Z.
constexpr std::int64_t kFirstRfc3339Second = days_from_civil(0, 1, 1) * 86400;
constexpr std::int64_t kLastRfc3339Second = days_from_civil(9999, 12, 31) * 86400 + 86399;

}  // namespace

std::optional<TimeMs> parse_rfc3339(std::string_view s) {
  // YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)
  int y, mo, d, h, mi, se;
  if (!digits(s, 0, 4, y) || s.size() < 20 || s[4] != '-' || !digits(s, 5, 2, mo) || s[7] != '-' ||
      !digits(s, 8, 2, d) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || !digits(s, 11, 2, h) ||
      s[13] != ':' || !digits(s, 14, 2, mi) || s[16] != ':' || !digits(s, 17, 2, se))
    return std::nullopt;
  if (mo < 1 || mo > 12 || d < 1 || d > static_cast<int>(last_day(y, mo)) || h > 23 || mi > 59 || se > 60)
    return std::nullopt;
  std::size_t pos = 19;
  int ms = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    std::size_t n = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (n < 3) ms = ms * 10 + (s[pos] - '0');
      ++n;
      ++pos;
    }
    if (n == 0) return std::nullopt;
    for (std::size_t k = n; k < 3; ++k) ms *= 10;
  }
  if (pos >= s.size()) return std::nullopt;
  int offset_min = 0;
  if (s[pos] == 'Z' || s[pos] == 'z') {
    ++pos;
  } else if (s[pos] == '+' || s[pos] == '-') {
    int oh, om;
    if (!digits(s, pos + 1, 2, oh) || pos + 3 >= s.size() || s[pos + 3] != ':' || !digits(s, pos + 4, 2, om) ||
        oh > 23 || om > 59)
      return std::nullopt;
    offset_min = (oh * 60 + om) * (s[pos] == '-' ? -1 : 1);
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != s.size()) return std::nullopt;
  const bool leap = se == 60;
  if (leap) se = 59;  // a leap second is read as the last second of its minute
  const std::int64_t days = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  const std::int64_t secs = days * 86400 + h * 3600 + mi * 60 + se - static_cast<std::int64_t>(offset_min) * 60;
  // A leap second is only ever inserted as 23:59:60 UTC on the last day of a month: a :60 elsewhere
  // (after the offset is applied) is no instant at all.
  if (leap) {
    const std::int64_t next = secs + 1;
    if (next % 86400 != 0) return std::nullopt;
    const std::chrono::year_month_day next_day{std::chrono::sys_days{std::chrono::days{next / 86400}}};
    if (next_day.day() != std::chrono::day{1}) return std::nullopt;
  }
  // An offset can carry the instant out of the four-digit years (0000-01-01T06:00:00+08:00 is in
  // year -1 UTC); such an instant could not be written back as RFC 3339, so it is refused.
  if (secs < kFirstRfc3339Second || secs > kLastRfc3339Second) return std::nullopt;
  return secs * 1000 + ms;
}

std::string format_rfc3339(TimeMs t) {
  const std::chrono::sys_time<std::chrono::milliseconds> tp{std::chrono::milliseconds{t}};
  const auto day = std::chrono::floor<std::chrono::days>(tp);
  const std::chrono::year_month_day ymd{day};
  const std::chrono::hh_mm_ss hms{tp - day};
  char buf[40];
  const int ms = static_cast<int>(hms.subseconds().count());
  int n = std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d", static_cast<int>(ymd.year()),
                        static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                        static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                        static_cast<int>(hms.seconds().count()));
  if (ms != 0) n += std::snprintf(buf + n, sizeof buf - n, ".%03d", ms);
  buf[n++] = 'Z';
  return std::string(buf, n);
}

std::optional<DurationMs> parse_duration(std::string_view s) {
  std::size_t i = 0;
  std::int64_t v = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
    if (v > (INT64_MAX - 9) / 10) return std::nullopt;
    v = v * 10 + (s[i] - '0');
    ++i;
  }
  if (i == 0) return std::nullopt;
  const std::string_view unit = s.substr(i);
  std::int64_t mult;
  if (unit == "ms") mult = 1;
  else if (unit == "s") mult = 1000;
  else if (unit == "m") mult = 60'000;
  else if (unit == "h") mult = 3'600'000;
  else if (unit == "d") mult = 86'400'000;
  else return std::nullopt;
  if (v > INT64_MAX / mult) return std::nullopt;
  return v * mult;
}

std::string format_duration(DurationMs d) {
  if (d == 0) return "0s";
  struct Unit { std::int64_t ms; const char* name; };
  constexpr Unit units[] = {{86'400'000, "d"}, {3'600'000, "h"}, {60'000, "m"}, {1000, "s"}, {1, "ms"}};
  std::string out;
  if (d < 0) { out = "-"; d = -d; }
  for (const auto& u : units) {
    if (d >= u.ms) {
      out += std::to_string(d / u.ms) + u.name;
      d %= u.ms;
    }
  }
  return out;
}

TimeMs SystemClock::now_ms() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch()).count();
}

std::int64_t SystemClock::steady_ns() const {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch()).count();
}

}  // namespace slamon
