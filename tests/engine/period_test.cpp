// Periods and labels (semantics.md section 5), in the SLA's timezone.
#include "collector/engine/period.h"

#include <doctest/doctest.h>

#include "tests/engine/engine_fixtures.h"

namespace slamon::engine {
namespace {
using namespace std::chrono;
using test::T;
}  // namespace

TEST_CASE("labels of the five kinds") {
  auto l = parse_period_label("2026-10-05");
  REQUIRE(l);
  CHECK(l->kind == PeriodKind::day);
  CHECK(l->first_day == 2026y / 10 / 5);
  l = parse_period_label("2026-W41");
  REQUIRE(l);
  CHECK(l->kind == PeriodKind::week);
  CHECK(l->first_day == 2026y / 10 / 5);  // a Monday
  l = parse_period_label("2026-10");
  REQUIRE(l);
  CHECK(l->kind == PeriodKind::month);
  l = parse_period_label("2026-Q4");
  REQUIRE(l);
  CHECK(l->kind == PeriodKind::quarter);
  CHECK(l->first_day == 2026y / 10 / 1);
  l = parse_period_label("2026");
  REQUIRE(l);
  CHECK(l->kind == PeriodKind::year);
  for (const char* bad : {"2026-13", "2026-Q5", "2026-Q0", "2026-02-30", "26-10", "2026-W54", "2025-W53", "2026-W00",
                          "2026-10-5", "", "2026-", "abcd"})
    CHECK_MESSAGE(!parse_period_label(bad), bad);
}

TEST_CASE("ISO week-numbering year: 2026-W53 ends on 2027-01-03") {
  const Zone utc = find_zone("UTC");
  const auto p = period_from_label(*parse_period_label("2026-W53"), utc);
  CHECK(p.first_day == 2026y / 12 / 28);
  CHECK(p.end_day == 2027y / 1 / 4);
  CHECK(period_containing(PeriodKind::week, 2027y / 1 / 1, utc).label == "2026-W53");
  CHECK(period_containing(PeriodKind::week, 2027y / 1 / 4, utc).label == "2027-W01");
  CHECK(period_containing(PeriodKind::week, 2024y / 12 / 30, utc).label == "2025-W01");
  CHECK(next_period(p, utc).label == "2027-W01");
}

TEST_CASE("bounds are local midnights in the timezone") {
  const auto p = period_from_label(*parse_period_label("2026-10"), find_zone("Asia/Shanghai"));
  CHECK(p.start == T("2026-09-30T16:00:00Z"));
  CHECK(p.end == T("2026-10-31T16:00:00Z"));
  const auto b = period_from_label(*parse_period_label("2026-03"), find_zone("Europe/Berlin"));
  CHECK(b.start == T("2026-02-28T23:00:00Z"));
  CHECK(b.end == T("2026-03-31T22:00:00Z"));
  const auto d = period_from_label(*parse_period_label("2026-10-25"), find_zone("Europe/Berlin"));
  CHECK(d.end - d.start == 25 * 3'600'000);
  const auto q = period_from_label(*parse_period_label("2026-Q4"), find_zone("UTC"));
  CHECK(q.end == T("2027-01-01T00:00:00Z"));
  CHECK(previous_period(q, find_zone("UTC")).label == "2026-Q3");
  const auto y = period_from_label(*parse_period_label("2026"), find_zone("UTC"));
  CHECK(next_period(y, find_zone("UTC")).label == "2027");
  CHECK(previous_period(period_from_label(*parse_period_label("2026-01"), find_zone("UTC")), find_zone("UTC")).label ==
        "2025-12");
  CHECK(previous_period(d, find_zone("Europe/Berlin")).label == "2026-10-24");
}

TEST_CASE("period boundaries") {
  CHECK(is_period_boundary(PeriodKind::month, 2026y / 10 / 1));
  CHECK_FALSE(is_period_boundary(PeriodKind::month, 2026y / 10 / 2));
  CHECK(is_period_boundary(PeriodKind::week, 2026y / 10 / 5));
  CHECK_FALSE(is_period_boundary(PeriodKind::quarter, 2026y / 11 / 1));
  CHECK(is_period_boundary(PeriodKind::year, 2027y / 1 / 1));
}

}  // namespace slamon::engine
