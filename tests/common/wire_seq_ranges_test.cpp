// Tests for common/wire/seq_ranges.h: merging on insert, coverage, the next missing and present
// numbers, differences, and the checks on ranges a collector sends.
#include "common/wire/seq_ranges.h"

#include <doctest/doctest.h>

#include <limits>

using slamon::wire::SeqRange;
using slamon::wire::SeqRanges;
namespace v1 = slamon::wire::v1;

TEST_CASE("seq ranges: inserts merge overlapping and adjacent ranges and keep them sorted") {
  SeqRanges s;
  s.insert(10, 20);
  s.insert(30, 40);
  CHECK(s.ranges() == std::vector<SeqRange>{{10, 20}, {30, 40}});
  s.insert(21, 21);  // adjacent: one range
  CHECK(s.ranges() == std::vector<SeqRange>{{10, 21}, {30, 40}});
  s.insert(1, 3);
  s.insert(5, 35);  // swallows one range and reaches into the next
  CHECK(s.ranges() == std::vector<SeqRange>{{1, 3}, {5, 40}});
  s.insert(4, 4);
  CHECK(s.ranges() == std::vector<SeqRange>{{1, 40}});
  s.insert(9, 2);  // backwards: nothing
  CHECK(s.size() == 1);
  constexpr auto kMax = std::numeric_limits<std::uint64_t>::max();
  s.insert(kMax - 1, kMax);
  s.insert(50, kMax - 2);
  CHECK(s.ranges() == std::vector<SeqRange>{{1, 40}, {50, kMax}});
}

TEST_CASE("seq ranges: covers, overlaps, next missing and next present") {
  const SeqRanges s{{10, 20}, {30, 40}};
  CHECK(s.covers(10, 20));
  CHECK(s.covers(12, 12));
  CHECK_FALSE(s.covers(15, 30));
  CHECK_FALSE(s.covers(5, 5));
  CHECK(s.overlaps(5, 10));
  CHECK(s.overlaps(20, 29));
  CHECK_FALSE(s.overlaps(21, 29));
  CHECK(s.next_missing(1) == 1);
  CHECK(s.next_missing(10) == 21);
  CHECK(s.next_missing(35) == 41);
  CHECK(s.next_present(1) == 10);
  CHECK(s.next_present(15) == 15);
  CHECK(s.next_present(21) == 30);
  CHECK_FALSE(s.next_present(41));
  CHECK(s.top() == 40);
}

TEST_CASE("seq ranges: erase_through and minus") {
  SeqRanges s{{10, 20}, {30, 40}};
  CHECK(s.minus(SeqRanges{{15, 32}}) == SeqRanges{{10, 14}, {33, 40}});
  CHECK(s.minus(SeqRanges{{1, 100}}).empty());
  CHECK(s.minus({}) == s);
  CHECK(s.minus(SeqRanges{{12, 12}, {18, 18}}) == SeqRanges{{10, 11}, {13, 17}, {19, 20}, {30, 40}});
  s.erase_through(15);
  CHECK(s == SeqRanges{{16, 20}, {30, 40}});
  s.erase_through(35);
  CHECK(s == SeqRanges{{36, 40}});
  s.erase_through(40);
  CHECK(s.empty());
}

TEST_CASE("seq ranges from the wire: ascending, disjoint, not adjacent, above mark + 1, at most 64") {
  const auto parse = [](std::vector<std::pair<std::uint64_t, std::uint64_t>> in, std::uint64_t mark) {
    google::protobuf::RepeatedPtrField<v1::SeqRange> w;
    for (auto [f, l] : in) {
      auto* r = w.Add();
      r->set_first_seq(f);
      r->set_last_seq(l);
    }
    std::string error;
    auto out = slamon::wire::ranges_from_wire(w, mark, error);
    CHECK(out.has_value() == error.empty());
    return out;
  };
  CHECK(parse({{12, 20}, {22, 22}}, 10) == SeqRanges{{12, 20}, {22, 22}});
  CHECK(parse({}, 10) == SeqRanges{});
  CHECK_FALSE(parse({{11, 20}}, 10));
  CHECK_FALSE(parse({{12, 20}, {21, 30}}, 10));
  CHECK_FALSE(parse({{22, 30}, {12, 20}}, 10));
  CHECK_FALSE(parse({{20, 12}}, 10));
  std::vector<std::pair<std::uint64_t, std::uint64_t>> many;
  for (std::uint64_t i = 0; i <= slamon::wire::kMaxStoredRanges; ++i) many.emplace_back(2 + 2 * i, 2 + 2 * i);
  CHECK_FALSE(parse(many, 0));
  many.pop_back();
  CHECK(parse(many, 0));
  // Round trip.
  const SeqRanges s{{5, 9}, {20, 20}};
  google::protobuf::RepeatedPtrField<v1::SeqRange> w;
  slamon::wire::to_wire(s, w);
  std::string error;
  CHECK(slamon::wire::ranges_from_wire(w, 3, error) == s);
}
