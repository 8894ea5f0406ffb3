// The scheduler: runs every probe of the agent on its grid (agent/schedule_plan.h), at most N runs
// of each type at once (agent/admission.h), each bounded by its timeout, and hands each result to
// the sink. Scheduling lag is measured and exposed. One coroutine for the plan, one per run, and one
// that cuts off runs overrunning their timeout (a periodic sweep, rather than a timer and two more
// coroutines raced against every run); all on one executor (a strand when the loop has several
// threads). Time (wall clock, monotonic clock, timers) comes from a TimeSource (agent/time_source.h).
// The loop may outlive the scheduler: what a run still needs after ~Scheduler (its cancellation
// signal, its probe) is shared with it, and nothing else is touched once the scheduler is gone.
#pragma once

#include <array>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <chrono>
#include <list>
#include <memory>
#include <spdlog/fwd.h>
#include <string>
#include <vector>

#include "agent/admission.h"
#include "agent/lag_stats.h"
#include "agent/result_sink.h"
#include "agent/runners.h"
#include "agent/schedule_plan.h"
#include "agent/time_source.h"
#include "common/catalogue/model.h"
#include "common/time.h"

namespace slamon::agent {

struct SchedulerOptions {
  // Runs in flight per type, indexed by ProbeType (http, icmp, snmp, tcp).
  std::array<int, 4> max_in_flight{500, 20'000, 200, 2'000};
  // A run still going this long after its timeout is cut off (unknown), within grace / 2 more.
  DurationMs grace_ms = 1'000;
  // Results are handed to the sink at once and the sink flushed this often (a write per result was
  // a few percent of the agent's CPU with 10,000 probes); stop() flushes what is left.
  DurationMs flush_every_ms = 500;
};

struct SchedulerStats {
  std::uint64_t started = 0;
  std::uint64_t completed = 0;  // runs whose result went to the sink
  std::uint64_t cancelled = 0;  // runs cut short by stop(): no result
  std::uint64_t missed = 0;    // planned starts that passed unrun (loop late, run overran, queue full)
  std::uint64_t cut_off = 0;   // runs that overran timeout + grace
  std::array<int, 4> in_flight{};
  std::array<std::size_t, 4> waiting{};
  LagSummary lag;
};

class Scheduler {
 public:
  // `time` and `runners` must outlive the runs on the loop; `sink` and `log` the scheduler.
  Scheduler(boost::asio::any_io_executor executor, TimeSource& time, const Runners& runners, ResultSink& sink,
            std::shared_ptr<spdlog::logger> log, std::string agent, SchedulerOptions options = {});
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Starts planning `probes` (kept by the scheduler) from now.
  void start(std::vector<catalogue::Probe> probes);
  // Replaces the probes while running (a new assignment): a probe whose whole definition is unchanged
  // keeps its grid and its run in flight; a removed one is planned no more (a run in flight may end
  // and its result is delivered); a new or changed one is planned from now. Before start(): start().
  void update(std::vector<catalogue::Probe> probes);
  // Probes planned now.
  std::size_t probe_count() const { return probes_->size(); }
  // Stops planning and cancels the runs in flight (their results are dropped); flushes the sink.
  // The destructor cancels them too; their coroutines may then end on the loop after it.
  void stop();
  // No run in flight (after stop(): the shutdown is complete).
  bool idle() const;
  SchedulerStats stats() const;

 private:
  // A run in flight: how to cancel it, and when it has overrun. Shared by runs_ and the run's
  // coroutine and completion, so that its signal lives as long as the coroutine bound to it.
  struct InFlight {
    boost::asio::cancellation_signal signal;
    std::int64_t cut_off_at_ns = 0;  // on the time source's monotonic clock
    bool cut = false;                // cancelled by the sweep because it overran
    std::size_t slot = 0;            // the probe's slot now (update() renumbers; kRemoved: no more)
  };
  static constexpr std::size_t kRemoved = static_cast<std::size_t>(-1);
  using Probes = std::vector<catalogue::Probe>;
  boost::asio::awaitable<void> plan_loop();
  boost::asio::awaitable<void> cut_off_loop();
  void dispatch(const PlanQueue::Due& due);
  void launch(std::size_t slot, TimeMs planned_ms);
  boost::asio::awaitable<void> run_one(std::size_t slot, TimeMs planned_ms, std::shared_ptr<InFlight> run);
  void deliver(const ProbeResult& result);
  boost::asio::awaitable<void> flush_later();

  boost::asio::any_io_executor executor_;
  TimeSource& time_;
  const Runners& runners_;
  ResultSink& sink_;
  std::shared_ptr<spdlog::logger> log_;
  std::string agent_;
  SchedulerOptions options_;
  // The probes, kept as start() received them (no copy: 10,000 probes are megabytes), indexed by slot;
  // shared with the runs (a run's probe outlives the scheduler until the run ends).
  std::shared_ptr<const Probes> probes_ = std::make_shared<const Probes>();
  std::vector<bool> busy_;  // per slot: waiting for admission or running
  PlanQueue plan_;
  Admission admission_;
  LagStats lag_;
  SchedulerStats counters_;
  std::unique_ptr<Timer> wake_;
  std::unique_ptr<Timer> sweep_;
  std::list<std::shared_ptr<InFlight>> runs_;
  bool stopping_ = false;
  bool started_ = false;
  bool planning_ = false;  // plan_loop() is running (it ends when there is nothing to plan)
  std::unique_ptr<Timer> flush_timer_;
  bool flush_armed_ = false;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace slamon::agent
