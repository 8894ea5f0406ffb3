// Tests for collector/live_thread.h with an engine leadership (store/election.h): a follower runs the
// engine in memory (its live status follows the store's arrivals) and persists nothing; once elected
// it persists; when it loses the leadership it stops persisting. Over a real SQLite file, with a
// scripted election (the PostgreSQL election itself: tests/collector/store/postgres/).
#include "collector/live_thread.h"

// g++ 12 warns falsely (-Wmaybe-uninitialized) inside the catalogue model's constructors here.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#include <doctest/doctest.h>
#include <spdlog/sinks/null_sink.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <thread>

#include "collector/store/sqlite/sqlite_store.h"
#include "tests/engine/engine_fixtures.h"
#include "tests/temp_dir.h"

using namespace slamon;
using slamon::collector::LiveThread;
using slamon::collector::LiveThreadOptions;
using slamon::store::sqlite::SqliteStore;

namespace {

constexpr TimeMs kT0 = 1'790'000'000'000;  // 2026-09-20

// The election's outcome as the test sets it.
class ScriptedElection final : public store::Election {
 public:
  std::atomic<bool> leader{false};
  std::atomic<std::int64_t> epoch{1};
  store::Leadership poll() override { return store::Leadership{leader.load(), epoch.load(), "scripted"}; }
  bool hinted() override { return false; }
};

// Waits (bounded: 10 s) until `done` holds.
bool eventually(const std::function<bool()>& done) {
  for (int i = 0; i < 1000; ++i) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return done();
}

// `n` down results of probe p1 from agent a1, as one batch after `first_seq`.
void send(store::Store& st, std::uint64_t first_seq, int n) {
  wire::Batch b;
  b.epoch = 1;
  b.first_seq = first_seq;
  for (int i = 0; i < n; ++i) {
    ProbeResult r;
    r.probe = "p1";
    r.ts = kT0 + static_cast<TimeMs>(first_seq + i) * 60'000;
    r.status = i % 3 == 0 ? Status::up : Status::down;
    r.agent = "a1";
    if (r.status == Status::up) r.latency_ms = 1;
    b.entries.emplace_back(r);
  }
  REQUIRE(st.append("a1", b).kind == store::AppendOutcome::Kind::stored);
}

}  // namespace

TEST_CASE("the engine thread persists only as the leader: a follower's live status follows the arrivals in memory") {
  test::TempDir dir;
  const auto path = dir.file("store.db");
  SqliteStore ingest(path);     // the collector's ingest connection
  SqliteStore engine_db(path);  // the engine thread's own
  SqliteStore reader(path);     // the test's view of what is persisted
  auto cat = std::make_shared<catalogue::Catalogue>();
  cat->cis.push_back(engine::test::make_ci("host", {}));
  cat->cis.back().probes.push_back(engine::test::make_probe("p1", "host", 60'000, 1));

  ScriptedElection election;
  SystemClock clock;
  LiveThreadOptions options;
  options.idle_wake_ms = 20;
  options.election_interval_ms = 20;
  options.follower_refresh_ms = 50;
  options.hint_check_ms = 10;
  LiveThread live(engine_db, engine_db, clock, options,
                  std::make_shared<spdlog::logger>("engine", std::make_shared<spdlog::sinks::null_sink_mt>()));
  live.set_election(&election, nullptr);
  live.start(cat);
  auto position = [&] {
    const auto s = live.snapshot();
    return s ? s->position.result_row : -1;
  };

  // A follower: its engine applies the 10 arrivals in memory; the store's engine state stays empty.
  send(ingest, 1, 10);
  live.notify();
  REQUIRE(eventually([&] { return position() == 10; }));
  CHECK_FALSE(live.snapshot()->leader);
  CHECK(reader.engine_position() == store::EnginePosition{0, 0});
  CHECK(reader.change_points("p1", 0, kT0 * 2).empty());

  // Elected: it persists (the position and the change points).
  election.epoch = 2;
  election.leader = true;
  REQUIRE(eventually([&] { return reader.engine_position().result_row == 10; }));
  CHECK(eventually([&] { return live.snapshot()->leader && live.snapshot()->leader_epoch == 2; }));
  const auto points = reader.change_points("p1", 0, kT0 * 2);
  CHECK_FALSE(points.empty());

  // Deposed: it stops persisting at once, but its live status goes on following the arrivals.
  election.epoch = 3;
  election.leader = false;
  REQUIRE(eventually([&] { return !live.snapshot()->leader; }));
  send(ingest, 11, 5);
  live.notify();
  REQUIRE(eventually([&] { return position() == 15; }));
  CHECK(reader.engine_position().result_row == 10);
  CHECK(reader.change_points("p1", 0, kT0 * 2) == points);
  live.stop();
}
