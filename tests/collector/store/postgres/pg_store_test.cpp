// Tests for collector/store/postgres/pg_store.h beyond the cases every store shares
// (../store_conformance_test.cpp), on the test PostgreSQL server: the schema version and what is
// refused, errors naming the URL without its password, weekly partitions made as needed and dropped
// whole by retention (or kept when the engine still needs a row), a failing group leaving nothing,
// concurrent writers on two connections whose arrivals a reader never skips, and one agent sending the
// same epoch through two connections at once (each number stored once).
#include "collector/store/postgres/pg_store.h"

#include <doctest/doctest.h>

#include <atomic>
#include <set>
#include <thread>

#include "collector/store/postgres/pg_conn.h"
#include "tests/collector/store/store_backends.h"
#include "tests/collector/store/store_rows.h"

using namespace slamon;
using namespace slamon::store;
using slamon::test::result;
using slamon::store::postgres::PgConn;
using slamon::store::postgres::PgStore;
namespace postgres = slamon::store::postgres;
using slamon::test::PgTestDatabase;

namespace {

constexpr TimeMs kWeek = PgStore::kPartitionMs;

wire::Batch batch_at(std::uint64_t epoch, std::uint64_t first, const std::vector<TimeMs>& ts, const std::string& probe = "p") {
  wire::Batch b;
  b.epoch = epoch;
  b.first_seq = first;
  for (const TimeMs t : ts) b.entries.emplace_back(result(probe, t));
  return b;
}

std::size_t count_results(Store& s) {
  std::size_t n = 0;
  s.for_each_result({}, [&](const ProbeResult&) { ++n; });
  return n;
}

}  // namespace

TEST_CASE("redact_url hides the password of a URL, in its user part or as a parameter") {
  using postgres::redact_url;
  CHECK(redact_url("postgresql://slamon:s3cret@db:5432/slamon") == "postgresql://slamon:***@db:5432/slamon");
  CHECK(redact_url("postgresql://slamon@db/slamon?password=x&sslmode=require") ==
        "postgresql://slamon@db/slamon?password=***&sslmode=require");
  CHECK(redact_url("postgresql://db/slamon") == "postgresql://db/slamon");
}

TEST_CASE("a store that cannot be reached is an error naming its URL without the password, and the reason") {
  CHECK_THROWS_WITH_AS(PgStore("postgresql://slamon:s3cret@127.0.0.1:1/slamon"),
                       doctest::Contains("store postgresql://slamon:***@127.0.0.1:1/slamon: cannot connect"), StoreFailure);
  try {
    PgStore("postgresql://slamon:s3cret@127.0.0.1:1/slamon");
  } catch (const StoreFailure& e) {
    CHECK(std::string(e.what()).find("s3cret") == std::string::npos);
  }
}

TEST_CASE("the schema is made at version 1 once; a newer version, a foreign database and, without create, an empty one are refused") {
  PgTestDatabase db;
  CHECK_THROWS_WITH_AS(PgStore(db.url(), {.create = false}), doctest::Contains("not a slamon store (an empty database)"),
                       StoreFailure);
  {
    PgStore s(db.url());
    s.append("a1", batch_at(1, 1, {1000, 2000}));
  }
  {
    PgStore s(db.url(), {.create = false});  // opened again: kept, not made again
    CHECK(s.committed_seq("a1", 1) == 2);
    CHECK(count_results(s) == 2);
  }
  PgConn c(db.url());
  c.exec("UPDATE store_meta SET value = 99 WHERE key = 'schema_version'");
  CHECK_THROWS_WITH_AS(PgStore(db.url()), doctest::Contains("schema version 99 was written by a newer slamon"), StoreFailure);
  PgTestDatabase other;
  PgConn(other.url()).exec("CREATE TABLE t (x integer)");
  CHECK_THROWS_WITH_AS(PgStore(other.url()), doctest::Contains("not a slamon store"), StoreFailure);
}

TEST_CASE("a version 2 store is migrated through version 3 (the notifications' open set and delivery log, empty) to the current one") {
  PgTestDatabase db;
  {
    PgStore s(db.url());
    s.append("a1", batch_at(1, 1, {1000}));
  }
  PgConn c(db.url());
  c.exec("DROP TABLE notification_log; DROP TABLE notification_open; DROP TABLE leadership;"
         " UPDATE store_meta SET value = 2 WHERE key = 'schema_version'");
  PgStore s(db.url(), {.create = false});
  CHECK(s.committed_seq("a1", 1) == 1);
  CHECK(s.open_subjects().empty());
  CHECK(s.deliveries({}).empty());
  CHECK(PgConn(db.url()).query("SELECT value FROM store_meta WHERE key = 'schema_version'").int64(0, 0) == PgStore::kSchemaVersion);
}

TEST_CASE("results go to weekly partitions made as needed, before 1970 too") {
  slamon::test::PgBackend b;
  auto& s = b.store();
  CHECK(s.partitions().empty());
  s.append("a1", batch_at(1, 1, {10 * kWeek + 5, 10 * kWeek + 6, 12 * kWeek, -1}));
  const std::vector<std::pair<TimeMs, TimeMs>> want{{-kWeek, 0}, {10 * kWeek, 11 * kWeek}, {12 * kWeek, 13 * kWeek}};
  CHECK(s.partitions() == want);
  CHECK(count_results(s) == 4);
  // Another connection's store sees them and adds to them.
  auto other = b.another();
  other->append("a2", batch_at(1, 1, {10 * kWeek + 7}));
  CHECK(s.partitions() == want);
  CHECK(count_results(s) == 5);
}

TEST_CASE("retention drops a partition whose every row may go, deletes rows where one must stay, and drops none the engine has not applied") {
  slamon::test::PgBackend b;
  auto& s = b.store();
  s.append("a1", batch_at(1, 1, {1 * kWeek + 1, 1 * kWeek + 2, 2 * kWeek + 1}, "p"));
  s.append("a1", batch_at(1, 4, {1 * kWeek + 3}, "kept"));
  s.append("a1", batch_at(1, 5, {2 * kWeek + 2}, "p"));
  // Nothing applied by the engine: nothing goes, no partition dropped.
  CHECK(s.prune_results(3 * kWeek, {}) == 0);
  CHECK(s.partitions().size() == 2);
  EngineCommit c;
  c.next = s.arrivals_after({}, 100, [](const StoredArrival&) {});
  REQUIRE(s.engine_commit(c));
  // Week 1 holds a row of a kept probe: its other rows are deleted, the partition stays. Week 2 goes whole.
  const std::vector<std::string> keep{"kept"};
  CHECK(s.prune_results(3 * kWeek, keep) == 4);
  CHECK(s.partitions() == std::vector<std::pair<TimeMs, TimeMs>>{{kWeek, 2 * kWeek}});
  CHECK(count_results(s) == 1);
  CHECK(s.pruned_before() == 3 * kWeek);
  // A result for a dropped week is stored again (its partition made again) and seen by the engine.
  s.append("a1", batch_at(1, 6, {2 * kWeek + 5}));
  CHECK(count_results(s) == 2);
  std::size_t n = 0;
  s.arrivals_after(c.next, 100, [&](const StoredArrival&) { ++n; });
  CHECK(n == 1);
}

TEST_CASE("a group that fails half-way stores nothing of any of its batches") {
  slamon::test::PgBackend b;
  auto& s = b.store();
  PgConn c(b.db.url());
  c.exec(
      "CREATE FUNCTION boom() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'boom refused'; END $$ LANGUAGE plpgsql;"
      " CREATE TRIGGER boom BEFORE INSERT ON gaps FOR EACH ROW EXECUTE FUNCTION boom()");
  wire::Batch ok = batch_at(1, 1, {1000, 2000});
  wire::Batch bad = batch_at(1, 1, {3000});
  bad.entries.emplace_back(wire::GapRecord{{"p"}, 4000, 5000, 1});
  const std::vector<AgentBatch> group{{"a1", &ok}, {"a2", &bad}};
  CHECK_THROWS_WITH_AS(s.append_group(group), doctest::Contains("boom refused"), StoreFailure);
  CHECK(count_results(s) == 0);
  CHECK(s.committed_seq("a1", 1) == 0);
  c.exec("DROP TRIGGER boom ON gaps");
  CHECK(s.append_group(group).size() == 2);
  CHECK(count_results(s) == 3);
  CHECK(s.committed_seq("a2", 1) == 2);
}

TEST_CASE("two connections writing at once: every batch stored once, and a reader following the arrivals skips none") {
  slamon::test::PgBackend b(false);
  auto w1 = b.another();
  auto w2 = b.another();
  constexpr int kBatches = 60;
  std::atomic<int> done{0};
  auto writer = [&](PgStore& w, const std::string& agent) {
    for (int i = 0; i < kBatches; ++i) {
      std::vector<TimeMs> ts;
      for (int k = 0; k < 5; ++k) ts.push_back(1'000'000 + (i * 5 + k) * 1000);
      w.append(agent, batch_at(1, static_cast<std::uint64_t>(i * 5 + 1), ts));
      w.append(agent, batch_at(1, static_cast<std::uint64_t>(i * 5 + 1), ts));  // a resend: stored once
    }
    ++done;
  };
  std::thread t1(writer, std::ref(*w1), "a1");
  std::thread t2(writer, std::ref(*w2), "a2");
  // The reader: arrivals_after from its position, as the live engine reads.
  auto& r = b.store();
  EnginePosition pos;
  std::set<std::int64_t> seen;
  std::int64_t last = 0;
  bool ordered = true;
  for (int round = 0; round < 100'000; ++round) {
    const bool finished = done.load() == 2;
    pos = r.arrivals_after(pos, 7, [&](const StoredArrival& a) {
      ordered = ordered && a.row > last;
      last = a.row;
      seen.insert(a.row);
    });
    if (finished && seen.size() >= 2 * kBatches * 5) break;
  }
  t1.join();
  t2.join();
  CHECK(ordered);
  CHECK(seen.size() == 2 * kBatches * 5);
  CHECK(count_results(r) == 2 * kBatches * 5);
  // Every row the store holds was seen: none was numbered below a row the reader had passed.
  std::size_t all = 0;
  r.arrivals_after({}, 1'000'000, [&](const StoredArrival& a) { all += seen.count(a.row); });
  CHECK(all == 2 * kBatches * 5);
  CHECK(r.committed_seq("a1", 1) == kBatches * 5);
}

TEST_CASE("one agent on two connections at once (a partition healing): overlapping batches of one epoch, each number stored once, the mark whole") {
  // Collector A (a stale session) sends the epoch in batches of 10 from 1; collector B (the agent's
  // new session) in batches of 7 from 1, at the same time. Whichever commits first stores a number;
  // for the other it is a duplicate. Without the lock both read the same mark and both store.
  slamon::test::PgBackend b(false);
  auto wa = b.another();
  auto wb = b.another();
  constexpr std::uint64_t kTotal = 420;
  const auto ts_of = [](std::uint64_t seq) { return TimeMs{5'000'000} + static_cast<TimeMs>(seq) * 1000; };
  struct Tally {
    std::size_t stored = 0, duplicates = 0, resends = 0;
    std::uint64_t max_mark = 0;
    bool marks_ascending = true;
  };
  auto sender = [&](PgStore& w, std::uint64_t size, Tally& t) {
    for (std::uint64_t first = 1; first <= kTotal; first += size) {
      std::vector<TimeMs> ts;
      for (std::uint64_t s = first; s < first + size && s <= kTotal; ++s) ts.push_back(ts_of(s));
      const auto o = w.append("a1", batch_at(7, first, ts));
      t.stored += o.stored;
      t.duplicates += o.duplicates;
      t.resends += o.resends;
      t.marks_ascending = t.marks_ascending && o.committed_seq >= t.max_mark;
      t.max_mark = std::max(t.max_mark, o.committed_seq);
    }
  };
  Tally ta, tb;
  std::thread t1(sender, std::ref(*wa), 10, std::ref(ta));
  std::thread t2(sender, std::ref(*wb), 7, std::ref(tb));
  t1.join();
  t2.join();
  INFO("A stored " << ta.stored << ", B stored " << tb.stored);
  CHECK(ta.stored + tb.stored == kTotal);  // each number stored by exactly one of them
  CHECK(ta.resends + tb.resends == 0);     // no number stored twice as a "resend" of the same run
  CHECK(ta.marks_ascending);
  CHECK(tb.marks_ascending);
  auto& r = b.store();
  CHECK(r.committed_seq("a1", 7) == kTotal);
  CHECK(r.stored_ranges("a1", 7).empty());
  CHECK(count_results(r) == kTotal);
  // One arrival number per row: none was spent on a number stored twice.
  std::size_t arrivals = 0;
  std::int64_t top = 0;
  r.arrivals_after({}, 1'000'000, [&](const StoredArrival& a) {
    ++arrivals;
    top = std::max(top, a.row);
  });
  CHECK(arrivals == kTotal);
  CHECK(top == static_cast<std::int64_t>(kTotal));
  // A stale collector's late append of numbers committed since is a duplicate: nothing changes.
  const auto late = wa->append("a1", batch_at(7, 11, {ts_of(11), ts_of(12)}));
  CHECK(late.stored == 0);
  CHECK(late.duplicates == 2);
  CHECK(late.committed_seq == kTotal);
}

TEST_CASE("a batch goes in multi-row inserts: 250 results over three statements, a run repeated inside it (the later wins), resends counted") {
  slamon::test::PgBackend b(false);
  auto& s = b.store();
  CHECK(postgres::insert_results_sql(2).find("($11::bigint, ") != std::string::npos);
  std::vector<TimeMs> ts;
  for (int i = 0; i < 250; ++i) ts.push_back(2'000'000 + i * 1000);
  ts[130] = ts[120];  // the same run (probe p, ts, agent) twice in one statement's share
  wire::Batch first = batch_at(1, 1, ts);
  std::get<ProbeResult>(first.entries[130]).status = Status::down;
  auto o = s.append("a1", first);
  CHECK(o.stored == 250);
  CHECK(o.committed_seq == 250);
  CHECK(o.resends == 0);
  CHECK(count_results(s) == 249);
  const auto run = s.find_result("p", ts[120], "a1");
  REQUIRE(run);
  CHECK(run->status == Status::down);  // the later of the two
  // The same results in a new epoch: every one a resend (no row changes), across the chunks.
  std::vector<TimeMs> again(ts.begin(), ts.begin() + 120);
  wire::Batch resend = batch_at(2, 1, again);
  o = s.append("a1", resend);
  CHECK(o.stored == 120);
  CHECK(o.resends == 120);
  CHECK(count_results(s) == 249);
}
