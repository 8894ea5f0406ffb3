// Parsing and printing of service-hours entries.
#include "common/catalogue/hours.h"

#include <array>
#include <cstdio>

namespace slamon::catalogue {
namespace {

constexpr std::array<std::string_view, 7> kDays = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

int day_index(std::string_view s) {
  for (std::size_t i = 0; i < kDays.size(); ++i)
    if (kDays[i] == s) return static_cast<int>(i);
  return -1;
}

// "HH:MM" (H may be one digit) to minutes; -1 on error. 24:00 allowed, checked by the caller.
int parse_clock(std::string_view s) {
  const auto colon = s.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon > 2 || s.size() != colon + 3) return -1;
  int h = 0, m = 0;
  for (std::size_t i = 0; i < colon; ++i) {
    if (s[i] < '0' || s[i] > '9') return -1;
    h = h * 10 + (s[i] - '0');
  }
  for (std::size_t i = colon + 1; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return -1;
    m = m * 10 + (s[i] - '0');
  }
  if (m > 59 || h > 24 || (h == 24 && m != 0)) return -1;
  return h * 60 + m;
}

std::string clock_text(int minutes) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02d:%02d", minutes / 60 % 100, minutes % 60);
  return buf;
}

}  // namespace

std::variant<HoursEntry, std::string> parse_hours_entry(std::string_view text) {
  const auto first = text.find_first_not_of(' ');
  if (first == std::string_view::npos) return std::string("empty service-hours entry");
  text = text.substr(first, text.find_last_not_of(' ') - first + 1);
  if (text == "24x7") return HoursEntry{true, {}};
  const auto space = text.find(' ');
  if (space == std::string_view::npos)
    return std::string("expected 'DAYS HH:MM-HH:MM' (as in 'mon-fri 08:00-18:00') or '24x7'");
  const std::string_view days = text.substr(0, space);
  std::string_view times = text.substr(space + 1);
  times = times.substr(times.find_first_not_of(' ') == std::string_view::npos ? times.size()
                                                                              : times.find_first_not_of(' '));
  HoursEntry e;
  std::size_t pos = 0;
  while (pos <= days.size()) {
    auto comma = days.find(',', pos);
    if (comma == std::string_view::npos) comma = days.size();
    const std::string_view part = days.substr(pos, comma - pos);
    const auto dash = part.find('-');
    if (dash == std::string_view::npos) {
      const int d = day_index(part);
      if (d < 0) return "unknown day '" + std::string(part) + "' (use mon, tue, wed, thu, fri, sat, sun)";
      e.window.days |= static_cast<std::uint8_t>(1u << d);
    } else {
      const int a = day_index(part.substr(0, dash));
      const int b = day_index(part.substr(dash + 1));
      if (a < 0 || b < 0) return "bad day range '" + std::string(part) + "' (as in mon-fri)";
      if (b < a) return "day range '" + std::string(part) + "' goes backwards (write it as two entries)";
      for (int d = a; d <= b; ++d) e.window.days |= static_cast<std::uint8_t>(1u << d);
    }
    pos = comma + 1;
  }
  const auto dash = times.find('-');
  if (dash == std::string_view::npos) return "expected a time window HH:MM-HH:MM after the days";
  const int start = parse_clock(times.substr(0, dash));
  const int end = parse_clock(times.substr(dash + 1));
  if (start < 0 || start >= 1440) return "bad start time '" + std::string(times.substr(0, dash)) + "' (HH:MM, 00:00-23:59)";
  if (end < 0) return "bad end time '" + std::string(times.substr(dash + 1)) + "' (HH:MM, up to 24:00)";
  if (end <= start)
    return "window " + std::string(times) + " does not end after it starts (write two entries, e.g. "
           "'... 22:00-24:00' and '... 00:00-06:00')";
  e.window.start_min = start;
  e.window.end_min = end;
  return e;
}

std::string format_hours_window(const HoursWindow& w) {
  std::string days;
  int d = 0;
  while (d < 7) {
    if ((w.days & (1u << d)) == 0) {
      ++d;
      continue;
    }
    int e = d;
    while (e + 1 < 7 && (w.days & (1u << (e + 1))) != 0) ++e;
    if (!days.empty()) days += ',';
    days += kDays[static_cast<std::size_t>(d)];
    if (e > d) {
      days += e == d + 1 ? ',' : '-';
      days += kDays[static_cast<std::size_t>(e)];
    }
    d = e + 1;
  }
  return days + " " + clock_text(w.start_min) + "-" + clock_text(w.end_min);
}

std::vector<std::string> format_service_hours(const ServiceHours& h) {
  if (h.always) return {"24x7"};
  std::vector<std::string> out;
  for (const auto& w : h.windows) out.push_back(format_hours_window(w));
  return out;
}

}  // namespace slamon::catalogue
