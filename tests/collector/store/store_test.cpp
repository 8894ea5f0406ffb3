// Tests for collector/store/store.h's pure part: which entries of a batch the mark lets through.
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

}  // namespace

TEST_CASE("plan_ingest stores a batch that starts right after the mark, whole") {
  CHECK(plan_ingest(0, batch(1, {1, 1, 1})) == IngestPlan{false, false, 0, 3});
  CHECK(plan_ingest(10, batch(11, {1})) == IngestPlan{false, false, 0, 11});
}

TEST_CASE("plan_ingest skips the entries at or below the mark of an overlapping or repeated batch") {
  CHECK(plan_ingest(10, batch(9, {1, 1, 1, 1})) == IngestPlan{false, false, 2, 12});
  CHECK(plan_ingest(10, batch(8, {1, 1, 1})) == IngestPlan{false, false, 3, 10});  // a full resend: nothing new
  CHECK(plan_ingest(10, batch(3, {1, 1})) == IngestPlan{false, false, 2, 10});     // an old batch: the mark stays
}

TEST_CASE("plan_ingest counts a gap entry as the sequence numbers it stands for") {
  CHECK(plan_ingest(0, batch(1, {1, 5, 1})) == IngestPlan{false, false, 0, 7});
  CHECK(plan_ingest(6, batch(1, {1, 5, 1, 1})) == IngestPlan{false, false, 2, 8});
  CHECK(plan_ingest(7, batch(8, {3})) == IngestPlan{false, false, 0, 10});
}

TEST_CASE("plan_ingest refuses a batch that leaves a gap after the mark") {
  CHECK(plan_ingest(10, batch(12, {1, 1})) == IngestPlan{true, false, 0, 10});
  CHECK(plan_ingest(0, batch(2, {1})) == IngestPlan{true, false, 0, 0});
}

TEST_CASE("plan_ingest stores a gap entry that covers the mark, and moves the mark to its end") {
  CHECK(plan_ingest(4, batch(1, {1, 5, 1})) == IngestPlan{false, true, 1, 7});
  CHECK(plan_ingest(2, batch(2, {5})) == IngestPlan{false, true, 0, 6});
  CHECK(plan_ingest(6, batch(2, {5})) == IngestPlan{false, false, 1, 6});  // ends at the mark: old
}
