// Tests for agent/stored_batch.h: batches framed from the spool's stored bytes are byte for byte the
// ones built from the decoded entries (results and a gap), the frame cap keeps a prefix with the
// right numbers, and nothing is framed when not even one entry fits.
#include "agent/stored_batch.h"

#include <doctest/doctest.h>

#include "agent/spool.h"
#include "agent/uplink_logic.h"
#include "common/wire/slamon.pb.h"
#include "tests/temp_dir.h"

using namespace slamon;
using slamon::agent::EncodedRange;
using slamon::agent::Spool;
using slamon::agent::SpoolOptions;
using slamon::agent::StoredBatch;
using slamon::test::TempDir;

namespace {

class ManualClock final : public Clock {
 public:
  TimeMs now = 1'700'000'000'000;
  TimeMs now_ms() const override { return now; }
  std::int64_t steady_ns() const override { return now * 1'000'000; }
};

std::vector<ProbeResult> results(std::size_t n, TimeMs ts0) {
  std::vector<ProbeResult> out;
  for (std::size_t i = 0; i < n; ++i) {
    ProbeResult r;
    r.probe = "p" + std::to_string(i % 7);
    r.ts = ts0 + static_cast<TimeMs>(i) * 1000;
    r.status = i % 3 == 0 ? Status::down : Status::up;
    if (i % 2 == 0) r.latency_ms = 0.25 * static_cast<double>(i);
    r.message = i % 3 == 0 ? "connection refused" : "";
    if (i % 4 == 0) r.metrics = {{"http_status", 200}, {"bytes", 1234.5}};
    out.push_back(r);
  }
  return out;
}

}  // namespace

TEST_CASE("a batch framed from the stored bytes is byte for byte the one encoded from the decoded entries, gaps included") {
  TempDir d;
  ManualClock clock;
  SpoolOptions o;
  o.max_age_ms = 3600'000;
  Spool s(d.file("spool.db"), clock, o);
  s.append(results(30, clock.now));
  clock.now += 3600'000 + 15'000;  // the first 15 results are too old now: one gap stands for them
  s.append(results(20, clock.now));
  REQUIRE(s.enforce_limits().results == 15);
  for (const std::uint64_t from : {1u, 7u, 16u, 40u}) {
    CAPTURE(from);
    auto decoded = s.read(from, 25);
    StoredBatch stored;
    s.read_stored(from, 25, stored);
    REQUIRE(stored.entries.size() == decoded.entries.size());
    CHECK(stored.first_seq == decoded.first_seq);
    CHECK(stored.epoch == decoded.epoch);
    std::string payload = "left over from an earlier batch";
    const auto range = agent::encode_stored_batch(stored, payload);
    REQUIRE(range);
    CHECK(range->first_seq == decoded.first_seq);
    CHECK(range->last_seq == decoded.last_seq());
    CHECK(range->entries == decoded.entries.size());
    const auto expected = agent::encode_batch(decoded);
    REQUIRE(expected);
    CHECK(payload == *expected);
  }
  StoredBatch first;
  s.read_stored(1, 1, first);
  REQUIRE(first.entries.size() == 1);
  CHECK(first.entries[0].width == 15);  // the gap
  StoredBatch none;
  s.read_stored(51, 10, none);
  CHECK(none.entries.empty());
  std::string payload;
  CHECK_FALSE(agent::encode_stored_batch(none, payload));
}

TEST_CASE("encode_stored_batch: over the frame cap it keeps the longest prefix that fits, with its numbers") {
  TempDir d;
  ManualClock clock;
  Spool s(d.file("spool.db"), clock);
  auto rs = results(1000, clock.now);
  for (auto& r : rs) r.message = std::string(200, 'x');
  s.append(rs);
  StoredBatch b;
  s.read_stored(1, 1000, b);
  std::string payload;
  const auto all = agent::encode_stored_batch(b, payload);
  REQUIRE(all);
  CHECK(all->entries == 1000);
  const auto part = agent::encode_stored_batch(b, payload, 50'000);
  REQUIRE(part);
  CHECK(payload.size() <= 50'000);
  CHECK(part->entries > 100);
  CHECK(part->entries < 1000);
  wire::v1::AgentMessage m;
  REQUIRE(m.ParseFromString(payload));
  CHECK(m.batch().first_seq() == 1);
  CHECK(m.batch().last_seq() == part->entries);
  CHECK(part->last_seq == part->entries);
  CHECK(static_cast<std::size_t>(m.batch().entries_size()) == part->entries);
  CHECK(m.batch().entries(0).result().probe() == "p0");
  // One entry more would not have fitted.
  StoredBatch longer = b;
  longer.entries.resize(part->entries + 1);
  std::string bigger;
  const auto check = agent::encode_stored_batch(longer, bigger, 1u << 30);
  REQUIRE(check);
  CHECK(bigger.size() > 50'000);
  CHECK_FALSE(agent::encode_stored_batch(b, payload, 100));
}
