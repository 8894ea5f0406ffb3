// The scheduler (see scheduler.h).
#include "agent/scheduler.h"

#include <algorithm>
#include <string_view>
#include <unordered_map>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include "probes/codec/evaluate.h"

namespace slamon::agent {

namespace asio = boost::asio;

namespace {
constexpr DurationMs kLagReportEveryMs = 60'000;
constexpr DurationMs kClockStepBackMs = 1'000;  // a smaller step back is absorbed by the grid

}  // namespace

Scheduler::Scheduler(asio::any_io_executor executor, TimeSource& time, const Runners& runners, ResultSink& sink,
                     std::shared_ptr<spdlog::logger> log, std::string agent, SchedulerOptions options)
    : executor_(executor),
      time_(time),
      runners_(runners),
      sink_(sink),
      log_(std::move(log)),
      agent_(std::move(agent)),
      options_(options),
      admission_(options.max_in_flight),
      wake_(time.make_timer(executor)),
      sweep_(time.make_timer(executor)),
      flush_timer_(time.make_timer(executor)) {}

Scheduler::~Scheduler() {
  // The runs' coroutines end later on the loop (if it runs on): each keeps its own InFlight and probes
  // and checks `alive` before touching the scheduler. The timers' waits complete as cancelled.
  *alive_ = false;
  for (auto& r : runs_) r->signal.emit(asio::cancellation_type::terminal);
}

void Scheduler::start(std::vector<catalogue::Probe> probes) {
  const TimeMs now = time_.now_ms();
  probes_ = std::make_shared<const Probes>(std::move(probes));
  const Probes& all = *probes_;
  busy_.assign(all.size(), false);
  for (std::size_t i = 0; i < all.size(); ++i)
    plan_.add(i, phase_offset_ms(all[i].id, all[i].interval_ms), all[i].interval_ms, now);
  if (log_) log_->info("{}: scheduling {} probes", agent_, all.size());
  started_ = true;
  planning_ = true;
  asio::co_spawn(executor_, plan_loop(), asio::detached);
  asio::co_spawn(executor_, cut_off_loop(), asio::detached);
}

void Scheduler::update(std::vector<catalogue::Probe> probes) {
  if (!started_) {
    start(std::move(probes));
    return;
  }
  if (stopping_) return;
  const TimeMs now = time_.now_ms();
  const Probes& old = *probes_;
  std::unordered_map<std::string_view, std::size_t> old_slot;
  old_slot.reserve(old.size());
  for (std::size_t i = 0; i < old.size(); ++i) old_slot.emplace(old[i].id, i);
  // Old slot -> new slot for each probe whose whole definition is unchanged.
  std::vector<std::size_t> moved(old.size(), kRemoved);
  std::vector<bool> busy(probes.size(), false);
  std::size_t kept = 0;
  for (std::size_t i = 0; i < probes.size(); ++i) {
    const auto it = old_slot.find(probes[i].id);
    if (it == old_slot.end() || !(old[it->second] == probes[i])) continue;
    moved[it->second] = i;
    busy[i] = busy_[it->second];
    ++kept;
  }
  for (auto& r : runs_) r->slot = r->slot < moved.size() ? moved[r->slot] : kRemoved;
  admission_.remap([&](std::size_t slot) { return slot < moved.size() ? moved[slot] : kRemoved; }, kRemoved);
  const std::size_t added = probes.size() - kept;
  const std::size_t removed = old.size() - kept;
  // Runs in flight keep their own reference to the old probes until they end.
  probes_ = std::make_shared<const Probes>(std::move(probes));
  busy_ = std::move(busy);
  // The grid of an unchanged probe depends on its id and interval only: planned again from now, its
  // next start is the one it had.
  plan_ = PlanQueue{};
  const Probes& all = *probes_;
  for (std::size_t i = 0; i < all.size(); ++i)
    plan_.add(i, phase_offset_ms(all[i].id, all[i].interval_ms), all[i].interval_ms, now);
  if (log_) log_->info("{}: scheduling {} probes ({} unchanged, {} new or changed, {} removed)", agent_, all.size(), kept, added, removed);
  if (planning_) {
    wake_->cancel();  // the plan loop looks at the new plan now
  } else {
    planning_ = true;
    asio::co_spawn(executor_, plan_loop(), asio::detached);
  }
}

void Scheduler::stop() {
  if (stopping_) return;
  stopping_ = true;
  wake_->cancel();
  sweep_->cancel();
  flush_timer_->cancel();
  for (auto& r : runs_) r->signal.emit(asio::cancellation_type::terminal);
  sink_.flush();
  if (log_) log_->info("{}: scheduler stopping, {} runs cancelled", agent_, runs_.size());
}

bool Scheduler::idle() const { return runs_.empty(); }

SchedulerStats Scheduler::stats() const {
  SchedulerStats s = counters_;
  for (std::size_t i = 0; i < 4; ++i) {
    s.in_flight[i] = admission_.in_flight(static_cast<catalogue::ProbeType>(i));
    s.waiting[i] = admission_.waiting(static_cast<catalogue::ProbeType>(i));
  }
  s.lag = lag_.summary();
  return s;
}

asio::awaitable<void> Scheduler::plan_loop() {
  const auto alive = alive_;
  TimeMs next_report = time_.now_ms() + kLagReportEveryMs;
  TimeMs last_now = time_.now_ms();
  while (*alive && !stopping_) {
    const TimeMs now = time_.now_ms();
    if (now < last_now - kClockStepBackMs) {
      if (log_) log_->warn("{}: the wall clock stepped back {} ms; planning again from now", agent_, last_now - now);
      plan_.replan(now);
      next_report = now + kLagReportEveryMs;
    }
    last_now = now;
    for (const auto& due : plan_.pop_due(now)) dispatch(due);
    if (now >= next_report) {  // (without a logger too: the wait below is until next_report at most)
      next_report = now + kLagReportEveryMs;
      const auto lag = lag_.summary();
      if (log_)
        log_->info("{}: {} runs, lag p50 {} ms, p99 {} ms, max {} ms, missed {}", agent_, counters_.started,
                   lag.p50_ms, lag.p99_ms, lag.max_ms, counters_.missed);
    }
    const auto next = plan_.next_due();
    if (!next) {
      planning_ = false;
      co_return;
    }
    const DurationMs wait_ms = std::min(*next, next_report) - time_.now_ms();
    co_await wake_->wait_until(steady_after_ns(time_, std::max<DurationMs>(0, wait_ms)));
  }
}

void Scheduler::dispatch(const PlanQueue::Due& due) {
  counters_.missed += static_cast<std::uint64_t>(due.missed);
  if (busy_[due.slot]) {  // still waiting or running from its previous start
    ++counters_.missed;
    return;
  }
  busy_[due.slot] = true;
  if (admission_.offer((*probes_)[due.slot].type, {due.slot, due.planned_ms})) launch(due.slot, due.planned_ms);
}

asio::awaitable<void> Scheduler::cut_off_loop() {
  const auto alive = alive_;
  const DurationMs period_ms = std::clamp<DurationMs>(options_.grace_ms / 2, 10, 500);
  while (*alive && !stopping_) {
    co_await sweep_->wait_until(steady_after_ns(time_, period_ms));
    if (!*alive || stopping_) co_return;
    const std::int64_t now_ns = time_.steady_ns();
    for (auto& r : runs_) {
      if (r->cut || now_ns < r->cut_off_at_ns) continue;
      r->cut = true;
      r->signal.emit(asio::cancellation_type::terminal);
    }
  }
}

void Scheduler::launch(std::size_t slot, TimeMs planned_ms) {
  auto run = std::make_shared<InFlight>();
  run->slot = slot;
  run->cut_off_at_ns = steady_after_ns(time_, (*probes_)[slot].timeout_ms + options_.grace_ms);
  runs_.push_back(run);
  const auto it = std::prev(runs_.end());
  const auto alive = alive_;
  // The completion may run after ~Scheduler: it touches the scheduler only while `alive`, and keeps
  // the run's signal (which the coroutine is bound to) until a handler posted after its own end.
  asio::co_spawn(executor_, run_one(slot, planned_ms, run),
                 asio::bind_cancellation_slot(run->signal.slot(), [this, ex = executor_, it, run, alive](std::exception_ptr) {
                   asio::post(ex, [this, it, run, alive] {
                     if (*alive) runs_.erase(it);
                   });
                 }));
}

asio::awaitable<void> Scheduler::run_one(std::size_t slot, TimeMs planned_ms, std::shared_ptr<InFlight> run) {
  const auto alive = alive_;
  const auto probes = probes_;  // the runner may still read the probe after ~Scheduler
  const catalogue::Probe& probe = (*probes)[slot];
  const TimeMs started = time_.now_ms();
  lag_.record(started - planned_ms);
  ++counters_.started;
  std::optional<ProbeResult> result;
  std::string failure;
  try {
    probes::Runner* runner = runners_.find(probe.type);
    if (!runner) {
      result = probes::agent_side(probe, started, probes::ProbeError::no_runner,
                          "no runner for " + std::string(catalogue::to_string(probe.type)) + " probes in this build",
                          agent_);
    } else {
      // The runner bounds the run by its timeout; the sweep (cut_off_loop) cancels it if it overruns.
      result = co_await runner->run(probe, started);
    }
  } catch (const std::exception& e) {
    // Cancelled (by stop() or the sweep), or a runner broke its promise not to throw.
    failure = std::string("internal error: ") + e.what();
  }
  if (!*alive) co_return;
  if (run->cut && !stopping_) {
    ++counters_.cut_off;
    result = probes::agent_side(probe, started, probes::ProbeError::overran, "run overran its timeout of " + format_duration(probe.timeout_ms), agent_);
  } else if (!result && !stopping_) {
    result = probes::agent_side(probe, started, probes::ProbeError::internal, failure, agent_);
  }
  if (result && !stopping_) {
    ++counters_.completed;
    if (log_) log_->debug("{}: {} {}", result->probe, to_string(result->status), result->message);
    deliver(*result);
  } else {
    ++counters_.cancelled;
  }
  if (run->slot != kRemoved) busy_[run->slot] = false;
  // Hand the freed place to the next waiting run of this type, unless it waited a whole interval.
  // (Waiting runs are slots of the current probes: update() renumbered them.)
  for (auto next = admission_.finish(probe.type); next; next = admission_.finish(probe.type)) {
    if (stopping_ || time_.now_ms() - next->planned_ms >= (*probes_)[next->slot].interval_ms) {
      ++counters_.missed;
      busy_[next->slot] = false;
      continue;
    }
    launch(next->slot, next->planned_ms);
    break;
  }
}

void Scheduler::deliver(const ProbeResult& result) {
  sink_.write(result);
  if (flush_armed_) return;
  flush_armed_ = true;
  asio::co_spawn(executor_, flush_later(), asio::detached);
}

asio::awaitable<void> Scheduler::flush_later() {
  const auto alive = alive_;
  co_await flush_timer_->wait_until(steady_after_ns(time_, options_.flush_every_ms));
  if (!*alive) co_return;
  flush_armed_ = false;
  sink_.flush();
}

}  // namespace slamon::agent
