// Tests for collector/store/store.h's pure part: which entries of a batch the mark and the stored
// ranges let through, and where the mark and the ranges go.
#include "collector/store/store.h"

#include <doctest/doctest.h>

using namespace slamon;
using slamon::store::IngestPlan;
using slamon::store::plan_ingest;

namespace {

// A batch from `first` whose entries stand for the given widths (1: a result, n: a gap of n).
wire::Batch batch(std::uint64_t first, std::initializer_list<std::uint64_t> widths) {
  wire::Batch b;
  b.epoch = 1;
  b.first_seq = first;
  for (auto w : widths) {
    if (w == 1) {
      ProbeResult r;
      r.probe = "p";
      b.entries.emplace_back(r);
    } else {
      b.entries.emplace_back(wire::GapRecord{{"p"}, 0, 1, w});
    }
  }
  return b;
}

using wire::SeqRanges;

// The plan's fields in one line: gap, straddles, skip, which entries are stored, mark, ranges.
IngestPlan plan(bool gap, bool straddles, std::size_t skip, std::vector<bool> store, std::uint64_t mark,
                SeqRanges ranges = {}) {
  return IngestPlan{gap, straddles, skip, std::move(store), mark, std::move(ranges)};
}

}  // namespace

TEST_CASE("plan_ingest stores a batch that starts right after the mark, whole") {
  CHECK(plan_ingest(0, {}, batch(1, {1, 1, 1})) == plan(false, false, 0, {true, true, true}, 3));
  CHECK(plan_ingest(10, {}, batch(11, {1})) == plan(false, false, 0, {true}, 11));
}

TEST_CASE("plan_ingest skips the entries at or below the mark of an overlapping or repeated batch") {
  CHECK(plan_ingest(10, {}, batch(9, {1, 1, 1, 1})) == plan(false, false, 2, {false, false, true, true}, 12));
  CHECK(plan_ingest(10, {}, batch(8, {1, 1, 1})) == plan(false, false, 3, {false, false, false}, 10));  // a full resend
  CHECK(plan_ingest(10, {}, batch(3, {1, 1})) == plan(false, false, 2, {false, false}, 10));  // an old batch
}

TEST_CASE("plan_ingest counts a gap entry as the sequence numbers it stands for") {
  CHECK(plan_ingest(0, {}, batch(1, {1, 5, 1})) == plan(false, false, 0, {true, true, true}, 7));
  CHECK(plan_ingest(6, {}, batch(1, {1, 5, 1, 1})) == plan(false, false, 2, {false, false, true, true}, 8));
  CHECK(plan_ingest(7, {}, batch(8, {3})) == plan(false, false, 0, {true}, 10));
}

TEST_CASE("plan_ingest stores a batch above the mark as a range; the mark stays until it reaches it") {
  CHECK(plan_ingest(10, {}, batch(12, {1, 1})) == plan(false, false, 0, {true, true}, 10, {{12, 13}}));
  CHECK(plan_ingest(0, {}, batch(2, {1})) == plan(false, false, 0, {true}, 0, {{2, 2}}));
  // Next to a range: it grows; between two: they merge; reaching the mark: the mark takes them.
  CHECK(plan_ingest(10, {{12, 13}}, batch(14, {1})) == plan(false, false, 0, {true}, 10, {{12, 14}}));
  CHECK(plan_ingest(10, {{12, 13}, {20, 25}}, batch(14, {1, 1, 1, 1, 1, 1})) ==
        plan(false, false, 0, {true, true, true, true, true, true}, 10, {{12, 25}}));
  CHECK(plan_ingest(10, {{12, 13}, {20, 25}}, batch(11, {1})) == plan(false, false, 0, {true}, 13, {{20, 25}}));
}

TEST_CASE("plan_ingest skips entries inside a stored range and stores the others of the batch") {
  // The back-fill reaches a live range: 20..25 stored already, 26 and 27 new.
  CHECK(plan_ingest(10, {{20, 25}}, batch(11, {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1})) ==
        plan(false, false, 6, {true, true, true, true, true, true, true, true, true, false, false, false, false, false, false, true, true}, 27));
  // A full resend of a range: nothing stored, nothing moves.
  CHECK(plan_ingest(10, {{20, 25}}, batch(20, {1, 1, 1, 1, 1, 1})) ==
        plan(false, false, 6, {false, false, false, false, false, false}, 10, {{20, 25}}));
}

TEST_CASE("plan_ingest stores a gap entry that covers the mark, and moves the mark to its end") {
  CHECK(plan_ingest(4, {}, batch(1, {1, 5, 1})) == plan(false, true, 1, {false, true, true}, 7));
  CHECK(plan_ingest(2, {}, batch(2, {5})) == plan(false, true, 0, {true}, 6));
  CHECK(plan_ingest(6, {}, batch(2, {5})) == plan(false, false, 1, {false}, 6));  // ends at the mark: old
}

TEST_CASE("plan_ingest stores a gap entry partly inside a stored range, whole") {
  // The gap 15..22 straddles the range 20..25's start; 8..9 spans the hole between mark and range.
  CHECK(plan_ingest(10, {{20, 25}}, batch(15, {8})) == plan(false, true, 0, {true}, 10, {{15, 25}}));
  CHECK(plan_ingest(10, {{20, 25}}, batch(24, {5})) == plan(false, true, 0, {true}, 10, {{20, 28}}));
  CHECK(plan_ingest(10, {{20, 25}}, batch(21, {3})) == plan(false, false, 1, {false}, 10, {{20, 25}}));
}

TEST_CASE("plan_ingest refuses a batch that would leave more than kMaxStoredRanges ranges above the mark") {
  SeqRanges full;
  for (std::uint64_t i = 0; i < wire::kMaxStoredRanges; ++i) full.insert(100 + 10 * i, 100 + 10 * i);
  CHECK(plan_ingest(10, full, batch(5'000, {1})) == plan(true, false, 0, {}, 10, full));
  // What does not add a range is stored: growing one, filling a hole, the back-fill from the mark.
  CHECK_FALSE(plan_ingest(10, full, batch(101, {1})).gap);
  CHECK_FALSE(plan_ingest(10, full, batch(101, {1, 1, 1, 1, 1, 1, 1, 1, 1})).gap);
  CHECK_FALSE(plan_ingest(10, full, batch(11, {1})).gap);
  // An empty batch changes nothing.
  CHECK(plan_ingest(10, full, batch(5'000, {})) == plan(false, false, 0, {}, 10, full));
}
