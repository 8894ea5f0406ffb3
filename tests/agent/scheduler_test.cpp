// Tests for the scheduler: phases and the plan queue over simulated days (pure, fake time),
// admission control, lag statistics, and the Scheduler on simulated time (agent/simulated_time.h)
// with fake runners that take a simulated while: every planned and actual start, cut-off and flush
// is asserted at its exact instant.
#include "agent/scheduler.h"

#include <doctest/doctest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/system/system_error.hpp>
#include <map>
#include <random>
#include <set>

#include "agent/admission.h"
#include "agent/lag_stats.h"
#include "agent/schedule_plan.h"
#include "agent/simulated_time.h"
#include "agent/time_source.h"

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
    phases.push_back(phase_offset_ms(std::string("p").append(std::to_string(i)), intervals[i]));
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

// ---- the Scheduler on simulated time -----------------------------------------------------------

namespace {

namespace asio = boost::asio;

// A wall-clock start on a whole minute, so that every grid below starts at a known instant.
constexpr TimeMs kT0 = 1'699'999'980'000;
static_assert(kT0 % 60'000 == 0);

// A runner that takes `busy_ms` of the time source's time, records its starts and concurrency, and
// answers up; cancelled, it throws as real runners' awaits do.
class FakeRunner final : public probes::Runner {
 public:
  FakeRunner(TimeSource& time, asio::any_io_executor ex, catalogue::ProbeType t, DurationMs busy_ms)
      : time_(time), ex_(ex), type_(t), busy_ms_(busy_ms) {}
  catalogue::ProbeType type() const override { return type_; }
  asio::awaitable<ProbeResult> run(const catalogue::Probe& probe, TimeMs started) override {
    ++running_;
    max_running_ = std::max(max_running_, running_);
    starts_[probe.id].push_back(started);
    struct Leave {
      int& n;
      ~Leave() { --n; }
    } leave{running_};
    const auto timer = time_.make_timer(ex_);
    if (!co_await timer->wait_until(steady_after_ns(time_, busy_ms_)))
      throw boost::system::system_error(asio::error::operation_aborted);
    ProbeResult r;
    r.probe = probe.id;
    r.ts = started;
    r.status = Status::up;
    co_return r;
  }
  int max_running_ = 0;
  std::map<std::string, std::vector<TimeMs>> starts_;

 private:
  TimeSource& time_;
  asio::any_io_executor ex_;
  catalogue::ProbeType type_;
  DurationMs busy_ms_;
  int running_ = 0;
};

// Keeps what was flushed, when each result was written, and how long each batch waited.
class MemorySink final : public ResultSink {
 public:
  explicit MemorySink(const Clock& clock) : clock_(clock) {}
  void write(const ProbeResult& r) override {
    if (pending_.empty()) batch_started_ms_ = clock_.now_ms();
    pending_.push_back(r);
    written_at_ms_[r.probe].push_back(clock_.now_ms());
  }
  void flush() override {
    if (pending_.empty()) return;
    batch_waits_ms_.push_back(clock_.now_ms() - batch_started_ms_);
    results_.insert(results_.end(), pending_.begin(), pending_.end());
    pending_.clear();
  }
  std::vector<ProbeResult> results_;
  std::vector<ProbeResult> pending_;
  std::vector<DurationMs> batch_waits_ms_;
  std::map<std::string, std::vector<TimeMs>> written_at_ms_;

 private:
  const Clock& clock_;
  TimeMs batch_started_ms_ = 0;
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

// A probe id whose phase in `interval_ms` is `phase_ms` (searched among "<prefix>-N").
std::string id_with_phase(const std::string& prefix, DurationMs phase_ms, DurationMs interval_ms) {
  for (int n = 0; n < 1'000'000; ++n) {
    auto id = prefix + "-" + std::to_string(n);
    if (phase_offset_ms(id, interval_ms) == phase_ms) return id;
  }
  FAIL("no id with phase " << phase_ms);
  return {};
}

// Every planned start of a probe in [from, to].
std::vector<TimeMs> grid(const std::string& id, DurationMs interval_ms, TimeMs from, TimeMs to) {
  std::vector<TimeMs> out;
  for (TimeMs t = next_planned_ms(phase_offset_ms(id, interval_ms), interval_ms, from); t <= to; t += interval_ms)
    out.push_back(t);
  return out;
}

}  // namespace

TEST_CASE("simulated time: timers complete at their exact instants, in order; cancelled or destroyed ones report false") {
  asio::io_context io;
  SimulatedTimeSource time(kT0);
  std::vector<std::pair<std::string, TimeMs>> done;
  auto wait = [&](Timer& t, DurationMs after_ms, std::string name) -> asio::awaitable<void> {
    const bool reached = co_await t.wait_until(steady_after_ns(time, after_ms));
    done.emplace_back(name + (reached ? "" : " cancelled"), time.now_ms());
  };
  auto a = time.make_timer(io.get_executor());
  auto b = time.make_timer(io.get_executor());
  auto c = time.make_timer(io.get_executor());
  auto d = time.make_timer(io.get_executor());
  asio::co_spawn(io, wait(*a, 300, "a"), asio::detached);
  asio::co_spawn(io, wait(*b, 100, "b"), asio::detached);
  asio::co_spawn(io, wait(*c, 200, "c"), asio::detached);
  asio::co_spawn(io, wait(*d, 250, "d"), asio::detached);
  time.run_for(io, 150);
  CHECK(time.now_ms() == kT0 + 150);
  CHECK(time.pending() == 3);
  c->cancel();
  d.reset();
  time.run_for(io, 10'000);
  CHECK(time.now_ms() == kT0 + 10'150);
  CHECK(time.pending() == 0);
  CHECK(done == std::vector<std::pair<std::string, TimeMs>>{
                    {"b", kT0 + 100}, {"c cancelled", kT0 + 150}, {"d cancelled", kT0 + 150}, {"a", kT0 + 300}});
  time.step_wall(-5'000);
  CHECK(time.now_ms() == kT0 + 5'150);
  CHECK(time.steady_ns() == 10'150'000'000);
}

TEST_CASE("scheduler: every probe starts exactly at its planned instants; each batch is flushed exactly flush_every_ms after its first result") {
  asio::io_context io;
  SimulatedTimeSource time(kT0);
  Runners runners;
  auto fake = std::make_unique<FakeRunner>(time, io.get_executor(), catalogue::ProbeType::tcp, 5);
  auto* f = fake.get();
  runners.set(catalogue::ProbeType::tcp, std::move(fake));
  MemorySink sink(time);
  Scheduler s(io.get_executor(), time, runners, sink, nullptr, "a");
  std::vector<catalogue::Probe> probes;
  for (int i = 0; i < 20; ++i) probes.push_back(probe(std::string("p").append(std::to_string(i)), catalogue::ProbeType::tcp, 200, 100));
  s.start(probes);
  time.run_for(io, 1100);
  s.stop();
  time.run_for(io, 0);
  CHECK(s.idle());
  std::size_t runs = 0;
  for (const auto& p : probes) {
    const auto planned = grid(p.id, 200, kT0, kT0 + 1100);
    CHECK(f->starts_[p.id] == planned);  // on the grid, at the instant, none skipped, none doubled
    std::vector<TimeMs> done;
    for (const auto t : planned)
      if (t + 5 <= kT0 + 1100) done.push_back(t + 5);
    CHECK(sink.written_at_ms_[p.id] == done);  // each result handed over as its run ends
    runs += planned.size();
  }
  const auto st = s.stats();
  CHECK(st.started == runs);
  CHECK(st.lag.count == runs);
  CHECK(st.lag.max_ever_ms == 0);
  CHECK(st.missed == 0);
  CHECK(sink.results_.size() == st.completed);
  REQUIRE(sink.batch_waits_ms_.size() >= 2);
  for (std::size_t i = 0; i + 1 < sink.batch_waits_ms_.size(); ++i) CHECK(sink.batch_waits_ms_[i] == 500);
  CHECK(sink.batch_waits_ms_.back() <= 500);  // the last one, flushed by stop()
}

TEST_CASE("scheduler: a simulated day of 10 probes at 60 s: 1,440 runs each, all on the grid, lag 0") {
  asio::io_context io;
  SimulatedTimeSource time(kT0);
  Runners runners;
  auto fake = std::make_unique<FakeRunner>(time, io.get_executor(), catalogue::ProbeType::tcp, 20);
  auto* f = fake.get();
  runners.set(catalogue::ProbeType::tcp, std::move(fake));
  MemorySink sink(time);
  Scheduler s(io.get_executor(), time, runners, sink, nullptr, "a");
  std::vector<catalogue::Probe> probes;
  for (int i = 0; i < 10; ++i) probes.push_back(probe(std::string("d").append(std::to_string(i)), catalogue::ProbeType::tcp, 60'000, 5'000));
  s.start(probes);
  time.run_for(io, 86'400'000 - 1);
  for (const auto& p : probes) CHECK(f->starts_[p.id] == grid(p.id, 60'000, kT0, kT0 + 86'400'000 - 1));
  CHECK(f->starts_["d0"].size() == 1'440);
  CHECK(s.stats().lag.max_ever_ms == 0);
  CHECK(s.stats().missed == 0);
  s.stop();
  time.run_for(io, 0);
  CHECK(s.idle());
}

TEST_CASE("scheduler: after the wall clock steps back a minute, every probe runs again on its grid from the new now") {
  asio::io_context io;
  SimulatedTimeSource time(kT0);
  Runners runners;
  auto fake = std::make_unique<FakeRunner>(time, io.get_executor(), catalogue::ProbeType::tcp, 5);
  auto* f = fake.get();
  runners.set(catalogue::ProbeType::tcp, std::move(fake));
  MemorySink sink(time);
  Scheduler s(io.get_executor(), time, runners, sink, nullptr, "a");
  std::vector<catalogue::Probe> probes;
  for (int i = 0; i < 5; ++i) probes.push_back(probe(std::string("w").append(std::to_string(i)), catalogue::ProbeType::tcp, 200, 100));
  s.start(probes);
  time.run_for(io, 1000);
  // The plan loop sleeps until the next planned start after kT0 + 1000 (on the monotonic clock); it
  // wakes there, sees the wall clock 60 s back, and plans every probe again from that instant.
  TimeMs wake = kT0 + 2000;
  for (const auto& p : probes) wake = std::min(wake, grid(p.id, 200, kT0 + 1001, kT0 + 2000).front());
  for (const auto& p : probes) f->starts_[p.id].clear();
  time.step_wall(-60'000);
  time.run_for(io, 1000);
  for (const auto& p : probes) CHECK(f->starts_[p.id] == grid(p.id, 200, wake - 60'000, kT0 + 2000 - 60'000));
  CHECK(s.stats().lag.max_ever_ms == 0);
  s.stop();
  time.run_for(io, 0);
}

TEST_CASE("scheduler: admission keeps 3 runs in flight; the 4th and 5th start exactly when places free up") {
  asio::io_context io;
  SimulatedTimeSource time(kT0);
  Runners runners;
  auto fake = std::make_unique<FakeRunner>(time, io.get_executor(), catalogue::ProbeType::icmp, 600);
  auto* f = fake.get();
  runners.set(catalogue::ProbeType::icmp, std::move(fake));
  MemorySink sink(time);
  SchedulerOptions o;
  o.max_in_flight = {1, 3, 1, 1};
  Scheduler s(io.get_executor(), time, runners, sink, nullptr, "a", o);
  std::vector<std::string> ids;
  std::vector<catalogue::Probe> probes;
  for (int i = 1; i <= 5; ++i) {
    ids.push_back(id_with_phase("q", i * 100, 1000));
    probes.push_back(probe(ids.back(), catalogue::ProbeType::icmp, 1000, 900));
  }
  s.start(probes);
  time.run_for(io, 999);
  CHECK(f->max_running_ == 3);
  CHECK(f->starts_[ids[0]] == std::vector<TimeMs>{kT0 + 100});
  CHECK(f->starts_[ids[1]] == std::vector<TimeMs>{kT0 + 200});
  CHECK(f->starts_[ids[2]] == std::vector<TimeMs>{kT0 + 300});
  CHECK(f->starts_[ids[3]] == std::vector<TimeMs>{kT0 + 700});  // planned 400, the 1st ended at 700
  CHECK(f->starts_[ids[4]] == std::vector<TimeMs>{kT0 + 800});  // planned 500, the 2nd ended at 800
  const auto st = s.stats();
  CHECK(st.lag.max_ever_ms == 300);
  CHECK(st.lag.p50_ms == 0);
  CHECK(st.missed == 0);
  s.stop();
  time.run_for(io, 0);
  CHECK(s.idle());
  CHECK(s.stats().cancelled == 2);  // the 4th and 5th were running
}

TEST_CASE("scheduler: a run that waited a whole interval for a place is missed, not started late") {
  asio::io_context io;
  SimulatedTimeSource time(kT0);
  Runners runners;
  auto fake = std::make_unique<FakeRunner>(time, io.get_executor(), catalogue::ProbeType::icmp, 1500);
  auto* f = fake.get();
  runners.set(catalogue::ProbeType::icmp, std::move(fake));
  MemorySink sink(time);
  SchedulerOptions o;
  o.max_in_flight = {1, 1, 1, 1};
  o.grace_ms = 1000;
  Scheduler s(io.get_executor(), time, runners, sink, nullptr, "a", o);
  const auto a = id_with_phase("m", 100, 1000);
  const auto b = id_with_phase("m", 200, 1000);
  s.start({probe(a, catalogue::ProbeType::icmp, 1000, 900), probe(b, catalogue::ProbeType::icmp, 1000, 900)});
  // a runs 100-1600 (overrunning its timeout by less than the grace); b waits from 200; at 1100 and
  // 1200 a and b are still busy (2 missed); at 1600 b has waited 1,400 ms > its interval (missed).
  time.run_for(io, 2150);
  CHECK(f->starts_[a] == std::vector<TimeMs>{kT0 + 100, kT0 + 2100});
  CHECK(f->starts_[b].empty());
  CHECK(s.stats().missed == 3);
  s.stop();
  time.run_for(io, 0);
  CHECK(s.idle());
}

TEST_CASE("scheduler: a run overrunning timeout + grace is cut off at the sweep's exact instant; a type without a runner gives unknown") {
  asio::io_context io;
  SimulatedTimeSource time(kT0);
  Runners runners;
  runners.set(catalogue::ProbeType::icmp, std::make_unique<FakeRunner>(time, io.get_executor(), catalogue::ProbeType::icmp, 10'000));
  MemorySink sink(time);
  SchedulerOptions o;
  o.grace_ms = 50;  // the sweep runs every 25 ms from the start
  Scheduler s(io.get_executor(), time, runners, sink, nullptr, "agent-x", o);
  s.start({probe("slow", catalogue::ProbeType::icmp, 1000, 100), probe("nohttp", catalogue::ProbeType::http, 1000, 100)});
  time.run_for(io, 1300);
  s.stop();
  time.run_for(io, 0);
  std::map<std::string, ProbeResult> by_probe;
  for (const auto& r : sink.results_) by_probe.emplace(r.probe, r);  // the first result of each
  const DurationMs slow_phase = phase_offset_ms("slow", 1000);
  REQUIRE(by_probe.count("slow"));
  CHECK(by_probe["slow"].status == Status::unknown);
  CHECK(by_probe["slow"].message == "run overran its timeout of 100ms");
  CHECK(by_probe["slow"].agent == "agent-x");
  CHECK(by_probe["slow"].ts == kT0 + slow_phase);
  // Overran at phase + 150 ms; cut by the first sweep at or after that (every 25 ms from the start).
  REQUIRE(!sink.written_at_ms_["slow"].empty());
  CHECK(sink.written_at_ms_["slow"][0] == kT0 + (slow_phase + 150 + 24) / 25 * 25);
  REQUIRE(by_probe.count("nohttp"));
  CHECK(by_probe["nohttp"].status == Status::unknown);
  CHECK(by_probe["nohttp"].message == "no runner for http probes in this build");
  CHECK(sink.written_at_ms_["nohttp"][0] == kT0 + phase_offset_ms("nohttp", 1000));
  CHECK(s.stats().cut_off >= 1);
}

TEST_CASE("scheduler: destroyed with runs in flight while the loop lives on, no run touches freed state") {
  // The loop outlives the scheduler (real time here, as in the agent): its runs resume after
  // ~Scheduler and must touch nothing it freed (the cancellation signals, the probes). Under ASan
  // this was a heap-use-after-free in the runs' cancellation state.
  asio::io_context io;
  SystemTimeSource time;
  Runners runners;
  auto fake = std::make_unique<FakeRunner>(time, io.get_executor(), catalogue::ProbeType::tcp, 10'000);
  auto* f = fake.get();
  runners.set(catalogue::ProbeType::tcp, std::move(fake));
  MemorySink sink(time);
  {
    Scheduler s(io.get_executor(), time, runners, sink, nullptr, "a");
    std::vector<catalogue::Probe> probes;
    for (int i = 0; i < 10; ++i) probes.push_back(probe(std::string("u").append(std::to_string(i)), catalogue::ProbeType::tcp, 100, 5'000));
    s.start(probes);
    io.run_for(std::chrono::milliseconds(150));
    REQUIRE_FALSE(s.idle());
  }
  io.restart();
  io.run_for(std::chrono::milliseconds(100));
  CHECK(f->starts_.size() == 10);
  CHECK(sink.results_.empty());
  CHECK(sink.pending_.empty());
}

TEST_CASE("scheduler: update keeps unchanged probes on their grid, plans new ones from now, stops removed ones but delivers their run in flight") {
  asio::io_context io;
  SimulatedTimeSource time(kT0);
  Runners runners;
  auto fake = std::make_unique<FakeRunner>(time, io.get_executor(), catalogue::ProbeType::tcp, 300);
  auto* f = fake.get();
  runners.set(catalogue::ProbeType::tcp, std::move(fake));
  MemorySink sink(time);
  Scheduler s(io.get_executor(), time, runners, sink, nullptr, "a");
  const auto a = id_with_phase("keep", 100, 1000);
  const auto b = id_with_phase("change", 200, 1000);
  const auto d = id_with_phase("gone", 400, 1000);
  s.start({probe(a, catalogue::ProbeType::tcp, 1000, 900), probe(b, catalogue::ProbeType::tcp, 1000, 900),
           probe(d, catalogue::ProbeType::tcp, 1000, 900)});
  time.run_for(io, 2500);  // d started at kT0 + 2400 and runs until 2700
  REQUIRE(f->starts_[d] == std::vector<TimeMs>{kT0 + 400, kT0 + 1400, kT0 + 2400});
  const auto c = id_with_phase("new", 600, 1000);
  auto changed = probe(b, catalogue::ProbeType::tcp, 1000, 800);  // another timeout: a changed definition
  s.update({probe(c, catalogue::ProbeType::tcp, 1000, 900), changed, probe(a, catalogue::ProbeType::tcp, 1000, 900)});
  CHECK(s.probe_count() == 3);
  time.run_for(io, 2000);  // until kT0 + 4500
  CHECK(f->starts_[a] == grid(a, 1000, kT0, kT0 + 4500));  // nothing skipped, nothing doubled
  CHECK(f->starts_[d] == std::vector<TimeMs>{kT0 + 400, kT0 + 1400, kT0 + 2400});  // no more starts
  CHECK(sink.written_at_ms_[d].back() == kT0 + 2700);  // its run in flight was delivered
  CHECK(f->starts_[c] == grid(c, 1000, kT0 + 2500, kT0 + 4500));
  CHECK(f->starts_[c].front() == kT0 + 2600);
  CHECK(f->starts_[b] == grid(b, 1000, kT0, kT0 + 4500));  // same id and interval: the same grid
  CHECK(s.stats().missed == 0);
  // An empty update plans nothing; a later one starts planning again.
  s.update({});
  time.run_for(io, 2000);
  CHECK(f->starts_[a].back() < kT0 + 4600);
  s.update({probe(a, catalogue::ProbeType::tcp, 1000, 900)});
  time.run_for(io, 1000);
  CHECK(f->starts_[a].back() == kT0 + 7100);
  s.stop();
  time.run_for(io, 0);
  CHECK(s.idle());
}

TEST_CASE("scheduler: update before start starts; a run waiting for admission of a removed probe never starts") {
  asio::io_context io;
  SimulatedTimeSource time(kT0);
  Runners runners;
  auto fake = std::make_unique<FakeRunner>(time, io.get_executor(), catalogue::ProbeType::icmp, 500);
  auto* f = fake.get();
  runners.set(catalogue::ProbeType::icmp, std::move(fake));
  MemorySink sink(time);
  SchedulerOptions o;
  o.max_in_flight = {1, 1, 1, 1};
  Scheduler s(io.get_executor(), time, runners, sink, nullptr, "a", o);
  const auto p1 = id_with_phase("x", 100, 1000);
  const auto p2 = id_with_phase("y", 200, 1000);
  s.update({probe(p1, catalogue::ProbeType::icmp, 1000, 900), probe(p2, catalogue::ProbeType::icmp, 1000, 900)});
  time.run_for(io, 300);  // p1 runs 100..600; p2 waits since 200
  CHECK(s.stats().waiting[1] == 1);
  s.update({probe(p1, catalogue::ProbeType::icmp, 1000, 900)});
  CHECK(s.stats().waiting[1] == 0);
  time.run_for(io, 1000);
  CHECK(f->starts_[p2].empty());
  CHECK(f->starts_[p1] == std::vector<TimeMs>{kT0 + 100, kT0 + 1100});
  s.stop();
  time.run_for(io, 0);
}
