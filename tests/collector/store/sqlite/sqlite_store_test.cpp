// Tests for collector/store/sqlite/sqlite_store.h on real SQLite files, beyond the cases every store
// shares (../store_conformance_test.cpp): migrations, schema checks, a failing transaction leaving
// nothing behind, and acknowledged batches surviving kill -9 of the writing process.
#include "collector/store/sqlite/sqlite_store.h"

#include <doctest/doctest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <random>
#include <limits>
#include <set>

#include "tests/temp_dir.h"
#include "tests/collector/store/store_rows.h"

using namespace slamon;
using namespace slamon::store;
using slamon::test::result;
using slamon::test::batch;
using slamon::test::all;
using slamon::store::sqlite::SqliteStore;

using slamon::test::TempDir;

namespace {

void sql(const std::string& path, const char* text) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  char* err = nullptr;
  const int rc = sqlite3_exec(db, text, nullptr, nullptr, &err);
  INFO((err != nullptr ? err : ""));
  sqlite3_free(err);
  sqlite3_close(db);
  REQUIRE(rc == SQLITE_OK);
}

}  // namespace

TEST_CASE("a group that fails stores nothing of any of its batches") {
  TempDir d;
  const std::string path = d.file("s.db");
  SqliteStore s(path);
  sql(path, "CREATE TRIGGER boom BEFORE INSERT ON probes WHEN NEW.name = 'boom' BEGIN SELECT RAISE(ABORT, 'boom refused'); END");
  const auto good = batch(1, 1, 3);
  wire::Batch bad;
  bad.epoch = 1;
  bad.first_seq = 1;
  bad.entries = {result("boom", 5000)};
  const std::vector<AgentBatch> group{{"a1", &good}, {"a2", &bad}};
  CHECK_THROWS_WITH_AS(s.append_group(group), doctest::Contains("boom refused"), StoreFailure);
  CHECK(s.committed_seq("a1", 1) == 0);
  CHECK(all(s).empty());
  sql(path, "DROP TRIGGER boom");
  CHECK(s.append_group(group).size() == 2);
  CHECK(all(s).size() == 4);
}

TEST_CASE("a version 1 store is migrated to the current version and keeps its results and marks") {
  TempDir d;
  const std::string path = d.file("s.db");
  {
    SqliteStore s(path);
    s.append("a1", batch(1, 1, 3));
  }
  // Back to what version 1 looked like.
  sql(path,
      "DROP TABLE agent_status; DROP TABLE engine_position; DROP TABLE engine_probes; DROP TABLE engine_changes;"
      " DROP TABLE engine_checkpoints; DROP TABLE store_meta; DROP TABLE stored_ranges;"
      " DROP TABLE maintenance_events; DROP TABLE maintenance_windows; DROP TABLE notification_log;"
      " DROP TABLE notification_open; PRAGMA user_version = 1");
  SqliteStore s(path);
  CHECK(s.committed_seq("a1", 1) == 3);
  CHECK(all(s).size() == 3);
  const std::vector<AgentRecord> rec{{"a1", true, "127.0.0.1:1", 1, 0, 0, "", 1, 3}};
  s.record_agents(rec);
  CHECK(s.agent_records().size() == 1);
  // Version 3: the engine starts before every stored result.
  CHECK(s.engine_position() == EnginePosition{});
  std::size_t n = 0;
  s.arrivals_after({}, 100, [&](const StoredArrival&) { ++n; });
  CHECK(n == 3);
}

TEST_CASE("a version 3 store gains the stored ranges (empty) and then stores batches above its marks") {
  TempDir d;
  const std::string path = d.file("s.db");
  {
    SqliteStore s(path);
    s.append("a1", batch(1, 1, 3));
  }
  sql(path, "DROP TABLE stored_ranges; DROP TABLE maintenance_events; DROP TABLE maintenance_windows;"
           " DROP TABLE notification_log; DROP TABLE notification_open; PRAGMA user_version = 3");
  SqliteStore s(path);
  CHECK(s.committed_seq("a1", 1) == 3);
  CHECK(s.stored_ranges("a1", 1).empty());
  CHECK(s.append("a1", batch(1, 10, 2)).stored_above == wire::SeqRanges{{10, 11}});
  CHECK(all(s).size() == 5);
}

TEST_CASE("a version 5 store gains the notifications' open set and delivery log (empty) and keeps its windows") {
  TempDir d;
  const std::string path = d.file("s.db");
  {
    SqliteStore s(path);
    s.append("a1", batch(1, 1, 3));
    MaintenanceWindow w;
    w.targets = {"db"};
    w.from_ms = 10;
    w.to_ms = 20;
    s.create_maintenance(w);
  }
  sql(path, "DROP TABLE notification_log; DROP TABLE notification_open; PRAGMA user_version = 5");
  SqliteStore s(path);
  CHECK(s.maintenance_windows().size() == 1);
  CHECK(s.open_subjects().empty());
  CHECK(s.deliveries({}).empty());
  NotificationWrite w;
  w.opened = {"agent:a1"};
  CHECK(s.write_notifications(w) == 0);
  CHECK(s.open_subjects().size() == 1);
}

TEST_CASE("the store survives reopening, and refuses a newer schema or a database that is not a store") {
  TempDir d;
  {
    SqliteStore s(d.file("s.db"));
    s.append("a1", batch(1, 1, 3));
  }
  {
    SqliteStore s(d.file("s.db"));
    CHECK(s.committed_seq("a1", 1) == 3);
    CHECK(all(s).size() == 3);
  }
  sql(d.file("s.db"), "PRAGMA user_version = 99");
  CHECK_THROWS_WITH_AS(SqliteStore(d.file("s.db")), doctest::Contains("newer slamon"), StoreFailure);
  sql(d.file("other.db"), "CREATE TABLE t (x)");
  CHECK_THROWS_WITH_AS(SqliteStore(d.file("other.db")), doctest::Contains("not a slamon store"), StoreFailure);
  CHECK_THROWS_WITH_AS(SqliteStore((d.path / "no-such-dir" / "s.db").string()), doctest::Contains("cannot open"),
                       StoreFailure);
}

TEST_CASE("a batch that fails half-way leaves no row, no mark and no cached id behind") {
  TempDir d;
  const std::string path = d.file("s.db");
  SqliteStore s(path);
  s.append("a1", batch(1, 1, 2));
  sql(path, "CREATE TRIGGER boom BEFORE INSERT ON probes WHEN NEW.name = 'boom' BEGIN SELECT RAISE(ABORT, 'boom refused'); END");
  wire::Batch b;
  b.epoch = 1;
  b.first_seq = 1;
  b.entries = {result("fresh", 5000), result("boom", 5000)};
  CHECK_THROWS_WITH_AS(s.append("a2-new", b), doctest::Contains("boom refused"), StoreFailure);
  CHECK(s.last_epoch("a2-new") == 0);
  CHECK(all(s).size() == 2);
  sql(path, "DROP TRIGGER boom");
  // The ids made in the failed transaction were forgotten: these inserts refer to real rows.
  CHECK(s.append("a2-new", b).stored == 2);
  const auto got = all(s, ResultQuery{std::nullopt, std::nullopt, "a2-new", std::nullopt});
  REQUIRE(got.size() == 2);
  CHECK(got[0].probe == "boom");
  CHECK(got[1].probe == "fresh");
}

TEST_CASE("every batch acknowledged before kill -9 of the writing process is in the store, once") {
  TempDir d;
  const std::string path = d.file("s.db");
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    close(fds[0]);
    try {
      SqliteStore s(path);
      for (std::uint64_t first = 1; first < 1'000'000; first += 50) {
        const auto out = s.append("a1", batch(1, first, 50));
        // The acknowledgement: written only after append returned (the commit is durable).
        if (write(fds[1], &out.committed_seq, sizeof out.committed_seq) != sizeof out.committed_seq) _exit(3);
      }
    } catch (...) {
      _exit(2);
    }
    _exit(0);
  }
  close(fds[1]);
  std::uint64_t acked = 0, v = 0;
  while (acked < 2'000 && read(fds[0], &v, sizeof v) == sizeof v) acked = v;
  kill(child, SIGKILL);
  int status = 0;
  waitpid(child, &status, 0);
  while (read(fds[0], &v, sizeof v) == sizeof v) acked = v;  // acks written before the kill
  close(fds[0]);
  REQUIRE(WIFSIGNALED(status));
  REQUIRE(acked >= 2'000);

  SqliteStore s(path);
  const std::uint64_t mark = s.committed_seq("a1", 1);
  CHECK(mark >= acked);
  std::set<TimeMs> seen;
  std::size_t n = 0;
  s.for_each_result({}, [&](const ProbeResult& r) {
    ++n;
    seen.insert(r.ts);
  });
  CHECK(n == mark);            // every committed entry, and nothing more
  CHECK(seen.size() == n);     // each once
  // Resending everything after the restart stores nothing twice.
  CHECK(s.append("a1", batch(1, 1, static_cast<std::size_t>(mark))).stored == 0);
}

TEST_CASE("opened without create: a missing file or an empty database is refused and nothing is created") {
  TempDir d;
  const std::string missing = d.file("missing.db");
  CHECK_THROWS_WITH_AS(SqliteStore(missing, {.create = false}), doctest::Contains("cannot open"), StoreFailure);
  CHECK_FALSE(std::filesystem::exists(missing));
  sql(d.file("empty.db"), "PRAGMA user_version = 0");
  CHECK_THROWS_WITH_AS(SqliteStore(d.file("empty.db"), {.create = false}), doctest::Contains("not a slamon store"),
                       StoreFailure);
  sql(d.file("other.db"), "CREATE TABLE t (x)");
  CHECK_THROWS_WITH_AS(SqliteStore(d.file("other.db"), {.create = false}), doctest::Contains("not a slamon store"),
                       StoreFailure);
  {
    SqliteStore s(d.file("s.db"));
    s.append("a1", batch(1, 1, 3));
  }
  SqliteStore s(d.file("s.db"), {.create = false});
  CHECK(all(s).size() == 3);
}

