// Tests for the scheduler: phases and the plan queue over simulated days (pure, fake time),
// admission control, lag statistics, and the Scheduler on a real loop with fake runners.
#include "agent/scheduler.h"

#include <doctest/doctest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <map>
#include <random>
#include <set>

#include "agent/admission.h"
#include "agent/lag_stats.h"
#include "agent/schedule_plan.h"

using namespace slamon;
using namespace slamon::agent;

TEST_CASE("stable hash and phase: fixed values, inside the interval, spread out") {
  // FNV-1a test vectors: the phase of a probe must not change between builds or machines.
  CHECK(stable_hash("") == 0xcbf29ce484222325ULL);
  CHECK(stable_hash("a") == 0xaf63dc4c8601ec8cULL);
  CHECK(stable_hash("foobar") == 0x85944171f73967e8ULL);
  CHECK(phase_offset_ms("web-01.http", 60'000) == static_cast<DurationMs>(stable_hash("web-01.http") % 60'000));
  CHECK(phase_offset_ms("x", 0) == 0);
  // 10,000 probes at 60 s: no second of the minute gets more than a few times its share.
  std::map<DurationMs, int> per_second;
  for (int i = 0; i < 10'000; ++i) {
    const auto ph = phase_offset_ms("probe-" + std::to_string(i), 60'000);
    REQUIRE(ph >= 0);
    REQUIRE(ph < 60'000);
    ++per_second[ph / 1000];
  }
  CHECK(per_second.size() == 60);
  for (const auto& [second, n] : per_second) CHECK(n < 3 * 10'000 / 60);
}

TEST_CASE("next_planned_ms: on the grid phase + k x interval, at or after t") {
  CHECK(next_planned_ms(7'000, 60'000, 0) == 7'000);
  CHECK(next_planned_ms(7'000, 60'000, 7'000) == 7'000);
  CHECK(next_planned_ms(7'000, 60'000, 7'001) == 67'000);
  CHECK(next_planned_ms(7'000, 60'000, 1'700'000'000'123) == 1'700'000'047'000);
  CHECK(next_planned_ms(7'000, 60'000, -100'000) == -53'000);
  // Restart-stable: whenever the agent starts, the same grid.
  for (TimeMs t = 1'000'000; t < 1'200'000; t += 12'345) CHECK((next_planned_ms(7'000, 60'000, t) - 7'000) % 60'000 == 0);
}

TEST_CASE("plan queue: drift-free over simulated days with a jittery, late-waking loop") {
  PlanQueue q;
  const TimeMs t0 = 1'700'000'000'000;
  const std::vector<DurationMs> intervals = {30'000, 60'000, 300'000, 7'000};
  std::vector<DurationMs> phases;
  for (std::size_t i = 0; i < intervals.size(); ++i) {
    phases.push_back(phase_offset_ms("p" + std::to_string(i), intervals[i]));
    q.add(i, phases.back(), intervals[i], t0);
  }
  std::vector<TimeMs> last(intervals.size(), 0);
  std::vector<std::int64_t> runs(intervals.size(), 0);
  std::mt19937 rng(42);
  std::uniform_int_distribution<int> jitter(0, 40);  // the loop wakes up to 40 ms late
  TimeMs now = t0;
  const TimeMs end = t0 + 3 * 86'400'000LL;  // three days
  std::int64_t missed = 0;
  while (now < end) {
    now = *q.next_due() + jitter(rng);
    for (const auto& d : q.pop_due(now)) {
      const auto i = d.slot;
      CHECK(d.planned_ms <= now);
      CHECK((d.planned_ms - phases[i]) % intervals[i] == 0);  // on the grid, never "now + interval"
      if (last[i] != 0) CHECK(d.planned_ms - last[i] == intervals[i]);  // nothing skipped, nothing doubled
      last[i] = d.planned_ms;
      ++runs[i];
      missed += d.missed;
    }
  }
  CHECK(missed == 0);
  for (std::size_t i = 0; i < intervals.size(); ++i) {
    const std::int64_t expected = (end - t0) / intervals[i];
    CHECK(std::abs(runs[i] - expected) <= 1);
  }
}

TEST_CASE("plan queue: a loop that slept through occurrences runs the latest once and counts the rest") {
  PlanQueue q;
  q.add(0, 1'000, 10'000, 0);
  REQUIRE(q.next_due() == 1'000);
  auto due = q.pop_due(35'500);  // planned 1 000, 11 000, 21 000, 31 000 all passed
  REQUIRE(due.size() == 1);
  CHECK(due[0] == PlanQueue::Due{0, 31'000, 3});
  CHECK(q.next_due() == 41'000);
  CHECK(q.pop_due(40'999).empty());
  due = q.pop_due(41'000);
  REQUIRE(due.size() == 1);
  CHECK(due[0] == PlanQueue::Due{0, 41'000, 0});
}

TEST_CASE("plan queue: replanning after the wall clock stepped back keeps the grid") {
  PlanQueue q;
  q.add(0, 1'000, 10'000, 100'000);
  REQUIRE(q.next_due() == 101'000);
  q.replan(40'500);  // an hour... or a minute back: the next start is the grid's next, not 60 s away
  CHECK(q.next_due() == 41'000);
  const auto due = q.pop_due(41'000);
  REQUIRE(due.size() == 1);
  CHECK(due[0] == PlanQueue::Due{0, 41'000, 0});
}

TEST_CASE("admission: at most N in flight per type, FIFO, other types unaffected") {
  Admission a({1, 2, 1, 1});
  using T = catalogue::ProbeType;
  CHECK(a.offer(T::icmp, {0, 100}));
  CHECK(a.offer(T::icmp, {1, 100}));
  CHECK_FALSE(a.offer(T::icmp, {2, 101}));
  CHECK_FALSE(a.offer(T::icmp, {3, 102}));
  CHECK(a.offer(T::tcp, {4, 100}));  // its own limit
  CHECK(a.in_flight(T::icmp) == 2);
  CHECK(a.waiting(T::icmp) == 2);
  auto next = a.finish(T::icmp);
  REQUIRE(next);
  CHECK(*next == Admission::Waiting{2, 101});
  CHECK(a.in_flight(T::icmp) == 2);
  const auto dropped = a.drop_older_than(T::icmp, 103);
  REQUIRE(dropped.size() == 1);
  CHECK(dropped[0].slot == 3);
  CHECK_FALSE(a.finish(T::icmp));
  CHECK(a.in_flight(T::icmp) == 1);
  // A new offer does not overtake waiting runs.
  CHECK(a.offer(T::snmp, {5, 1}));
  CHECK_FALSE(a.offer(T::snmp, {6, 1}));
  CHECK_FALSE(a.offer(T::snmp, {7, 1}));
  CHECK(a.finish(T::snmp)->slot == 6);
}

TEST_CASE("lag statistics: nearest-rank percentiles over the retained samples") {
  LagStats s(1000);
  CHECK(s.summary() == LagSummary{});
  for (int i = 1; i <= 100; ++i) s.record(i);
  auto sum = s.summary();
  CHECK(sum.count == 100);
  CHECK(sum.p50_ms == 50);
  CHECK(sum.p99_ms == 99);
  CHECK(sum.max_ms == 100);
  LagStats ring(10);
  ring.record(500);
  for (int i = 0; i < 10; ++i) ring.record(1);
  sum = ring.summary();
  CHECK(sum.max_ms == 1);  // 500 fell out of the ring
  CHECK(sum.max_ever_ms == 500);
  CHECK(sum.count == 11);
}

// ---- the Scheduler on a real loop -------------------------------------------------------------

namespace {

namespace asio = boost::asio;

// A runner that takes `busy_ms`, records its concurrency, and answers up.
class FakeRunner final : public probes::Runner {
 public:
  FakeRunner(asio::any_io_executor ex, catalogue::ProbeType t, DurationMs busy_ms) : ex_(ex), type_(t), busy_ms_(busy_ms) {}
  catalogue::ProbeType type() const override { return type_; }
  asio::awaitable<ProbeResult> run(const catalogue::Probe& probe, TimeMs started) override {
    ++running_;
    max_running_ = std::max(max_running_, running_);
    starts_[probe.id].push_back(started);
    struct Leave {
      int& n;
      ~Leave() { --n; }
    } leave{running_};
    asio::steady_timer t(ex_, std::chrono::milliseconds(busy_ms_));
    co_await t.async_wait(asio::use_awaitable);
    ProbeResult r;
    r.probe = probe.id;
    r.ts = started;
    r.status = Status::up;
    co_return r;
  }
  int max_running_ = 0;
  std::map<std::string, std::vector<TimeMs>> starts_;

 private:
  asio::any_io_executor ex_;
  catalogue::ProbeType type_;
  DurationMs busy_ms_;
  int running_ = 0;
};

class MemorySink final : public ResultSink {
 public:
  void write(const ProbeResult& r) override { pending_.push_back(r); }
  void flush() override {
    if (pending_.empty()) return;
    ++batches_;
    results_.insert(results_.end(), pending_.begin(), pending_.end());
    pending_.clear();
  }
  std::vector<ProbeResult> results_;
  std::vector<ProbeResult> pending_;
  int batches_ = 0;
};

catalogue::Probe probe(const std::string& id, catalogue::ProbeType t, DurationMs interval_ms, DurationMs timeout_ms) {
  catalogue::Probe p;
  p.id = id;
  p.type = t;
  p.interval_ms = interval_ms;
  p.timeout_ms = timeout_ms;
  if (t == catalogue::ProbeType::tcp) p.spec = catalogue::TcpSpec{};
  else p.spec = catalogue::IcmpSpec{};
  return p;
}

void run_loop(asio::io_context& io, std::chrono::milliseconds d) {
  io.restart();
  io.run_for(d);
}

}  // namespace

TEST_CASE("scheduler: every probe runs on its own grid and results reach the sink in batches") {
  asio::io_context io;
  SystemClock clock;
  Runners runners;
  auto fake = std::make_unique<FakeRunner>(io.get_executor(), catalogue::ProbeType::tcp, 5);
  auto* f = fake.get();
  runners.set(catalogue::ProbeType::tcp, std::move(fake));
  MemorySink sink;
  Scheduler s(io.get_executor(), clock, runners, sink, nullptr, "a");
  std::vector<catalogue::Probe> probes;
  for (int i = 0; i < 20; ++i) probes.push_back(probe("p" + std::to_string(i), catalogue::ProbeType::tcp, 200, 100));
  s.start(probes);
  run_loop(io, std::chrono::milliseconds(1100));
  s.stop();
  run_loop(io, std::chrono::milliseconds(50));
  CHECK(s.idle());
  for (const auto& p : probes) {
    const auto& starts = f->starts_[p.id];
    CHECK(starts.size() >= 4);
    CHECK(starts.size() <= 6);
    const DurationMs phase = phase_offset_ms(p.id, 200);
    for (const auto t : starts) {
      // Started at (or just after) a planned time on the grid, never drifting away from it.
      const DurationMs into_interval = ((t - phase) % 200 + 200) % 200;
      CHECK(into_interval < 100);
    }
  }
  CHECK(sink.results_.size() == s.stats().completed);
  CHECK(sink.batches_ >= 1);
  CHECK(static_cast<std::size_t>(sink.batches_) <= sink.results_.size());
  const auto st = s.stats();
  CHECK(st.started >= 80);
  CHECK(st.lag.count == st.started);
  CHECK(st.lag.p50_ms <= st.lag.p99_ms);
  CHECK(st.lag.p99_ms <= st.lag.max_ms);
}

TEST_CASE("scheduler: admission control keeps at most N runs of a type in flight") {
  asio::io_context io;
  SystemClock clock;
  Runners runners;
  auto fake = std::make_unique<FakeRunner>(io.get_executor(), catalogue::ProbeType::icmp, 600);
  auto* f = fake.get();
  runners.set(catalogue::ProbeType::icmp, std::move(fake));
  MemorySink sink;
  SchedulerOptions o;
  o.max_in_flight = {1, 3, 1, 1};
  Scheduler s(io.get_executor(), clock, runners, sink, nullptr, "a", o);
  std::vector<catalogue::Probe> probes;
  // 12 probes of 600 ms each per second cannot all run on 3 places: the rest wait, then are missed.
  for (int i = 0; i < 12; ++i) probes.push_back(probe("q" + std::to_string(i), catalogue::ProbeType::icmp, 1000, 900));
  s.start(probes);
  run_loop(io, std::chrono::milliseconds(1500));
  CHECK(f->max_running_ == 3);
  const auto st = s.stats();
  CHECK(st.in_flight[1] <= 3);
  CHECK(st.missed + st.waiting[1] > 0);
  CHECK(f->starts_.size() >= 3);
  s.stop();
  run_loop(io, std::chrono::milliseconds(50));
  CHECK(s.idle());
  CHECK(s.stats().cancelled >= 1);
}

TEST_CASE("scheduler: a probe type without a runner and a runner that overruns give unknown") {
  asio::io_context io;
  SystemClock clock;
  Runners runners;
  runners.set(catalogue::ProbeType::icmp, std::make_unique<FakeRunner>(io.get_executor(), catalogue::ProbeType::icmp, 10'000));
  MemorySink sink;
  SchedulerOptions o;
  o.grace_ms = 50;
  Scheduler s(io.get_executor(), clock, runners, sink, nullptr, "agent-x", o);
  s.start({probe("slow", catalogue::ProbeType::icmp, 1000, 100), probe("nohttp", catalogue::ProbeType::http, 1000, 100)});
  run_loop(io, std::chrono::milliseconds(1300));
  s.stop();
  run_loop(io, std::chrono::milliseconds(50));
  std::map<std::string, ProbeResult> by_probe;
  for (const auto& r : sink.results_) by_probe[r.probe] = r;
  REQUIRE(by_probe.count("slow"));
  CHECK(by_probe["slow"].status == Status::unknown);
  CHECK(by_probe["slow"].message == "run overran its timeout of 100ms");
  CHECK(by_probe["slow"].agent == "agent-x");
  REQUIRE(by_probe.count("nohttp"));
  CHECK(by_probe["nohttp"].status == Status::unknown);
  CHECK(by_probe["nohttp"].message == "no runner for http probes in this build");
  CHECK(s.stats().cut_off >= 1);
}
