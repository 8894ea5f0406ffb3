// The incremental interface: late and out-of-order results revise the past exactly.
#include "collector/engine/engine_state.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <random>

#include "tests/engine/engine_fixtures.h"

namespace slamon::engine::test {
namespace {
const TimeMs D0 = T("2026-03-02T00:00:00Z");
constexpr TimeMs H = 3'600'000;

catalogue::Catalogue cat1() {
  catalogue::Catalogue cat;
  cat.cis.push_back(make_ci("x", {make_probe("x.p", "x")}));
  cat.slas.push_back(make_sla("sla", "x", "99"));
  return cat;
}
}  // namespace

TEST_CASE("a back-filled hour turns a monitoring gap into an outage") {
  const auto cat = cat1();
  EngineState st(cat);
  std::vector<ProbeResult> before, gap;
  add_series(before, "x.p", D0, D0 + 10 * H, Status::up);
  add_series(before, "x.p", D0 + 11 * H, D0 + 24 * H, Status::up);
  add_series(gap, "x.p", D0 + 10 * H, D0 + 11 * H, Status::down);
  for (const auto& r : before) CHECK(st.add_result(r) == EngineState::AddOutcome::stored);
  auto r1 = st.report("sla", "2026-03-02", std::nullopt);
  REQUIRE(r1.report);
  CHECK(r1.report->down_ms == 0);
  CHECK(r1.report->unknown_ms > 0);
  for (const auto& r : gap) st.add_result(r);
  auto r2 = st.report("sla", "2026-03-02", std::nullopt);
  REQUIRE(r2.report);
  CHECK(r2.report->down_ms == 1 * H);
  CHECK(r2.report->outage_count == 1);
  std::vector<ProbeResult> all = before;
  all.insert(all.end(), gap.begin(), gap.end());
  CHECK(*r2.report == report_for(cat, all, "sla", "2026-03-02"));
}

TEST_CASE("resends are recognised; a different result at the same ts replaces the earlier one") {
  const auto cat = cat1();
  EngineState st(cat);
  ProbeResult a{"x.p", D0, Status::up, std::nullopt, "", "", {}};
  ProbeResult b{"x.p", D0, Status::down, std::nullopt, "boom", "", {}};
  CHECK(st.add_result(a) == EngineState::AddOutcome::stored);
  CHECK(st.add_result(a) == EngineState::AddOutcome::resend);
  CHECK(st.add_result(b) == EngineState::AddOutcome::stored);
  CHECK(st.add_result(a) == EngineState::AddOutcome::resend);  // identical to one already received
  CHECK(st.probe_data().at("x.p").timeline.front().status == Status::down);
  CHECK(st.add_result({"nope", D0, Status::up, std::nullopt, "", "", {}}) == EngineState::AddOutcome::unknown_probe);
}

TEST_CASE("reports cut at as_of ignore later results without disturbing the live state") {
  const auto cat = cat1();
  EngineState st(cat);
  std::vector<ProbeResult> rs;
  add_series(rs, "x.p", D0, D0 + 12 * H, Status::up);
  add_series(rs, "x.p", D0 + 12 * H, D0 + 13 * H, Status::down);
  add_series(rs, "x.p", D0 + 13 * H, D0 + 24 * H, Status::up);
  for (const auto& r : rs) st.add_result(r);
  const auto cut = st.report("sla", "2026-03-02", D0 + 12 * H + 30 * 60'000);
  REQUIRE(cut.report);
  CHECK(cut.report->down_ms == 30 * 60'000);
  CHECK_FALSE(cut.report->complete);
  const auto full = st.report("sla", "2026-03-02", std::nullopt);
  CHECK(full.report->down_ms == 1 * H);
  CHECK(*cut.report == report_for(cat, rs, "sla", "2026-03-02", D0 + 12 * H + 30 * 60'000));
}

TEST_CASE("gap records, late and out of order, revise the live state exactly like a full recomputation") {
  catalogue::Catalogue cat;
  auto p = make_probe("x.p", "x");
  p.confirm = 2;
  cat.cis.push_back(make_ci("x", {p}));
  cat.slas.push_back(make_sla("sla", "x", "99"));
  std::mt19937_64 rng(13);
  for (int round = 0; round < 40; ++round) {
    // A day of results every minute (some flapping) and a few gaps, delivered in a random order.
    std::vector<ProbeResult> rs;
    for (TimeMs t = D0; t < D0 + 24 * H; t += 60'000)
      if (rng() % 50 != 0) rs.push_back({"x.p", t, rng() % 7 == 0 ? Status::down : Status::up, std::nullopt, "", "", {}});
    std::vector<TimeMs> gaps;
    while (gaps.size() < 4) {
      const TimeMs g = D0 + static_cast<TimeMs>(rng() % (24 * 60)) * 60'000;
      if (std::find(gaps.begin(), gaps.end(), g) == gaps.end()) gaps.push_back(g);
    }
    std::vector<int> order(rs.size() + gaps.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int>(i);
    std::shuffle(order.begin(), order.end(), rng);
    EngineState st(cat);
    for (std::size_t k = 0; k < order.size(); ++k) {
      const auto i = static_cast<std::size_t>(order[k]);
      if (i < rs.size()) st.add_result(rs[i]);
      else CHECK(st.add_gap("x.p", gaps[i - rs.size()]) == EngineState::AddOutcome::stored);
      if (k == order.size() / 2) st.probe_data();  // a report half-way: later arrivals replay from checkpoints
    }
    CHECK(st.add_gap("x.p", gaps[0]) == EngineState::AddOutcome::resend);
    CHECK(st.add_gap("nope", D0) == EngineState::AddOutcome::unknown_probe);
    std::vector<Arrival> arrivals;
    for (const auto& r : rs) arrivals.push_back(to_arrival(r));
    const ProbeParams params{p.stale_after_ms, p.confirm};
    REQUIRE(st.probe_data().at("x.p") == build_probe_data(params, false, arrivals, gaps));
    // Cut at as_of: gaps at or after it are ignored like results.
    const TimeMs cut = D0 + 12 * H;
    std::vector<Arrival> before;
    std::vector<TimeMs> gaps_before;
    for (const auto& r : rs)
      if (r.ts < cut) before.push_back(to_arrival(r));
    for (TimeMs g : gaps)
      if (g < cut) gaps_before.push_back(g);
    REQUIRE(st.probe_data_before(cut).at("x.p") == build_probe_data(params, false, before, gaps_before));
  }
  // A gap makes the probe unknown in the report, never up.
  EngineState st(cat);
  std::vector<ProbeResult> rs;
  add_series(rs, "x.p", D0, D0 + 24 * H, Status::up);
  for (const auto& r : rs) st.add_result(r);
  const auto before = st.report("sla", "2026-03-02", std::nullopt);
  REQUIRE(before.report);
  CHECK(before.report->unknown_ms == 0);
  st.add_gap("x.p", D0 + 6 * H + 30'000);  // between two results: unknown until two results confirm up again
  const auto after = st.report("sla", "2026-03-02", std::nullopt);
  REQUIRE(after.report);
  CHECK(after.report->unknown_ms == 30'000);
}

}  // namespace slamon::engine::test
