// Tests for collector/store/store.h's pure part: which entries of a batch the mark lets through.
#include "collector/store/store.h"

#include <doctest/doctest.h>

using slamon::store::IngestPlan;
using slamon::store::plan_ingest;

TEST_CASE("plan_ingest stores a batch that starts right after the mark, whole") {
  CHECK(plan_ingest(0, 1, 10) == IngestPlan{false, 0, 10});
  CHECK(plan_ingest(10, 11, 11) == IngestPlan{false, 0, 11});
}

TEST_CASE("plan_ingest skips the entries at or below the mark of an overlapping or repeated batch") {
  CHECK(plan_ingest(10, 5, 15) == IngestPlan{false, 6, 15});
  CHECK(plan_ingest(10, 1, 10) == IngestPlan{false, 10, 10});  // a full resend: nothing new
  CHECK(plan_ingest(10, 3, 7) == IngestPlan{false, 5, 10});     // an old batch: the mark stays
}

TEST_CASE("plan_ingest refuses a batch that leaves a gap after the mark") {
  CHECK(plan_ingest(10, 12, 20) == IngestPlan{true, 0, 10});
  CHECK(plan_ingest(0, 2, 2) == IngestPlan{true, 0, 0});
}
