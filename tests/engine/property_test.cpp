// Property tests over random timelines (seeded, bounded) and a brute-force cross-check: every
// second of small random days evaluated independently from the definitions of semantics.md and
// compared with the interval algorithm, to the millisecond (inputs on whole seconds).
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <map>
#include <random>
#include <set>

#include "collector/engine/engine_state.h"
#include "collector/engine/result_ingest.h"
#include "collector/engine/rollup.h"
#include "tests/engine/engine_fixtures.h"

namespace slamon::engine::test {
namespace {

using catalogue::Rule;

constexpr TimeMs kSec = 1000;
const TimeMs kDay0 = T("2026-03-02T00:00:00Z");  // a Monday
constexpr TimeMs kDayMs = 86'400'000;

struct Scenario {
  catalogue::Catalogue cat;
  std::vector<ProbeResult> results;
  std::string label = "2026-03-02";
};

Rule random_rule(std::mt19937& rng, int n) {
  switch (rng() % 4) {
    case 0: return rule_all();
    case 1: return rule_any();
    case 2: return rule_quorum(1 + static_cast<int>(rng() % std::max(1, n)));
    default: {
      const int p = 1 + static_cast<int>(rng() % 1000000);  // 0.0001 .. 100
      Rule r{Rule::Kind::min_percent, 0, Decimal4{p}};
      return r;
    }
  }
}

Status random_status(std::mt19937& rng) {
  const unsigned x = rng() % 10;
  if (x < 5) return Status::up;
  if (x < 7) return Status::down;
  if (x < 9) return Status::degraded;
  return Status::unknown;
}

catalogue::ServiceHours random_hours(std::mt19937& rng) {
  catalogue::ServiceHours h;
  if (rng() % 3 == 0) return h;
  h.always = false;
  const int n = 1 + static_cast<int>(rng() % 2);
  for (int i = 0; i < n; ++i) {
    const int a = static_cast<int>(rng() % 1380);
    const int b = a + 1 + static_cast<int>(rng() % (1440 - a));
    h.windows.push_back({static_cast<std::uint8_t>(rng() % 2 ? 0x7f : 0x01), a, b});
  }
  return h;
}

Scenario random_scenario(std::uint32_t seed) {
  std::mt19937 rng(seed);
  Scenario sc;
  auto& cat = sc.cat;
  auto probe = [&](const std::string& id, const std::string& ci) {
    const DurationMs stale = (60 + static_cast<DurationMs>(rng() % 400)) * kSec;
    return make_probe(id, ci, 60'000, 1 + static_cast<int>(rng() % 3), stale, static_cast<int>(rng() % 5 == 0 ? 0 : 1 + rng() % 2));
  };
  cat.cis.push_back(make_ci("c1", {probe("p1", "c1"), probe("p2", "c1")}, random_rule(rng, 2)));
  cat.cis.push_back(make_ci("c2", {probe("p3", "c2")}));
  cat.cis.push_back(make_ci("c3", {probe("p4", "c3"), probe("p5", "c3")}, random_rule(rng, 2)));
  cat.cis.push_back(make_ci("c4", {probe("p6", "c4")}));
  cat.cis.push_back(make_ci("c5", {}));
  auto w = [&] { return static_cast<int>(rng() % 6 == 0 ? 0 : 1 + rng() % 3); };
  cat.services.push_back(make_service("T", {{"c3", w(), {}}, {"c4", w(), {}}, {"c5", 1, {}}}, random_rule(rng, 2)));
  cat.services.push_back(make_service("S", {{"c1", w(), {}}, {"c2", w(), {}}, {"T", w(), {}}}, random_rule(rng, 3)));
  // Fix quorum K to at most the counted children (the catalogue validates that).
  for (auto& s : cat.services) {
    int counted = 0;
    for (const auto& c : s.children) counted += c.weight > 0 && c.id != "c5";
    if (s.rule.kind == Rule::Kind::quorum) s.rule.quorum = std::max(1, std::min(s.rule.quorum, std::max(1, counted)));
  }
  for (auto& c : cat.cis) {
    int counted = 0;
    for (const auto& p : c.probes) counted += p.weight > 0;
    if (c.rule.kind == Rule::Kind::quorum) c.rule.quorum = std::max(1, std::min(c.rule.quorum, std::max(1, counted)));
  }
  const char* targets[] = {"c1", "c2", "c3", "c4", "c5", "T", "S"};
  const int nm = static_cast<int>(rng() % 4);
  for (int i = 0; i < nm; ++i) {
    catalogue::Maintenance m;
    m.id = "m" + std::to_string(i);
    m.targets = {targets[rng() % 7]};
    if (rng() % 3 == 0) {
      m.every = random_hours(rng);
    } else {
      const TimeMs a = kDay0 - 3600 * kSec + static_cast<TimeMs>(rng() % 90000) * kSec;
      m.from = a;
      m.to = a + (1 + static_cast<TimeMs>(rng() % 20000)) * kSec;
    }
    cat.maintenance.push_back(m);
  }
  const char* xs[] = {"S", "T", "c1"};
  catalogue::Sla sla = make_sla("sla", xs[rng() % 3], "99.5");
  auto& t = sla.versions[0].terms;
  t.target = Decimal4{static_cast<std::int64_t>(900000 + rng() % 100001)};
  t.unknown = static_cast<catalogue::UnknownPolicy>(rng() % 3);
  t.degraded = static_cast<catalogue::DegradedPolicy>(rng() % 2);
  t.planned = static_cast<catalogue::PlannedPolicy>(rng() % 4 == 0 ? 1 : 0);
  t.hours = random_hours(rng);
  if (rng() % 10 == 0) t.holidays.push_back(std::chrono::year{2026} / 3 / 2);
  if (rng() % 2) t.response_time = catalogue::ResponseTimeObjective{"p1", Decimal4{static_cast<std::int64_t>(1 + rng() % 1000000)}, 50};
  cat.slas.push_back(sla);
  // Results: per probe, runs of random statuses at random gaps, from before the day to after it.
  for (const auto& ci : cat.cis)
    for (const auto& p : ci.probes) {
      TimeMs ts = kDay0 - static_cast<TimeMs>(rng() % 7200) * kSec;
      const TimeMs stop = kDay0 + kDayMs + static_cast<TimeMs>(rng() % 7200) * kSec;
      Status s = random_status(rng);
      while (ts < stop) {
        if (rng() % 6 == 0) s = random_status(rng);
        std::optional<double> lat;
        if (rng() % 3) lat = static_cast<double>(rng() % 100);
        sc.results.push_back({p.id, ts, s, lat, "", "", {}});
        const unsigned g = rng() % 20;
        ts += (g == 0 ? 300 + rng() % 1500 : 20 + rng() % 120) * kSec;
      }
    }
  return sc;
}

// ---- brute force ------------------------------------------------------------------------------

// Probe statuses per second over [w0, w1) by "painting": confirmations and staleness paint to the end.
std::vector<Status> paint_probe(const catalogue::Probe& p, const std::vector<ProbeResult>& all, TimeMs w0, TimeMs w1) {
  std::map<TimeMs, ProbeResult> by_ts;  // later arrival wins (no resends in these scenarios)
  for (const auto& r : all)
    if (r.probe == p.id) by_ts[r.ts] = r;
  const std::size_t n = static_cast<std::size_t>((w1 - w0) / kSec);
  std::vector<Status> out(n, Status::unknown);
  auto paint = [&](TimeMs from, Status s) {
    for (TimeMs t = std::max(from, w0); t < w1; t += kSec) out[static_cast<std::size_t>((t - w0) / kSec)] = s;
  };
  Status confirmed = Status::unknown;
  std::vector<TimeMs> run;
  Status run_status = Status::unknown;
  std::optional<TimeMs> prev;
  for (const auto& [ts, r] : by_ts) {
    if (prev && ts > *prev + p.stale_after_ms) {
      paint(*prev + p.stale_after_ms, Status::unknown);
      confirmed = Status::unknown;
      run.clear();
    }
    if (r.status == confirmed) run.clear();
    else if (!run.empty() && r.status == run_status) run.push_back(ts);
    else {
      run = {ts};
      run_status = r.status;
    }
    if (static_cast<int>(run.size()) >= p.confirm) {
      paint(run.front(), run_status);
      confirmed = run_status;
      run.clear();
    }
    prev = ts;
  }
  if (prev) paint(*prev + p.stale_after_ms, Status::unknown);
  return out;
}

Status naive_rule(const Rule& rule, const std::vector<std::pair<Status, int>>& ch) {
  std::vector<std::pair<Status, int>> c;
  for (auto& x : ch)
    if (x.second > 0) c.push_back(x);
  if (c.empty()) return Status::unknown;
  long up = 0, deg = 0, down = 0, unk = 0, wup = 0, wdeg = 0, wunk = 0, W = 0;
  for (auto& [s, w] : c) {
    W += w;
    if (s == Status::up) { ++up; wup += w; }
    if (s == Status::degraded) { ++deg; wdeg += w; }
    if (s == Status::down) ++down;
    if (s == Status::unknown) { ++unk; wunk += w; }
  }
  auto decide = [&](auto reaches, long a, long u, long un) {
    if (reaches(a)) return reaches(u) && deg == 0 && down == 0 ? Status::up : Status::degraded;
    if (reaches(a + un)) return Status::unknown;
    return Status::down;
  };
  if (rule.kind == Rule::Kind::min_percent) {
    // 100 * w >= P * W with P = e4 / 10^4
    auto reaches = [&](long w) { return static_cast<long double>(w) * 1e6L >= static_cast<long double>(rule.min_percent.e4) * W; };
    return decide(reaches, wup + wdeg, wup, wunk);
  }
  long k = rule.kind == Rule::Kind::all ? static_cast<long>(c.size()) : rule.kind == Rule::Kind::any ? 1 : rule.quorum;
  auto reaches = [&](long x) { return x >= k; };
  return decide(reaches, up + deg, up, unk);
}

bool in_hours_utc(const catalogue::ServiceHours& h, TimeMs t) {
  if (h.always) return true;
  const auto tp = std::chrono::sys_time<std::chrono::milliseconds>{std::chrono::milliseconds{t}};
  const auto day = std::chrono::floor<std::chrono::days>(tp);
  const int wd = static_cast<int>(std::chrono::weekday{day}.iso_encoding()) - 1;
  const auto minute = static_cast<int>((t - day.time_since_epoch().count() * 0 - std::chrono::duration_cast<std::chrono::milliseconds>(day.time_since_epoch()).count()) / 60000);
  for (const auto& w : h.windows)
    if ((w.days & (1u << wd)) && minute >= w.start_min && minute < w.end_min) return true;
  return false;
}

struct Brute {
  const Scenario& sc;
  TimeMs w0, w1;
  std::map<std::string, std::vector<Status>> st;  // node id -> per second
  std::map<std::string, std::vector<std::pair<std::string, int>>> children;  // counted
  std::set<std::string> cis;

  Brute(const Scenario& s, TimeMs a, TimeMs b) : sc(s), w0(a), w1(b) {
    const std::size_t n = static_cast<std::size_t>((w1 - w0) / kSec);
    std::map<std::string, Rule> rules;
    for (const auto& ci : sc.cat.cis) {
      cis.insert(ci.id);
      rules[ci.id] = ci.rule;
      auto& ch = children[ci.id];
      for (const auto& p : ci.probes) {
        st[p.id] = paint_probe(p, sc.results, w0, w1);
        if (p.weight > 0) ch.push_back({p.id, p.weight});
      }
    }
    for (const auto& s : sc.cat.services) {
      rules[s.id] = s.rule;
      auto& ch = children[s.id];
      for (const auto& c : s.children) {
        bool without = false;
        for (const auto& ci : sc.cat.cis)
          if (ci.id == c.id && ci.probes.empty()) without = true;
        if (c.weight > 0 && !without) ch.push_back({c.id, c.weight});
      }
    }
    auto eval = [&](const std::string& id) {
      std::vector<Status> v(n);
      for (std::size_t i = 0; i < n; ++i) {
        std::vector<std::pair<Status, int>> cs;
        for (auto& [c, w] : children[id]) cs.push_back({st[c][i], w});
        v[i] = naive_rule(rules[id], cs);
      }
      st[id] = v;
    };
    for (const auto& ci : sc.cat.cis) eval(ci.id);
    eval("T");
    eval("S");
  }

  std::size_t idx(TimeMs t) const { return static_cast<std::size_t>((t - w0) / kSec); }

  bool own_window(const std::string& id, TimeMs t) const {
    for (const auto& m : sc.cat.maintenance) {
      if (std::find(m.targets.begin(), m.targets.end(), id) == m.targets.end()) continue;
      if (m.every ? in_hours_utc(*m.every, t) : (t >= *m.from && t < *m.to)) return true;
    }
    return false;
  }

  bool planned(const std::string& id, TimeMs t, BadSet bad) const {
    if (own_window(id, t)) return true;
    if (!children.count(id) || children.at(id).empty()) return false;
    if (!is_bad(st.at(id)[idx(t)], bad)) return false;
    for (auto& [c, w] : children.at(id)) {
      if (!is_bad(st.at(c)[idx(t)], bad)) continue;
      if (st.count(c) && cis.count(c) == 0 && children.count(c) == 0) return false;  // a probe: never planned
      if (!planned(c, t, bad)) return false;
    }
    return true;
  }

  void causes(const std::string& id, TimeMs t, BadSet bad, bool exclude, std::set<std::string>& out) const {
    if (!children.count(id)) return;  // probe
    if (!is_bad(st.at(id)[idx(t)], bad)) return;
    if (exclude && planned(id, t, bad)) return;
    if (cis.count(id)) {
      out.insert(id);
      return;
    }
    for (auto& [c, w] : children.at(id)) causes(c, t, bad, exclude, out);
  }
};

Report brute_report(const Scenario& sc, std::optional<TimeMs> as_of) {
  const auto& sla = sc.cat.slas[0];
  const auto& terms = sla.versions[0].terms;
  const BadSet bad = bad_set(terms);
  const bool exclude = terms.planned == catalogue::PlannedPolicy::exclude;
  const TimeMs ps = kDay0, pe = kDay0 + kDayMs;
  const TimeMs cut = as_of ? std::min(*as_of, pe) : pe;
  Scenario cut_sc = sc;
  if (as_of) std::erase_if(cut_sc.results, [&](const ProbeResult& r) { return r.ts >= *as_of; });
  const TimeMs w0 = ps - 4 * 3600 * kSec, w1 = pe + 4 * 3600 * kSec;
  Brute b(cut_sc, w0, w1);
  const std::string x = sla.service;
  Report r;
  bool holiday = !terms.holidays.empty();
  struct Inst { bool counted_down; };
  std::vector<char> cdown(b.idx(w1), 0);
  std::map<std::string, double> by_cause;
  double unattributed = 0;
  std::vector<double> lat;
  for (TimeMs t = ps; t < cut; t += kSec) {
    if (holiday || !in_hours_utc(terms.hours, t)) continue;
    r.service_time_ms += kSec;
    const Status s = b.st[x][b.idx(t)];
    if (exclude && b.planned(x, t, bad)) {
      r.planned_ms += kSec;
      continue;
    }
    if (s == Status::unknown) r.unmonitored_ms += kSec;
    bool down = false;
    switch (s) {
      case Status::up: r.up_ms += kSec; break;
      case Status::degraded:
        r.degraded_ms += kSec;
        if (terms.degraded == catalogue::DegradedPolicy::down) down = true;
        else r.up_ms += kSec;
        break;
      case Status::down: down = true; break;
      case Status::unknown:
        if (terms.unknown == catalogue::UnknownPolicy::exclude) r.unknown_ms += kSec;
        else if (terms.unknown == catalogue::UnknownPolicy::up) r.up_ms += kSec;
        else down = true;
        break;
    }
    if (down) {
      r.down_ms += kSec;
      cdown[b.idx(t)] = 1;
      std::set<std::string> cs;
      b.causes(x, t, bad, exclude, cs);
      if (cs.empty()) unattributed += 1.0;
      for (const auto& c : cs) by_cause[c] += 1.0 / static_cast<double>(cs.size());
    }
  }
  // Outages: maximal stretches of non-available seconds over the window.
  for (TimeMs t = w0; t < w1;) {
    if (!is_bad(b.st[x][b.idx(t)], bad)) {
      t += kSec;
      continue;
    }
    TimeMs e = t;
    while (e < w1 && is_bad(b.st[x][b.idx(e)], bad)) e += kSec;
    OutageRecord o;
    bool any = false;
    std::set<std::string> names;
    for (TimeMs u = std::max(t, ps); u < std::min(e, cut); u += kSec) {
      if (!cdown[b.idx(u)]) continue;
      if (!any) o.start = u;
      any = true;
      o.end = u + kSec;
      o.down_ms += kSec;
      std::set<std::string> cs;
      b.causes(x, u, bad, exclude, cs);
      names.insert(cs.begin(), cs.end());
    }
    if (any) {
      o.continues_before = t < ps;
      o.continues_after = e > cut;
      o.causes.assign(names.begin(), names.end());
      r.outages.push_back(o);
    }
    t = e;
  }
  for (auto& [k, v] : by_cause) r.by_cause_s.emplace_back(k, v);
  r.unattributed_s = unattributed;
  return r;
}

void compare_with_brute_force(const Scenario& sc, std::optional<TimeMs> as_of) {
  const Report fast = report_for(sc.cat, sc.results, "sla", sc.label, as_of);
  const Report slow = brute_report(sc, as_of);
  CHECK(fast.service_time_ms == slow.service_time_ms);
  CHECK(fast.planned_ms == slow.planned_ms);
  CHECK(fast.unknown_ms == slow.unknown_ms);
  CHECK(fast.unmonitored_ms == slow.unmonitored_ms);
  CHECK(fast.up_ms == slow.up_ms);
  CHECK(fast.down_ms == slow.down_ms);
  CHECK(fast.degraded_ms == slow.degraded_ms);
  REQUIRE(fast.outages.size() == slow.outages.size());
  for (std::size_t i = 0; i < fast.outages.size(); ++i) {
    CAPTURE(i);
    CHECK(fast.outages[i].start == slow.outages[i].start);
    CHECK(fast.outages[i].end == slow.outages[i].end);
    CHECK(fast.outages[i].down_ms == slow.outages[i].down_ms);
    CHECK(fast.outages[i].continues_before == slow.outages[i].continues_before);
    CHECK(fast.outages[i].continues_after == slow.outages[i].continues_after);
    CHECK(fast.outages[i].causes == slow.outages[i].causes);
  }
  REQUIRE(fast.by_cause_s.size() == slow.by_cause_s.size());
  for (std::size_t i = 0; i < fast.by_cause_s.size(); ++i) {
    CHECK(fast.by_cause_s[i].first == slow.by_cause_s[i].first);
    CHECK(fast.by_cause_s[i].second == doctest::Approx(slow.by_cause_s[i].second).epsilon(1e-9));
  }
  CHECK(fast.unattributed_s == doctest::Approx(slow.unattributed_s).epsilon(1e-9));
  double sum = fast.unattributed_s;
  for (const auto& [k, v] : fast.by_cause_s) sum += v;
  CHECK(sum == doctest::Approx(fast.down_ms / 1000.0).epsilon(1e-9));
}

}  // namespace

TEST_CASE("brute force: every second of random days agrees with the interval algorithm") {
  for (std::uint32_t seed = 1; seed <= 24; ++seed) {
    CAPTURE(seed);
    const Scenario sc = random_scenario(seed);
    compare_with_brute_force(sc, std::nullopt);
  }
}

TEST_CASE("brute force with as_of cuts") {
  for (std::uint32_t seed = 101; seed <= 110; ++seed) {
    CAPTURE(seed);
    const Scenario sc = random_scenario(seed);
    const TimeMs as_of = kDay0 + static_cast<TimeMs>((seed * 7919u) % 86400u) * kSec;
    compare_with_brute_force(sc, as_of);
  }
}

TEST_CASE("properties: bounds, sums and the all/any order") {
  for (std::uint32_t seed = 200; seed < 260; ++seed) {
    CAPTURE(seed);
    const Scenario sc = random_scenario(seed);
    const Report r = report_for(sc.cat, sc.results, "sla", sc.label);
    if (r.availability) {
      CHECK(*r.availability >= 0.0);
      CHECK(*r.availability <= 100.0);
    }
    if (r.coverage) {
      CHECK(*r.coverage >= 0.0);
      CHECK(*r.coverage <= 100.0);
    }
    CHECK(r.up_ms + r.down_ms + r.planned_ms + r.unknown_ms == r.service_time_ms);
    CHECK(r.error_budget_remaining_s == doctest::Approx(r.error_budget_s - r.down_ms / 1000.0));

    // all <= any over the same children, pointwise, in the order down < unknown < degraded < up.
    catalogue::Catalogue cat = sc.cat;
    auto children = cat.services[1].children;
    cat.services.push_back(make_service("ALL", children, rule_all()));
    cat.services.push_back(make_service("ANY", children, rule_any()));
    const auto data = build_all(cat, sc.results);
    Graph g(cat, {});
    NodeTimelines nodes(g, data);
    const auto& all = nodes.status(g.find("ALL"));
    const auto& any = nodes.status(g.find("ANY"));
    std::vector<TimeMs> ts{kMinTime};
    for (auto& p : all) ts.push_back(p.t);
    for (auto& p : any) ts.push_back(p.t);
    for (TimeMs t : ts) CHECK(static_cast<int>(status_at(all, t)) <= static_cast<int>(status_at(any, t)));
  }
}

TEST_CASE("properties: windows on descendants never lower availability; no window raises down_s") {
  const char* nodes_list[] = {"c1", "c2", "c3", "c4", "T", "S"};
  for (std::uint32_t seed = 300; seed < 340; ++seed) {
    CAPTURE(seed);
    Scenario sc = random_scenario(seed);
    auto& terms = sc.cat.slas[0].versions[0].terms;
    terms.planned = catalogue::PlannedPolicy::exclude;
    const Report before = report_for(sc.cat, sc.results, "sla", sc.label);
    std::mt19937 rng(seed);
    const std::string target = nodes_list[rng() % 6];
    const TimeMs a = kDay0 + static_cast<TimeMs>(rng() % 80000) * kSec;
    const auto extra = std::vector<catalogue::Maintenance>{
        one_off("extra", {target}, a, a + (1 + static_cast<TimeMs>(rng() % 30000)) * kSec)};
    const Report after = report_for(sc.cat, sc.results, "sla", sc.label, std::nullopt, extra);
    CHECK(after.down_ms <= before.down_ms);
    // Descendant of X (not X itself): availability never lower (compared exactly).
    Graph g(sc.cat, {});
    bool descendant = false;
    std::function<void(int)> walk = [&](int i) {
      for (const auto& c : g.node(i).children) {
        if (g.node(c.node).id == target) descendant = true;
        walk(c.node);
      }
    };
    walk(g.find(sc.cat.slas[0].service));
    if (descendant && target != sc.cat.slas[0].service && before.availability && after.availability) {
      const __int128 lhs = static_cast<__int128>(after.up_ms) * (before.up_ms + before.down_ms);
      const __int128 rhs = static_cast<__int128>(before.up_ms) * (after.up_ms + after.down_ms);
      CHECK(lhs >= rhs);
    }
  }
}

TEST_CASE("properties: any arrival order gives the same report as a full recomputation") {
  for (std::uint32_t seed = 400; seed < 412; ++seed) {
    CAPTURE(seed);
    const Scenario sc = random_scenario(seed);
    const Report full = report_for(sc.cat, sc.results, "sla", sc.label);
    std::mt19937 rng(seed);
    for (int round = 0; round < 3; ++round) {
      auto shuffled = sc.results;
      if (round == 0) std::shuffle(shuffled.begin(), shuffled.end(), rng);
      if (round == 1) std::reverse(shuffled.begin(), shuffled.end());
      if (round == 2) {
        // Mostly in order, with a back-filled hour arriving last, plus resends.
        std::stable_partition(shuffled.begin(), shuffled.end(), [](const ProbeResult& r) {
          return r.ts < kDay0 + 10 * 3600 * kSec || r.ts >= kDay0 + 11 * 3600 * kSec;
        });
        for (std::size_t i = 0; i < shuffled.size(); i += 17) shuffled.push_back(shuffled[i]);
      }
      CAPTURE(round);
      EngineState state(sc.cat);
      // Interleave reports with arrivals so that replays from checkpoints are exercised.
      for (std::size_t i = 0; i < shuffled.size(); ++i) {
        state.add_result(shuffled[i]);
        if (i % 997 == 0) (void)state.report("sla", sc.label, std::nullopt);
      }
      const auto inc = state.report("sla", sc.label, std::nullopt);
      REQUIRE(inc.report);
      CHECK(*inc.report == full);
      // The streaming ingest of the CLI (with its second pass) too.
      ResultIngest ingest(sc.cat, std::nullopt);
      for (const auto& r : shuffled) ingest.add(r);
      for (const auto& r : shuffled) ingest.add_second_pass(r);
      const ProbeDataMap data = ingest.finish();
      Graph g(sc.cat, {});
      NodeTimelines nodes(g, data);
      const auto p = sla_period(sc.cat.slas[0], sc.label);
      const auto o = compute_report(nodes, data, sc.cat.slas[0], *p.period, std::nullopt);
      REQUIRE(o.report);
      CHECK(*o.report == full);
      // With a cut as well.
      const TimeMs as_of = kDay0 + 15 * 3600 * kSec + 123;
      const auto cut_inc = state.report("sla", sc.label, as_of);
      REQUIRE(cut_inc.report);
      CHECK(*cut_inc.report == report_for(sc.cat, sc.results, "sla", sc.label, as_of));
    }
  }
}

}  // namespace slamon::engine::test
