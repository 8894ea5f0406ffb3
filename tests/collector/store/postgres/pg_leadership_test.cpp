// Tests for collector/store/postgres/pg_leadership.h on the test PostgreSQL server: one leader at a
// time through the advisory lock, takeover with a higher epoch when the leader's session ends, the
// fencing of a former leader's engine writes (nothing written), the hint to followers, and the
// schema step that makes the leadership row.
#include "collector/store/postgres/pg_leadership.h"

#include <doctest/doctest.h>

#include <chrono>
#include <memory>
#include <thread>

#include "collector/store/postgres/pg_conn.h"
#include "collector/store/postgres/pg_store.h"
#include "tests/collector/store/store_backends.h"

using namespace slamon;
using namespace slamon::store;
using slamon::store::postgres::PgConn;
using slamon::store::postgres::PgElection;
using slamon::store::postgres::PgStore;
using slamon::test::PgTestDatabase;

namespace {

// An engine step that only moves the position (enough to see whether a write went through).
EngineCommit move_position(const EnginePosition& from, std::int64_t rows) {
  EngineCommit c;
  c.expect = from;
  c.next = EnginePosition{from.result_row + rows, from.gap_row};
  c.rewrites.push_back(EngineCommit::Rewrite{"p", 0, {ChangePoint{1000, Status::down}}, 0, {}});
  return c;
}

}  // namespace

TEST_CASE("one leader at a time: the other collector follows it, and takes over with the next epoch when its session ends") {
  PgTestDatabase db;
  PgStore schema(db.url());  // makes the schema (with its leadership row)
  auto a = std::make_unique<PgElection>(db.url(), "collector-a");
  PgElection b(db.url(), "collector-b");
  const Leadership la = a->poll();
  CHECK(la == Leadership{true, 1, "collector-a"});
  CHECK(b.poll() == Leadership{false, 1, "collector-a"});
  CHECK(a->poll() == Leadership{true, 1, "collector-a"});  // still the leader, same epoch
  CHECK(b.poll() == Leadership{false, 1, "collector-a"});
  a.reset();  // its connection closes: the lock is released
  CHECK(b.poll() == Leadership{true, 2, "collector-b"});
  PgElection c(db.url(), "collector-c");
  CHECK(c.poll() == Leadership{false, 2, "collector-b"});
}

TEST_CASE("a former leader's fenced engine write is refused (FencedOut) and writes nothing; the new leader's goes through") {
  PgTestDatabase db;
  PgStore old_leader(db.url(), {.synchronous_commit = false});
  PgStore new_leader(db.url(), {.synchronous_commit = false});
  auto a = std::make_unique<PgElection>(db.url(), "collector-a");
  const auto la = a->poll();
  REQUIRE(la.leader);
  old_leader.fence(la.epoch);
  CHECK(old_leader.engine_commit(move_position({}, 5)));
  CHECK(old_leader.engine_position() == EnginePosition{5, 0});

  // Its lock connection goes; another collector wins. The former leader still runs and writes late.
  a.reset();
  PgElection b(db.url(), "collector-b");
  const auto lb = b.poll();
  REQUIRE(lb.leader);
  CHECK(lb.epoch == la.epoch + 1);
  new_leader.fence(lb.epoch);
  CHECK_THROWS_WITH_AS(old_leader.engine_commit(move_position({5, 0}, 3)),
                       doctest::Contains("fenced out: the engine leader is collector collector-b epoch 2"), FencedOut);
  CHECK(new_leader.engine_position() == EnginePosition{5, 0});
  CHECK(new_leader.change_points("p", 0, 10'000) == std::vector<ChangePoint>{{1000, Status::down}});
  CHECK(new_leader.engine_commit(move_position({5, 0}, 1)));
  CHECK(new_leader.engine_position() == EnginePosition{6, 0});
  // A follower's fence refuses every write.
  new_leader.fence(FencedWrites::kNoEpoch);
  CHECK_THROWS_AS(new_leader.engine_commit(move_position({6, 0}, 1)), FencedOut);
  // Unfenced (one collector alone, the CLI): no check.
  old_leader.fence(std::nullopt);
  CHECK(old_leader.engine_commit(move_position({6, 0}, 1)));
}

TEST_CASE("a follower hears the leader's hint after a fenced engine write, and none without one") {
  PgTestDatabase db;
  PgStore writer(db.url(), {.synchronous_commit = false});
  PgElection a(db.url(), "collector-a");
  PgElection b(db.url(), "collector-b");
  const auto la = a.poll();
  REQUIRE(la.leader);
  REQUIRE_FALSE(b.poll().leader);  // LISTENs from now on
  CHECK_FALSE(b.hinted());
  writer.fence(la.epoch);
  REQUIRE(writer.engine_commit(move_position({}, 1)));
  bool heard = false;
  for (int i = 0; i < 100 && !heard; ++i) {  // delivered asynchronously: bounded wait
    heard = b.hinted();
    if (!heard) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  CHECK(heard);
  CHECK_FALSE(b.hinted());  // taken
}

TEST_CASE("a store at schema version 2 is migrated to version 4 with the leadership row (epoch 0, no holder)") {
  PgTestDatabase db;
  { PgStore s(db.url()); }
  PgConn c(db.url());
  c.exec("DROP TABLE leadership; DROP TABLE notification_log; DROP TABLE notification_open;"
         " UPDATE store_meta SET value = 2 WHERE key = 'schema_version'");
  { PgStore s(db.url()); }
  CHECK(c.query("SELECT value FROM store_meta WHERE key = 'schema_version'").int64(0, 0) == PgStore::kSchemaVersion);
  const auto r = c.query("SELECT epoch, holder FROM leadership");
  REQUIRE(r.rows() == 1);
  CHECK(r.int64(0, 0) == 0);
  CHECK(r.text(0, 1) == "");
}
