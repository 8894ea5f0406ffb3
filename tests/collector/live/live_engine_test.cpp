// Tests for collector/live/live_engine.h over a real SQLite store (the property test also over a
// PostgreSQL store: tests/collector/store/store_backends.h): the change points it keeps equal
// the timeline computed from every stored result (engine::build_probe_data), whatever the arrival
// order (back-fills, another agent's result for the same run time, replaced results, gap records),
// however the steps are cut, across restarts of the engine, after raw results are pruned, and over
// the in-memory overlay the CLI uses; and the live status (staleness) at any instant.
#include "collector/live/live_engine.h"

// g++ 12 warns falsely (-Wmaybe-uninitialized) inside the catalogue model's constructors here.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <random>

#include "collector/live/overlay_store.h"
#include "collector/live/store_probe_data.h"
#include "collector/store/sqlite/sqlite_store.h"
#include "tests/engine/engine_fixtures.h"
#include "tests/collector/store/store_backends.h"
#include "tests/temp_dir.h"

using namespace slamon;
using slamon::engine::kMaxTime;
using slamon::engine::kMinTime;
using slamon::engine::test::make_ci;
using slamon::engine::test::make_probe;
using slamon::store::sqlite::SqliteStore;
using slamon::test::TempDir;

namespace {

constexpr TimeMs kT0 = 1'790'000'000'000;  // 2026-09-20
constexpr TimeMs kMin = 60'000;

catalogue::Catalogue test_catalogue() {
  catalogue::Catalogue cat;
  cat.cis.push_back(make_ci("host", {}));
  auto& probes = cat.cis.back().probes;
  probes.push_back(make_probe("p1", "host", kMin, 1));
  probes.push_back(make_probe("p2", "host", kMin, 3));
  probes.push_back(make_probe("p3", "host", kMin, 2, 5 * kMin));
  return cat;
}

ProbeResult result(const std::string& probe, TimeMs ts, Status st, const std::string& agent, double latency = 10) {
  ProbeResult r;
  r.probe = probe;
  r.ts = ts;
  r.status = st;
  r.agent = agent;
  if (st != Status::down) r.latency_ms = latency;
  return r;
}

// Appends entries as one batch of `agent` after its previous ones (epoch 1).
struct Sender {
  store::Store& st;
  std::map<std::string, std::uint64_t> next_seq;
  void send(const std::string& agent, std::vector<wire::BatchEntry> entries) {
    wire::Batch b;
    b.epoch = 1;
    auto& seq = next_seq.try_emplace(agent, 1).first->second;
    b.first_seq = seq;
    for (const auto& e : entries) seq += wire::seq_width(e);
    b.entries = std::move(entries);
    const auto out = st.append(agent, b);
    REQUIRE(out.kind == store::AppendOutcome::Kind::stored);
  }
};

// The reference: every stored result and gap record through build_probe_data, per probe.
engine::ProbeDataMap reference(store::Store& st, const catalogue::Catalogue& cat, const std::set<std::string>& rt = {},
                               const std::vector<ProbeResult>& extra_results = {}) {
  std::map<std::string, std::vector<engine::Arrival>> arrivals;
  std::map<std::string, std::vector<TimeMs>> gaps;
  std::vector<ProbeResult> all = extra_results;
  st.for_each_result({}, [&](const ProbeResult& r) { all.push_back(r); });
  std::stable_sort(all.begin(), all.end(), [](const ProbeResult& a, const ProbeResult& b) {
    return std::tie(a.ts, a.agent) < std::tie(b.ts, b.agent);
  });
  for (const auto& r : all) arrivals[r.probe].push_back(engine::to_arrival(r));
  for (const auto& g : st.gaps({})) gaps[g.probe].push_back(g.from_ms);
  engine::ProbeDataMap out;
  for (const auto& ci : cat.cis)
    for (const auto& p : ci.probes)
      out[p.id] = engine::build_probe_data({p.stale_after_ms, p.confirm}, rt.count(p.id) > 0, arrivals[p.id], gaps[p.id]);
  return out;
}

void catch_up(live::LiveEngine& e) {
  for (int i = 0; i < 10'000; ++i)
    if (!e.step().more) return;
  FAIL("the engine never caught up");
}

void check_equal(const engine::ProbeDataMap& got, const engine::ProbeDataMap& want) {
  for (const auto& [id, d] : want) {
    INFO("probe " << id);
    REQUIRE(got.count(id) == 1);
    CHECK(got.at(id).timeline == d.timeline);
    CHECK(got.at(id).rt == d.rt);
  }
}

Status random_status(std::mt19937& rng, Status prev) {
  // Runs: mostly the previous status again.
  static const Status all[] = {Status::up, Status::down, Status::degraded, Status::unknown};
  return std::uniform_int_distribution<int>(0, 9)(rng) < 7 ? prev : all[std::uniform_int_distribution<int>(0, 3)(rng)];
}

}  // namespace

TEST_CASE_TEMPLATE("change points equal the timeline from every result, for any arrival order, step size and restart", B,
                   slamon::test::SqliteBackend, slamon::test::PgBackend) {
  const unsigned seeds = std::is_same_v<B, slamon::test::PgBackend> ? 4 : 12;
  for (unsigned seed = 1; seed <= seeds; ++seed) {
    CAPTURE(seed);
    B backend(false);
    auto& st = backend.store();
    const auto cat = test_catalogue();
    std::mt19937 rng(seed);
    live::LiveOptions opt;
    opt.step_arrivals = 1 + seed % 5 * 7;
    opt.checkpoint_every_ms = 10 * kMin;
    opt.replay_after_steps = static_cast<int>(seed % 3);
    auto engine = std::make_unique<live::LiveEngine>(cat, st, opt);

    // Results for 4 hours, cut into chunks; some chunks held back and sent late (a back-fill).
    std::vector<std::pair<std::string, std::vector<wire::BatchEntry>>> chunks;
    std::map<std::string, Status> prev{{"p1", Status::up}, {"p2", Status::up}, {"p3", Status::up}};
    for (int m = 0; m < 240; m += 5) {
      std::vector<wire::BatchEntry> a1, a2;
      for (int k = m; k < m + 5; ++k)
        for (const char* id : {"p1", "p2", "p3"}) {
          if (std::uniform_int_distribution<int>(0, 19)(rng) == 0) continue;  // missed: maybe stale
          Status s = random_status(rng, prev[id]);
          prev[id] = s;
          const TimeMs ts = kT0 + k * kMin + (std::string(id) == "p2" ? 1000 : 0);
          a1.push_back(result(id, ts, s, "a1", 10 + k % 7));
          // The same run time from another agent now and then (its status wins: later in name order).
          if (std::string(id) == "p1" && k % 11 == 3) a2.push_back(result(id, ts, random_status(rng, s), "a2", 20));
        }
      if (m % 60 == 30) {
        wire::GapRecord g;
        g.probes = {"p2", "p3"};
        g.from_ms = kT0 + (m + 2) * kMin + 500;
        g.to_ms = g.from_ms + 2 * kMin;
        g.dropped = 2;
        a1.push_back(g);
      }
      chunks.emplace_back("a1", std::move(a1));
      if (!a2.empty()) chunks.emplace_back("a2", std::move(a2));
    }
    // A replaced run: the same probe, ts and agent with another status, sent later.
    chunks.emplace_back("a1", std::vector<wire::BatchEntry>{result("p2", kT0 + 100 * kMin + 1000, Status::down, "a1")});
    // Arrival order: a few chunks move later.
    for (std::size_t i = 0; i + 1 < chunks.size(); ++i)
      if (std::uniform_int_distribution<int>(0, 5)(rng) == 0) {
        const std::size_t j = std::uniform_int_distribution<std::size_t>(i + 1, chunks.size() - 1)(rng);
        std::rotate(chunks.begin() + static_cast<long>(i), chunks.begin() + static_cast<long>(i) + 1,
                    chunks.begin() + static_cast<long>(j) + 1);
      }
    Sender sender{st, {}};
    for (auto& [agent, entries] : chunks) {
      sender.send(agent, std::move(entries));
      const int what = std::uniform_int_distribution<int>(0, 9)(rng);
      if (what < 4) engine->step();
      if (what == 9) engine = std::make_unique<live::LiveEngine>(cat, st, opt);  // a restart
    }
    catch_up(*engine);
    CHECK(engine->dirty() == 0);
    const auto got = live::probe_data_from_engine(st, st, cat, {kMinTime, kMaxTime}, {});
    check_equal(got, reference(st, cat));
  }
}

TEST_CASE("reports stay exact after raw results are pruned, and late results after it still count") {
  TempDir dir;
  SqliteStore st(dir.file("s.db"), {.synchronous_full = false});
  const auto cat = test_catalogue();
  live::LiveOptions opt;
  opt.checkpoint_every_ms = 15 * kMin;
  live::LiveEngine engine(cat, st, opt);
  Sender sender{st, {}};
  std::mt19937 rng(7);
  std::map<std::string, Status> prev{{"p1", Status::up}, {"p2", Status::up}, {"p3", Status::up}};
  for (int m = 0; m < 180; ++m) {
    std::vector<wire::BatchEntry> e;
    for (const char* id : {"p1", "p2", "p3"}) {
      prev[id] = random_status(rng, prev[id]);
      e.push_back(result(id, kT0 + m * kMin, prev[id], "a1", m));
    }
    sender.send("a1", std::move(e));
  }
  catch_up(engine);
  std::vector<ProbeResult> kept;  // what an export before pruning holds
  st.for_each_result({}, [&](const ProbeResult& r) { kept.push_back(r); });
  const auto want = reference(st, cat);

  // Rows not applied yet are never pruned.
  sender.send("a1", {result("p1", kT0 + 200 * kMin, Status::down, "a1")});
  const auto pruned = st.prune_results(kT0 + 120 * kMin, {});
  CHECK(pruned > 200);
  std::size_t left = 0;
  st.for_each_result({}, [&](const ProbeResult& r) { left += r.ts < kT0 + 60 * kMin ? 1 : 0; });
  CHECK(left == 0);
  bool unapplied_kept = false;
  st.for_each_result({}, [&](const ProbeResult& r) { unapplied_kept |= r.ts == kT0 + 200 * kMin; });
  CHECK(unapplied_kept);
  catch_up(engine);

  // A late result inside the kept range (after the probe's checkpoint before the bound) replays.
  sender.send("a1", {result("p2", kT0 + 119 * kMin + 1000, Status::down, "a1")});
  catch_up(engine);
  std::vector<ProbeResult> extra = kept;
  extra.push_back(result("p1", kT0 + 200 * kMin, Status::down, "a1"));
  extra.push_back(result("p2", kT0 + 119 * kMin + 1000, Status::down, "a1"));
  // The reference from every result ever stored (the store no longer has the pruned ones).
  TempDir dir2;
  SqliteStore all(dir2.file("all.db"), {.synchronous_full = false});
  Sender s2{all, {}};
  for (const auto& r : extra) s2.send("a1", {r});
  const auto got = live::probe_data_from_engine(st, st, cat, {kMinTime, kMaxTime}, {});
  check_equal(got, reference(all, cat));
  (void)want;

  // A fresh engine (a collector restarting) reads the same state and changes nothing.
  live::LiveEngine again(cat, st, opt);
  catch_up(again);
  check_equal(live::probe_data_from_engine(st, st, cat, {kMinTime, kMaxTime}, {}), reference(all, cat));
}

TEST_CASE("response-time probes keep their raw results past the retention and give the same latencies") {
  TempDir dir;
  SqliteStore st(dir.file("s.db"), {.synchronous_full = false});
  const auto cat = test_catalogue();
  live::LiveEngine engine(cat, st, {});
  Sender sender{st, {}};
  for (int m = 0; m < 90; ++m)
    sender.send("a1", {result("p1", kT0 + m * kMin, m % 13 == 5 ? Status::down : Status::up, "a1", 5 + m),
                       result("p3", kT0 + m * kMin, Status::up, "a1", 7)});
  sender.send("a2", {result("p1", kT0 + 10 * kMin, Status::degraded, "a2", 99)});
  catch_up(engine);
  const std::vector<std::string> keep{"p1"};
  st.prune_results(kT0 + 80 * kMin, keep);
  const engine::Interval window{kT0 + 5 * kMin, kT0 + 50 * kMin};
  const auto got = live::probe_data_from_engine(st, st, cat, window, {"p1"});
  const auto want = reference(st, cat, {"p1"});
  std::vector<engine::RtSample> want_rt;
  for (const auto& s : want.at("p1").rt)
    if (s.ts >= window.begin && s.ts < window.end) want_rt.push_back(s);
  CHECK(got.at("p1").rt == want_rt);
  CHECK(std::find_if(want_rt.begin(), want_rt.end(), [](const auto& s) { return s.latency_ms == 99; }) != want_rt.end());
}

TEST_CASE("the overlay computes the same change points without writing to the store") {
  TempDir dir;
  SqliteStore st(dir.file("s.db"), {.synchronous_full = false});
  const auto cat = test_catalogue();
  Sender sender{st, {}};
  for (int m = 0; m < 60; ++m) {
    const Status s = (m / 7) % 2 ? Status::down : Status::up;
    sender.send("a1", {result("p1", kT0 + m * kMin, s, "a1"), result("p2", kT0 + m * kMin, s, "a1")});
  }
  sender.send("a1", {result("p1", kT0 + 3 * kMin, Status::down, "a1")});  // replaces: a late change
  live::OverlayEngineStore overlay(st);
  live::LiveEngine engine(cat, overlay, {.step_arrivals = 13});
  catch_up(engine);
  CHECK(st.engine_position() == store::EnginePosition{});
  CHECK(st.engine_probes().empty());
  check_equal(live::probe_data_from_engine(overlay, st, cat, {kMinTime, kMaxTime}, {}), reference(st, cat));

  // Over a store the collector has partly applied, with a catalogue whose confirm differs.
  live::LiveEngine collector(cat, st, {.step_arrivals = 50});
  collector.step();
  auto other = cat;
  other.cis[0].probes[0].confirm = 2;
  live::OverlayEngineStore overlay2(st);
  live::LiveEngine cli(other, overlay2, {});
  catch_up(cli);
  check_equal(live::probe_data_from_engine(overlay2, st, other, {kMinTime, kMaxTime}, {}), reference(st, other));
}

TEST_CASE("the live status turns unknown exactly at the last result + stale_after") {
  TempDir dir;
  SqliteStore st(dir.file("s.db"), {.synchronous_full = false});
  const auto cat = test_catalogue();
  live::LiveEngine engine(cat, st, {});
  engine.load();
  CHECK(engine.probe_now("p1", kT0)->status == Status::unknown);
  CHECK_FALSE(engine.probe_now("p1", kT0)->since);
  CHECK_FALSE(engine.probe_now("nope", kT0));
  Sender sender{st, {}};
  sender.send("a1", {result("p1", kT0, Status::up, "a1"), result("p1", kT0 + kMin, Status::down, "a1"),
                     result("p3", kT0, Status::up, "a1"), result("p3", kT0 + kMin, Status::up, "a1")});
  const auto r = engine.step();
  CHECK(r.arrivals == 4);
  CHECK(std::find(r.changed.begin(), r.changed.end(), "p1") != r.changed.end());
  const TimeMs stale = kT0 + kMin + 3 * kMin;
  CHECK(engine.probe_now("p1", stale - 1)->status == Status::down);
  CHECK(*engine.probe_now("p1", stale - 1)->since == kT0 + kMin);
  CHECK(engine.probe_now("p1", stale)->status == Status::unknown);
  CHECK(*engine.probe_now("p1", stale)->since == stale);
  using TL = engine::StatusTimeline;
  CHECK(engine.recent_timeline("p1", stale - 1) == TL{{kT0, Status::up}, {kT0 + kMin, Status::down}});
  CHECK(engine.recent_timeline("p1", stale) ==
        TL{{kT0, Status::up}, {kT0 + kMin, Status::down}, {stale, Status::unknown}});
  // p3 (confirm 2, stale_after 5 min): up from kT0 (confirmed by its second result), unknown at kT0 + 6 min.
  CHECK(engine.probe_now("p3", kT0 + 1)->status == Status::up);
  CHECK(*engine.next_staleness(kT0) == stale);
  CHECK(*engine.next_staleness(stale) == kT0 + 6 * kMin);
  CHECK(engine.stale_between(kT0, stale) == std::vector<std::string>{"p1"});
  CHECK(engine.stale_between(stale, kT0 + 6 * kMin) == std::vector<std::string>{"p3"});
  // A probe without a status yet (a pending run) is not announced as turning unknown.
  sender.send("a1", {result("p2", kT0, Status::up, "a1")});
  engine.step();
  CHECK(engine.stale_between(kT0, kT0 + 60 * kMin) == std::vector<std::string>{"p1", "p3"});
}
