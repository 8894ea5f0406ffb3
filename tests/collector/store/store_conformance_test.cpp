// The store conformance tests: every case runs against each store implementation (SqliteStore on a
// real file, PgStore on a database of its own on the test PostgreSQL server: store_backends.h):
// exactly-once appends, the marks and ranges, results read back exactly, gaps, group commits, agent
// records, arrival numbers, retention and walks behave the same on both.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <limits>
#include <thread>

#include "tests/collector/store/store_backends.h"
#include "tests/collector/store/store_rows.h"

using namespace slamon;
using namespace slamon::store;
using slamon::test::result;
using slamon::test::batch;
using slamon::test::all;
using slamon::test::PgBackend;
using slamon::test::SqliteBackend;

TEST_CASE_TEMPLATE("a batch is stored once: a resend and an overlapping batch add only what is new", B, SqliteBackend, PgBackend) {
  B backend;
  auto& s = backend.store();
  auto out = s.append("a1", batch(1, 1, 5));
  CHECK(out == AppendOutcome{AppendOutcome::Kind::stored, 5, 5, 0, 0});
  out = s.append("a1", batch(1, 1, 5));
  CHECK(out == AppendOutcome{AppendOutcome::Kind::stored, 5, 0, 5, 0});
  out = s.append("a1", batch(1, 4, 4));  // 4..7: 4 and 5 are stored already
  CHECK(out == AppendOutcome{AppendOutcome::Kind::stored, 7, 2, 2, 0});
  CHECK(all(s).size() == 7);
  CHECK(s.committed_seq("a1", 1) == 7);
}

TEST_CASE_TEMPLATE("the same run sent again under another epoch is stored once; a differing one replaces it (the later wins)", B, SqliteBackend, PgBackend) {
  B backend;
  auto& s = backend.store();
  s.append("a1", batch(1, 1, 3));
  auto out = s.append("a1", batch(2, 1, 3));  // a restored snapshot resending under a new epoch
  CHECK(out.stored == 3);
  CHECK(out.resends == 3);
  CHECK(s.committed_seq("a1", 2) == 3);
  CHECK(all(s).size() == 3);
  wire::Batch changed = batch(3, 1, 1);
  std::get<ProbeResult>(changed.entries[0]).status = Status::down;
  CHECK(s.append("a1", changed).resends == 0);
  const auto got = all(s);
  REQUIRE(got.size() == 3);
  CHECK(got[0].status == Status::down);
  // Another agent's run of the same probe at the same instant is its own row.
  CHECK(s.append("a2", batch(1, 1, 1)).resends == 0);
  CHECK(all(s).size() == 4);
}

TEST_CASE_TEMPLATE("a batch above the mark is stored as a range; the mark swallows the ranges it reaches", B, SqliteBackend, PgBackend) {
  B backend;
  auto& s = backend.store();
  // Live results of a new session arrive before the back-fill: stored, the mark stays at 0.
  auto out = s.append("a1", batch(1, 11, 5));
  CHECK(out == AppendOutcome{AppendOutcome::Kind::stored, 0, 5, 0, 0, wire::SeqRanges{{11, 15}}});
  CHECK(s.last_epoch("a1") == 1);  // the epoch is known although its mark is 0
  CHECK(s.committed_seq("a1", 1) == 0);
  CHECK(s.stored_ranges("a1", 1) == wire::SeqRanges{{11, 15}});
  out = s.append("a1", batch(1, 16, 2));  // the live range grows
  CHECK(out.stored_above == wire::SeqRanges{{11, 17}});
  out = s.append("a1", batch(1, 30, 1));  // another range
  CHECK(out.stored_above == wire::SeqRanges{{11, 17}, {30, 30}});
  // The back-fill 1..12: 11 and 12 are stored already (duplicates); the mark reaches the live range.
  out = s.append("a1", batch(1, 1, 12));
  CHECK(out.stored == 10);
  CHECK(out.duplicates == 2);
  CHECK(out.committed_seq == 17);
  CHECK(out.stored_above == wire::SeqRanges{{30, 30}});
  CHECK(s.committed_seq("a1", 1) == 17);
  CHECK(s.stored_ranges("a1", 1) == wire::SeqRanges{{30, 30}});
  // A batch across the range: only what is new is stored; every run once.
  out = s.append("a1", batch(1, 18, 15));
  CHECK(out.stored == 14);
  CHECK(out.duplicates == 1);
  CHECK(out.committed_seq == 32);
  CHECK(out.stored_above.empty());
  CHECK(s.stored_ranges("a1", 1).empty());
  CHECK(all(s).size() == 32);
  std::set<TimeMs> ts;
  for (const auto& r : all(s)) ts.insert(r.ts);
  CHECK(ts.size() == 32);
}

TEST_CASE_TEMPLATE("a batch that would leave more than 64 ranges above the mark is a gap: nothing stored", B, SqliteBackend, PgBackend) {
  B backend;
  auto& s = backend.store();
  for (std::uint64_t i = 0; i < wire::kMaxStoredRanges; ++i)
    REQUIRE(s.append("a1", batch(1, 10 + 2 * i, 1)).kind == AppendOutcome::Kind::stored);
  CHECK(s.stored_ranges("a1", 1).size() == wire::kMaxStoredRanges);
  auto out = s.append("a1", batch(1, 1'000, 1));
  CHECK(out.kind == AppendOutcome::Kind::gap);
  CHECK(out.committed_seq == 0);
  CHECK(out.stored_above.size() == wire::kMaxStoredRanges);
  CHECK(all(s).size() == wire::kMaxStoredRanges);
  // Filling a hole is stored (it merges two ranges), and so is the back-fill from the mark.
  CHECK(s.append("a1", batch(1, 11, 1)).stored_above.size() == wire::kMaxStoredRanges - 1);
  out = s.append("a1", batch(1, 1, 9));
  CHECK(out.committed_seq == 12);
  CHECK(out.stored_above.size() == wire::kMaxStoredRanges - 2);
  // Unknown agents stay unknown to a gap.
  CHECK(s.last_epoch("a2") == 0);
}

TEST_CASE_TEMPLATE("marks are kept per agent and per epoch; last_epoch is the newest epoch with data", B, SqliteBackend, PgBackend) {
  B backend;
  auto& s = backend.store();
  s.append("a1", batch(1, 1, 3));
  s.append("a1", batch(2, 1, 2, 5'000'000));  // other runs (other ts) under a new epoch
  s.append("a2", batch(1, 1, 1));
  CHECK(s.committed_seq("a1", 1) == 3);
  CHECK(s.committed_seq("a1", 2) == 2);
  CHECK(s.committed_seq("a2", 1) == 1);
  CHECK(s.committed_seq("a2", 2) == 0);
  CHECK(s.committed_seq("nobody", 1) == 0);
  CHECK(s.last_epoch("a1") == 2);
  CHECK(s.last_epoch("a2") == 1);
  CHECK(all(s).size() == 6);
}

TEST_CASE_TEMPLATE("results read back exactly as they were sent, ordered by time, probe and agent, and filtered", B, SqliteBackend, PgBackend) {
  B backend;
  auto& s = backend.store();
  wire::Batch b;
  b.epoch = 1;
  b.first_seq = 1;
  ProbeResult r1 = result("web.http", 2000, Status::degraded);
  r1.latency_ms = 812.125;
  r1.message = "slow: 812 ms ≥ 800 ms";
  r1.metrics = {{"dns_ms", 0.25}, {"http_status", 200}, {"cert_days_left", -2}, {"ttfb_ms", 1e-300}};
  ProbeResult r2 = result("db.tcp", 2000, Status::down);
  r2.message = "connection refused";
  ProbeResult r3 = result("db.tcp", 1000, Status::unknown);
  r3.latency_ms = 0.0;
  b.entries = {r1, r2, r3};
  s.append("a1", b);
  wire::Batch b2;
  b2.epoch = 1;
  b2.first_seq = 1;
  b2.entries = {result("db.tcp", 2000, Status::up)};
  s.append("a0", b2);

  const auto got = all(s);
  REQUIRE(got.size() == 4);
  for (auto* r : {&r1, &r2, &r3}) r->agent = "a1";
  CHECK(got[0] == r3);
  CHECK(got[1].agent == "a0");  // same ts and probe: by agent
  CHECK(got[2] == r2);
  CHECK(got[3] == r1);

  CHECK(all(s, ResultQuery{2000, std::nullopt, std::nullopt, std::nullopt}).size() == 3);
  CHECK(all(s, ResultQuery{std::nullopt, 2000, std::nullopt, std::nullopt}).size() == 1);
  CHECK(all(s, ResultQuery{std::nullopt, std::nullopt, "a0", std::nullopt}).size() == 1);
  CHECK(all(s, ResultQuery{std::nullopt, std::nullopt, std::nullopt, "db.tcp"}).size() == 3);
  CHECK(all(s, ResultQuery{std::nullopt, std::nullopt, "a1", "web.http"}) == std::vector<ProbeResult>{r1});
  CHECK(all(s, ResultQuery{std::nullopt, std::nullopt, "x' OR 1=1 --", std::nullopt}).empty());
}

TEST_CASE_TEMPLATE("gap records take their sequence number and are read back per probe over the time they overlap", B, SqliteBackend, PgBackend) {
  B backend;
  auto& s = backend.store();
  wire::Batch b;
  b.epoch = 1;
  b.first_seq = 1;
  b.entries.emplace_back(result("p1", 1000));
  b.entries.emplace_back(wire::GapRecord{{"p1", "p2"}, 2000, 9000, 14});
  b.entries.emplace_back(result("p1", 9000));
  CHECK(s.append("a1", b).stored == 3);
  CHECK(s.committed_seq("a1", 1) == 16);  // 1 result, a gap standing for 14, 1 result
  const auto g = s.gaps({});
  REQUIRE(g.size() == 2);
  CHECK(g[0] == StoredGap{"a1", "p1", 2000, 9000, 14});
  CHECK(g[1] == StoredGap{"a1", "p2", 2000, 9000, 14});
  CHECK(s.gaps(ResultQuery{9000, std::nullopt, std::nullopt, std::nullopt}).empty());
  CHECK(s.gaps(ResultQuery{8999, 9001, std::nullopt, "p2"}).size() == 1);
  CHECK(all(s).size() == 2);
  // A gap that covers the mark (stored results the agent's spool later folded into a gap) is stored,
  // and the mark moves to its end.
  wire::Batch odd;
  odd.epoch = 1;
  odd.first_seq = 10;
  odd.entries.emplace_back(wire::GapRecord{{"p3"}, 2000, 12000, 10});
  const auto out = s.append("a1", odd);
  CHECK(out.kind == AppendOutcome::Kind::stored);
  CHECK(out.stored == 1);
  CHECK(s.committed_seq("a1", 1) == 19);
  CHECK(s.gaps(ResultQuery{std::nullopt, std::nullopt, std::nullopt, "p3"}).size() == 1);
  CHECK(all(s).size() == 2);  // the stored results stay
  // A gap without probes stands for refused entries: the mark moves, nothing else is stored.
  wire::Batch holes;
  holes.epoch = 1;
  holes.first_seq = 20;
  holes.entries.emplace_back(wire::GapRecord{{}, 0, 0, 1});
  holes.entries.emplace_back(result("p1", 20000));
  CHECK(s.append("a1", holes).stored == 2);
  CHECK(s.committed_seq("a1", 1) == 21);
  CHECK(s.gaps({}).size() == 3);
  CHECK(all(s).size() == 3);
}

TEST_CASE_TEMPLATE("a group commit stores several agents' batches in one transaction, each seeing the marks before it", B, SqliteBackend, PgBackend) {
  B backend;
  auto& s = backend.store();
  const auto a = batch(1, 1, 5);
  const auto a_next = batch(1, 6, 5);
  const auto a_again = batch(1, 3, 4);   // a resend overlapping the first
  const auto a_live = batch(1, 20, 2);   // past the mark: a range above it
  const auto b = batch(7, 1, 3, 5'000'000);
  const std::vector<AgentBatch> group{{"a1", &a}, {"a2", &b}, {"a1", &a_next}, {"a1", &a_again}, {"a1", &a_live}};
  const auto out = s.append_group(group);
  REQUIRE(out.size() == 5);
  CHECK(out[0] == AppendOutcome{AppendOutcome::Kind::stored, 5, 5, 0, 0});
  CHECK(out[1] == AppendOutcome{AppendOutcome::Kind::stored, 3, 3, 0, 0});
  CHECK(out[2] == AppendOutcome{AppendOutcome::Kind::stored, 10, 5, 0, 0});
  CHECK(out[3] == AppendOutcome{AppendOutcome::Kind::stored, 10, 0, 4, 0});
  CHECK(out[4] == AppendOutcome{AppendOutcome::Kind::stored, 10, 2, 0, 0, wire::SeqRanges{{20, 21}}});
  CHECK(s.committed_seq("a1", 1) == 10);
  CHECK(s.stored_ranges("a1", 1) == wire::SeqRanges{{20, 21}});
  CHECK(s.committed_seq("a2", 7) == 3);
  CHECK(all(s).size() == 15);
}

TEST_CASE_TEMPLATE("agent records are created, replaced, read back by name and all disconnected at once", B, SqliteBackend, PgBackend) {
  B backend;
  {
    auto& s = backend.store();
    CHECK(s.agent_records().empty());
    const std::vector<AgentRecord> first{
        {"b-agent", true, "192.0.2.7:40000", 1000, -12, 40, "v1", 3, 99},
        {"a-agent", false, "", 0, std::nullopt, 0, "", 0, 0},
    };
    s.record_agents(first);
    auto got = s.agent_records();
    REQUIRE(got.size() == 2);
    CHECK(got[0] == first[1]);
    CHECK(got[1] == first[0]);
    const std::vector<AgentRecord> again{{"b-agent", true, "192.0.2.8:40001", 2000, 5, 0, "v2", 4, 1}};
    s.record_agents(again);
    got = s.agent_records();
    CHECK(got[1] == again[0]);
    s.disconnect_all();
  }
  auto& s = backend.reopen();
  const auto got = s.agent_records();
  REQUIRE(got.size() == 2);
  CHECK_FALSE(got[1].connected);
  CHECK(got[1].last_seen_ms == 2000);
}

TEST_CASE_TEMPLATE("every stored or replaced result gets a row number above every earlier one and the engine's position", B, SqliteBackend, PgBackend) {
  B backend;
  auto& s = backend.store();
  s.append("a1", batch(1, 1, 3));  // rows 1..3
  std::vector<StoredArrival> seen;
  auto pos = s.arrivals_after({}, 100, [&](const StoredArrival& a) { seen.push_back(a); });
  REQUIRE(seen.size() == 3);
  CHECK(pos.result_row == seen.back().row);
  // The engine applied them; then every row is pruned: new rows still come after its position.
  EngineCommit c;
  c.next = pos;
  REQUIRE(s.engine_commit(c));
  CHECK_FALSE(s.engine_commit(c));  // the position moved: a second writer would be refused
  CHECK(s.prune_results(std::numeric_limits<TimeMs>::max() / 4, {}) == 3);
  wire::Batch again = batch(1, 4, 1);
  s.append("a1", again);
  seen.clear();
  pos = s.arrivals_after(pos, 100, [&](const StoredArrival& a) { seen.push_back(a); });
  REQUIRE(seen.size() == 1);
  // A replaced run (same probe, ts and agent, other content) moves to a new row; an identical one does not.
  wire::Batch replaced;
  replaced.epoch = 2;
  replaced.first_seq = 1;
  ProbeResult r = std::get<ProbeResult>(again.entries[0]);
  r.agent = "a1";
  replaced.entries = {r};
  s.append("a1", replaced);
  std::size_t n = 0;
  s.arrivals_after(pos, 100, [&](const StoredArrival&) { ++n; });
  CHECK(n == 0);
  r.status = Status::down;
  replaced.first_seq = 2;
  replaced.entries = {r};
  s.append("a1", replaced);
  seen.clear();
  s.arrivals_after(pos, 100, [&](const StoredArrival& a) { seen.push_back(a); });
  REQUIRE(seen.size() == 1);
  CHECK(seen[0].status == Status::down);
  CHECK(seen[0].row > pos.result_row);
}

TEST_CASE_TEMPLATE("a wider gap record at a number stored before replaces it (the spool folded more into it)", B, SqliteBackend, PgBackend) {
  B backend;
  auto& s = backend.store();
  wire::Batch g;
  g.epoch = 1;
  g.first_seq = 1;
  g.entries.emplace_back(wire::GapRecord{{"p"}, 1'000, 2'000, 2});
  REQUIRE(s.append("a1", g).committed_seq == 2);
  g.entries[0] = wire::GapRecord{{"p"}, 1'000, 5'000, 5};  // 1..5: covers the mark, stored again at 1
  const auto out = s.append("a1", g);
  CHECK(out.committed_seq == 5);
  CHECK(out.stored == 1);
  const auto gaps = s.gaps({});
  REQUIRE(gaps.size() == 1);
  CHECK(gaps[0].to_ms == 5'000);
  CHECK(gaps[0].dropped == 5);
  // The live engine sees the replaced record as a new arrival (a row after the first one).
  std::vector<StoredArrival> seen;
  s.arrivals_after({}, 100, [&](const StoredArrival& a) { seen.push_back(a); });
  REQUIRE(seen.size() == 1);
  CHECK(seen[0].gap);
  CHECK(seen[0].row == 2);
}

TEST_CASE_TEMPLATE("prune_results deletes applied results before the bound and keeps the marks", B, SqliteBackend, PgBackend) {
  B backend;
  auto& s = backend.store();
  s.append("a1", batch(1, 1, 10, 0));  // ts 1000 .. 10000
  CHECK(s.prune_results(5000, {}) == 0);  // the engine has not applied them yet
  EngineCommit c;
  c.next = s.arrivals_after({}, 100, [](const StoredArrival&) {});
  REQUIRE(s.engine_commit(c));
  const std::vector<std::string> keep{"p1"};
  CHECK(s.prune_results(5000, keep) == 2);  // p1 kept (a response-time probe)
  CHECK(s.prune_results(5000, {}) == 2);
  CHECK(all(s).size() == 6);
  CHECK(s.committed_seq("a1", 1) == 10);
  CHECK(s.append("a1", batch(1, 1, 10, 0)).stored == 0);  // pruned results are not stored again
}

TEST_CASE_TEMPLATE("walk_probe_results: one probe forward or backward from an instant, agents in name order per ts, stops on request", B, SqliteBackend, PgBackend) {
  B backend;
  auto& s = backend.store();
  auto r = [](const char* probe, TimeMs ts, const char* agent, Status st = Status::up) {
    return ProbeResult{probe, ts, st, std::nullopt, "", agent, {}};
  };
  // Two agents report p at 2000 (arriving b first); q is another probe.
  for (const char* agent : {"b", "a"}) {
    wire::Batch b;
    b.epoch = 1;
    b.first_seq = 1;
    for (TimeMs ts : {1000, 2000, 3000}) {
      if (ts != 2000 && std::string(agent) == "a") continue;
      b.entries.emplace_back(r("p", ts, agent, ts == 2000 ? Status::down : Status::up));
    }
    b.entries.emplace_back(r("q", 1500, agent));
    s.append(agent, b);
  }
  using D = Store::Direction;
  auto walk = [&](TimeMs from, D dir, std::size_t stop_after = 100) {
    std::vector<std::pair<TimeMs, std::string>> seen;
    s.walk_probe_results("p", from, dir, [&](const ProbeResult& x) {
      CHECK(x.probe == "p");
      seen.emplace_back(x.ts, x.agent);
      return seen.size() < stop_after;
    });
    return seen;
  };
  using V = std::vector<std::pair<TimeMs, std::string>>;
  CHECK(walk(2000, D::forward) == V{{2000, "a"}, {2000, "b"}, {3000, "b"}});
  CHECK(walk(3000, D::backward) == V{{2000, "a"}, {2000, "b"}, {1000, "b"}});
  CHECK(walk(0, D::forward, 1) == V{{1000, "b"}});
  CHECK(walk(1000, D::backward).empty());
  // The statement is usable again after an early stop.
  CHECK(walk(0, D::forward) == V{{1000, "b"}, {2000, "a"}, {2000, "b"}, {3000, "b"}});
  std::size_t none = 0;
  s.walk_probe_results("never-stored", 0, D::forward, [&](const ProbeResult&) { return ++none > 0; });
  CHECK(none == 0);

  // The interface's default (over for_each_result) gives the same rows.
  for (const TimeMs from : {0, 1000, 2000, 2001, 5000})
    for (const D dir : {D::forward, D::backward})
      for (const std::size_t stop : {std::size_t{1}, std::size_t{2}, std::size_t{100}}) {
        V base;
        s.Store::walk_probe_results("p", from, dir, [&](const ProbeResult& x) {
          base.emplace_back(x.ts, x.agent);
          return base.size() < stop;
        });
        CHECK(base == walk(from, dir, stop));
      }

  // find_result: the stored run of (probe, ts, agent); the same through the default.
  const auto found = s.find_result("p", 2000, "a");
  REQUIRE(found);
  CHECK(*found == r("p", 2000, "a", Status::down));
  CHECK(s.Store::find_result("p", 2000, "a") == found);
  CHECK_FALSE(s.find_result("p", 2000, "c"));
  CHECK_FALSE(s.find_result("p", 2001, "a"));
  CHECK_FALSE(s.Store::find_result("p", 2001, "a"));
}

TEST_CASE_TEMPLATE("maintenance windows: stored with ids mw-N and their history, ended early once, kept across reopening", B,
                   SqliteBackend, PgBackend) {
  B b;
  MaintenanceWindow w;
  w.targets = {"db", "shop"};
  w.from_ms = 10'000;
  w.to_ms = 20'000;
  w.who = "alice";
  w.why = "kernel patch";
  w.created_ms = 9'000;
  {
    auto& s = b.store();
    CHECK(s.maintenance_windows().empty());
    const auto a = s.create_maintenance(w);
    CHECK(a.id == "mw-1");
    CHECK(a.planned_to_ms == 20'000);
    auto later = w;
    later.from_ms = 30'000;
    later.to_ms = 40'000;
    CHECK(s.create_maintenance(later).id == "mw-2");
    // Ended while active: its end moves to then. The other one is cancelled before it begins.
    const auto ended = s.end_maintenance("mw-1", 15'000, "bob", "done early");
    REQUIRE(ended);
    CHECK(ended->to_ms == 15'000);
    CHECK(ended->planned_to_ms == 20'000);
    CHECK(ended->ended_by == "bob");
    const auto cancelled = s.end_maintenance("mw-2", 12'000, "bob", "not needed");
    REQUIRE(cancelled);
    CHECK(cancelled->to_ms == 30'000);  // == from: nothing planned
    CHECK_FALSE(s.end_maintenance("mw-9", 1, "x", "y"));
    CHECK_FALSE(s.end_maintenance("patch", 1, "x", "y"));
    CHECK_FALSE(s.end_maintenance("mw-01", 1, "x", "y"));
  }
  auto& s = b.reopen();
  const auto all_windows = s.maintenance_windows();
  REQUIRE(all_windows.size() == 2);
  CHECK(all_windows[0].targets == std::vector<std::string>{"db", "shop"});
  CHECK(all_windows[0].to_ms == 15'000);
  CHECK(all_windows[0].ended_ms == 15'000);
  CHECK(all_windows[0].end_reason == "done early");
  const auto h = s.maintenance_history("");
  REQUIRE(h.size() == 4);
  CHECK(h[0].action == MaintenanceEvent::Action::created);
  CHECK(h[2].window == "mw-1");
  CHECK(h[2].action == MaintenanceEvent::Action::ended);
  CHECK(h[2].to_ms == 15'000);
  CHECK(h[3].action == MaintenanceEvent::Action::cancelled);
  CHECK(s.maintenance_history("mw-2").size() == 2);
  CHECK(s.maintenance_history("mw-7").empty());
  // As catalogue windows: the cancelled one plans nothing and is left out.
  const auto as_cat = maintenance_as_catalogue(all_windows);
  REQUIRE(as_cat.size() == 1);
  CHECK(as_cat[0].id == "mw-1");
  CHECK(as_cat[0].from == 10'000);
  CHECK(as_cat[0].to == 15'000);
  CHECK(as_cat[0].description == "alice: kernel patch");
}

namespace {

// The rows of one notification (key) to these targets ("" alone: unrouted), as claimed at `now`.
std::vector<Delivery> claims(const std::string& key, std::vector<std::string> targets, TimeMs now) {
  std::vector<Delivery> out;
  for (auto& t : targets) {
    Delivery d;
    d.dedup_key = key;
    d.target = std::move(t);
    d.kind = "outage_opened";
    d.subject = "shop";
    d.sla = "gold";
    d.at = 10'000;
    d.payload = R"({"dedup_key":")" + key + R"("})";
    d.state = d.target.empty() ? DeliveryState::unrouted : DeliveryState::pending;
    d.created_ms = now;
    d.next_attempt_ms = now;
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace

TEST_CASE_TEMPLATE("notifications: a state change is claimed once per target with the open set, also after reopening", B,
                   SqliteBackend, PgBackend) {
  B b;
  const std::string key = "outage:shop:outage_opened:1970-01-01T00:00:10Z";
  {
    auto& s = b.store();
    CHECK(s.open_subjects().empty());
    NotificationWrite w;
    w.opened = {"outage:shop"};
    w.claims = claims(key, {"webhook:ops", "email:a@example.com"}, 11'000);
    CHECK(s.write_notifications(w) == 2);
    CHECK(s.open_subjects() == OpenSubjectKeys{"outage:shop"});
    CHECK(s.write_notifications(w) == 0);  // the same change again: nothing new
  }
  auto& s = b.reopen();
  NotificationWrite again;
  again.claims = claims(key, {"webhook:ops", "email:a@example.com"}, 12'000);
  CHECK(s.write_notifications(again) == 0);
  CHECK(s.open_subjects() == OpenSubjectKeys{"outage:shop"});
  const auto log = s.deliveries({});
  REQUIRE(log.size() == 2);
  CHECK(log[0].target == "email:a@example.com");  // newest first
  CHECK(log[1].target == "webhook:ops");
  CHECK(log[1].state == DeliveryState::pending);
  CHECK(log[1].attempts == 0);
  CHECK(log[1].created_ms == 11'000);
  CHECK(log[1].payload == R"({"dedup_key":")" + key + R"("})");
  CHECK(log[1].kind == "outage_opened");
  CHECK(log[1].sla == "gold");
  NotificationWrite close;
  close.closed = {"outage:shop"};
  CHECK(s.write_notifications(close) == 0);
  CHECK(s.open_subjects().empty());
}

TEST_CASE_TEMPLATE("notifications: attempts move a row to delivered or back to pending later; due rows, counts, pages", B,
                   SqliteBackend, PgBackend) {
  B b;
  auto& s = b.store();
  NotificationWrite w;
  w.claims = claims("k1", {"webhook:ops"}, 1'000);
  for (auto& c : claims("k2", {""}, 1'000)) w.claims.push_back(c);  // unrouted
  for (auto& c : claims("k3", {"webhook:ops", "webhook:dev"}, 1'000)) w.claims.push_back(c);
  CHECK(s.write_notifications(w) == 4);
  CHECK(s.next_due() == 1'000);
  auto due = s.due_deliveries(1'000, 10);
  REQUIRE(due.size() == 3);  // not the unrouted one
  CHECK(due[0].dedup_key == "k1");
  CHECK(due[2].dedup_key == "k3");
  // Taken: leased until now + kDeliveryLeaseMs, so no other deliverer takes them meanwhile.
  CHECK(s.due_deliveries(1'000, 10).empty());
  CHECK(s.next_due() == 1'000 + kDeliveryLeaseMs);
  CHECK(b.another()->due_deliveries(1'000 + kDeliveryLeaseMs - 1, 10).empty());
  NotificationWrite a;
  a.attempts.push_back({due[0].id, DeliveryState::pending, 1'500, 2'500, "HTTP 500"});
  a.attempts.push_back({due[1].id, DeliveryState::delivered, 1'600, 0, ""});
  a.attempts.push_back({due[2].id, DeliveryState::failed, 1'700, 0, "gone"});
  s.write_notifications(a);
  CHECK(s.next_due() == 2'500);
  CHECK(s.due_deliveries(2'000, 10).empty());
  const auto again = s.due_deliveries(2'500, 10);
  REQUIRE(again.size() == 1);
  CHECK(again[0].attempts == 1);
  CHECK(again[0].last_error == "HTTP 500");
  CHECK_FALSE(again[0].delivered_ms);
  NotificationWrite ok;
  ok.attempts.push_back({again[0].id, DeliveryState::delivered, 2'600, 0, ""});
  s.write_notifications(ok);
  CHECK_FALSE(s.next_due());
  const auto delivered = s.deliveries({DeliveryState::delivered, std::nullopt, 100});
  REQUIRE(delivered.size() == 2);
  CHECK(delivered[1].dedup_key == "k1");
  CHECK(delivered[1].attempts == 2);
  CHECK(delivered[1].delivered_ms == 2'600);
  CHECK(delivered[1].last_error.empty());
  const auto counts = s.delivery_counts();
  CHECK(counts == std::vector<std::pair<DeliveryState, std::int64_t>>{
                      {DeliveryState::delivered, 2}, {DeliveryState::failed, 1}, {DeliveryState::unrouted, 1}});
  // Pages: newest first, then the rows below the last id shown.
  const auto first = s.deliveries({std::nullopt, std::nullopt, 3});
  REQUIRE(first.size() == 3);
  const auto rest = s.deliveries({std::nullopt, first.back().id, 3});
  REQUIRE(rest.size() == 1);
  CHECK(rest[0].dedup_key == "k1");
}

TEST_CASE_TEMPLATE("notifications: two deliverers taking rows at once never take the same row; a run-out lease is taken again", B,
                   SqliteBackend, PgBackend) {
  B b;
  auto& s = b.store();
  NotificationWrite w;
  for (int i = 0; i < 40; ++i)
    for (auto& c : claims("k" + std::to_string(i), {"webhook:ops"}, 1'000)) w.claims.push_back(c);
  REQUIRE(s.write_notifications(w) == 40);
  auto first = b.another();
  auto second = b.another();
  std::vector<std::int64_t> taken[2];
  auto take = [](NotificationStore& st, std::vector<std::int64_t>& out) {
    for (int i = 0; i < 100; ++i) {  // bounded: 40 rows between two takers
      std::vector<Delivery> d;
      for (int tries = 0; tries < 20; ++tries) {  // SQLite: the other writer may hold the lock a moment
        try {
          d = st.due_deliveries(1'000, 1);
          break;
        } catch (const StoreFailure&) {
          std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
      }
      if (d.empty()) return;
      out.push_back(d.front().id);
    }
  };
  std::thread t1([&] { take(*first, taken[0]); });
  std::thread t2([&] { take(*second, taken[1]); });
  t1.join();
  t2.join();
  std::vector<std::int64_t> all = taken[0];
  all.insert(all.end(), taken[1].begin(), taken[1].end());
  std::sort(all.begin(), all.end());
  CHECK(all.size() == 40);
  CHECK(std::adjacent_find(all.begin(), all.end()) == all.end());  // none taken twice
  // Nobody recorded an attempt: once the lease has run out, the rows are due again.
  CHECK(s.due_deliveries(1'000 + kDeliveryLeaseMs - 1, 100).empty());
  CHECK(s.due_deliveries(1'000 + kDeliveryLeaseMs, 100).size() == 40);
}
