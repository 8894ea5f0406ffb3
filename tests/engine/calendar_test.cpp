// Calendars (semantics.md section 5): service hours to UTC on DST days, holidays, recurring windows.
#include "collector/engine/calendar.h"

#include <doctest/doctest.h>

#include "tests/engine/engine_fixtures.h"

namespace slamon::engine {
namespace {

using namespace std::chrono;
using test::T;

constexpr TimeMs H = 3'600'000;

catalogue::ServiceHours hours(int start_min, int end_min, std::uint8_t days = 0x7f) {
  catalogue::ServiceHours h;
  h.always = false;
  h.windows.push_back({days, start_min, end_min});
  return h;
}

IntervalSet on_day(const catalogue::ServiceHours& h, const char* tz, LocalDate d) {
  return service_hours_intervals(h, {}, find_zone(tz), d, LocalDate{sys_days{d} + days{1}});
}

}  // namespace

TEST_CASE("local times to UTC: gaps map to the first instant after, repeats to the earlier one") {
  const Zone berlin = find_zone("Europe/Berlin");
  // 2026-03-29: 02:00 CET -> 03:00 CEST (01:00Z).
  CHECK(local_to_utc(berlin, 2026y / 3 / 29, 120) == T("2026-03-29T01:00:00Z"));
  CHECK(local_to_utc(berlin, 2026y / 3 / 29, 150) == T("2026-03-29T01:00:00Z"));
  CHECK(local_to_utc(berlin, 2026y / 3 / 29, 180) == T("2026-03-29T01:00:00Z"));
  // 2026-10-25: 03:00 CEST -> 02:00 CET; 02:30 is ambiguous: the earlier (CEST) occurrence.
  CHECK(local_to_utc(berlin, 2026y / 10 / 25, 150) == T("2026-10-25T00:30:00Z"));
  CHECK(local_to_utc(berlin, 2026y / 10 / 25, 1440) == T("2026-10-25T23:00:00Z"));
  CHECK(local_date_of(berlin, T("2026-10-25T22:59:59Z")) == 2026y / 10 / 25);
  CHECK(local_date_of(berlin, T("2026-10-25T23:00:00Z")) == 2026y / 10 / 26);
  CHECK_THROWS(find_zone("Mars/Olympus_Mons"));
}

TEST_CASE("service hours on DST days in Europe/Berlin") {
  // Spring forward: 02:00-03:00 does not exist.
  CHECK(total_ms(on_day(hours(60, 180), "Europe/Berlin", 2026y / 3 / 29)) == 1 * H);
  CHECK(total_ms(on_day(hours(120, 180), "Europe/Berlin", 2026y / 3 / 29)) == 0);
  CHECK(total_ms(on_day(hours(150, 240), "Europe/Berlin", 2026y / 3 / 29)) == 1 * H);
  CHECK(total_ms(on_day(hours(480, 1080), "Europe/Berlin", 2026y / 3 / 29)) == 10 * H);
  // Fall back: 02:00-03:00 happens twice.
  CHECK(total_ms(on_day(hours(60, 240), "Europe/Berlin", 2026y / 10 / 25)) == 4 * H);
  CHECK(total_ms(on_day(hours(120, 180), "Europe/Berlin", 2026y / 10 / 25)) == 2 * H);
  // Whole days are 23 h and 25 h.
  const catalogue::ServiceHours all;
  CHECK(total_ms(on_day(all, "Europe/Berlin", 2026y / 3 / 29)) == 23 * H);
  CHECK(total_ms(on_day(all, "Europe/Berlin", 2026y / 10 / 25)) == 25 * H);
  CHECK(total_ms(on_day(hours(0, 1440), "Europe/Berlin", 2026y / 10 / 25)) == 25 * H);
}

TEST_CASE("service hours on DST days in America/New_York") {
  // 2026-03-08 02:00 EST -> 03:00 EDT; 2026-11-01 02:00 EDT -> 01:00 EST.
  CHECK(total_ms(on_day(hours(60, 180), "America/New_York", 2026y / 3 / 8)) == 1 * H);
  CHECK(total_ms(on_day(hours(60, 180), "America/New_York", 2026y / 11 / 1)) == 3 * H);
  const auto iv = on_day(hours(60, 180), "America/New_York", 2026y / 11 / 1);
  REQUIRE(iv.size() == 1);
  CHECK(iv[0].begin == T("2026-11-01T05:00:00Z"));  // 01:00 EDT, the earlier occurrence
  CHECK(iv[0].end == T("2026-11-01T08:00:00Z"));    // 03:00 EST
  CHECK(total_ms(on_day(hours(480, 1080), "America/New_York", 2026y / 11 / 1)) == 10 * H);
}

TEST_CASE("weekdays and holidays") {
  // 2026-03-02 is a Monday; mon-fri 08:00-18:00 over a week in UTC is 50 h.
  const auto h = hours(480, 1080, 0x1f);
  const Zone utc = find_zone("UTC");
  CHECK(total_ms(service_hours_intervals(h, {}, utc, 2026y / 3 / 2, 2026y / 3 / 9)) == 50 * H);
  CHECK(iso_weekday_index(2026y / 3 / 2) == 0);
  CHECK(iso_weekday_index(2026y / 3 / 8) == 6);
  // A holiday removes the whole local date.
  CHECK(total_ms(service_hours_intervals(h, {2026y / 3 / 4}, utc, 2026y / 3 / 2, 2026y / 3 / 9)) == 40 * H);
  const catalogue::ServiceHours all;
  CHECK(total_ms(service_hours_intervals(all, {2026y / 10 / 25}, find_zone("Europe/Berlin"), 2026y / 10 / 24,
                                         2026y / 10 / 27)) == 48 * H);
  // 24:00 runs to midnight; adjacent windows merge.
  catalogue::ServiceHours two;
  two.always = false;
  two.windows = {{0x7f, 0, 720}, {0x7f, 720, 1440}};
  CHECK(service_hours_intervals(two, {}, utc, 2026y / 3 / 2, 2026y / 3 / 3) ==
        IntervalSet{{T("2026-03-02T00:00:00Z"), T("2026-03-03T00:00:00Z")}});
}

TEST_CASE("recurring windows across a DST change (sun 02:00-04:00 Europe/Berlin)") {
  const auto every = hours(120, 240, 0x40);
  const Zone berlin = find_zone("Europe/Berlin");
  // Spring: 03:00-04:00 CEST only.
  auto spring = recurring_intervals(every, berlin, {T("2026-03-28T00:00:00Z"), T("2026-03-30T00:00:00Z")});
  CHECK(spring == IntervalSet{{T("2026-03-29T01:00:00Z"), T("2026-03-29T02:00:00Z")}});
  // Fall: 02:00 CEST (00:00Z) to 04:00 CET (03:00Z): 3 h.
  auto fall = recurring_intervals(every, berlin, {T("2026-10-24T00:00:00Z"), T("2026-10-26T00:00:00Z")});
  CHECK(fall == IntervalSet{{T("2026-10-25T00:00:00Z"), T("2026-10-25T03:00:00Z")}});
  // An ordinary Sunday: 2 h, and clipped to the range.
  auto plain = recurring_intervals(every, berlin, {T("2026-03-22T01:30:00Z"), T("2026-03-23T00:00:00Z")});
  CHECK(plain == IntervalSet{{T("2026-03-22T01:30:00Z"), T("2026-03-22T03:00:00Z")}});
  CHECK(recurring_intervals(catalogue::ServiceHours{}, berlin, {5, 10}) == IntervalSet{{5, 10}});
}

}  // namespace slamon::engine
