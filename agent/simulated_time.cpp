// Simulated time (see simulated_time.h). A wait parks on an Asio steady_timer that never expires by
// itself (the gate); time reaching the wait's instant marks it fired and cancels the gate, which
// completes the wait through the loop like any handler. Cancelling the wait cancels the gate unfired.
#include "agent/simulated_time.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <stdexcept>

namespace slamon::agent {

namespace asio = boost::asio;

struct SimulatedTimeSource::Gate {
  explicit Gate(asio::any_io_executor ex) : timer(std::move(ex)) {}
  asio::steady_timer timer;
  std::uint64_t generation = 0;  // of the wait in progress; an entry of another generation is stale
  bool waiting = false;
  bool fired = false;
};

class SimulatedTimer final : public Timer {
 public:
  SimulatedTimer(SimulatedTimeSource& source, asio::any_io_executor ex)
      : source_(source), gate_(std::make_shared<SimulatedTimeSource::Gate>(std::move(ex))) {}
  ~SimulatedTimer() override { cancel(); }

  asio::awaitable<bool> wait_until(std::int64_t at_ns) override {
    const auto gate = gate_;  // the wait keeps its gate; nothing of *this after the co_await
    const std::uint64_t generation = ++gate->generation;
    gate->waiting = true;
    gate->fired = false;
    source_.enqueue(at_ns, gate, generation);
    gate->timer.expires_at(asio::steady_timer::time_point::max());
    co_await gate->timer.async_wait(asio::as_tuple(asio::use_awaitable));
    const bool fired = gate->fired && gate->generation == generation;
    if (gate->generation == generation) {
      ++gate->generation;  // its queue entry, if still there, is stale now
      gate->waiting = false;
    }
    co_return fired;
  }

  void cancel() override {
    if (!gate_->waiting || gate_->fired) return;  // nothing in progress, or already due
    ++gate_->generation;
    gate_->waiting = false;
    gate_->timer.cancel();
  }

 private:
  SimulatedTimeSource& source_;
  std::shared_ptr<SimulatedTimeSource::Gate> gate_;
};

TimeMs SimulatedTimeSource::now_ms() const { return wall_start_ms_ + wall_step_ms_ + steady_ns_ / 1'000'000; }

std::unique_ptr<Timer> SimulatedTimeSource::make_timer(asio::any_io_executor executor) {
  return std::make_unique<SimulatedTimer>(*this, std::move(executor));
}

void SimulatedTimeSource::enqueue(std::int64_t due_ns, const std::shared_ptr<Gate>& gate, std::uint64_t generation) {
  queue_.push({std::max(due_ns, steady_ns_), seq_++, gate, generation});
}

bool SimulatedTimeSource::live(const Entry& e) const {
  const auto gate = e.gate.lock();
  return gate && gate->generation == e.generation && gate->waiting && !gate->fired;
}

void SimulatedTimeSource::drop_stale() {
  while (!queue_.empty() && !live(queue_.top())) queue_.pop();
}

std::size_t SimulatedTimeSource::pending() const {
  auto copy = queue_;
  std::size_t n = 0;
  for (; !copy.empty(); copy.pop()) n += live(copy.top()) ? 1 : 0;
  return n;
}

void SimulatedTimeSource::run_for(asio::io_context& io, DurationMs d_ms, std::uint64_t max_handlers) {
  const std::int64_t end_ns = steady_ns_ + d_ms * 1'000'000;
  std::uint64_t handlers = 0;
  for (;;) {
    // Everything ready at this instant, including what those handlers make ready.
    for (;;) {
      io.restart();
      const auto n = io.poll();
      if (n == 0) break;
      handlers += n;
      if (handlers > max_handlers) throw std::runtime_error("simulated time: the loop never went idle");
    }
    drop_stale();
    if (queue_.empty() || queue_.top().due_ns > end_ns) break;
    // The loop is idle: jump to the next due instant and fire every wait due then, in arming order.
    steady_ns_ = std::max(steady_ns_, queue_.top().due_ns);
    while (!queue_.empty() && queue_.top().due_ns <= steady_ns_) {
      const Entry e = queue_.top();
      queue_.pop();
      if (!live(e)) continue;
      const auto gate = e.gate.lock();
      gate->fired = true;
      gate->timer.cancel();
    }
  }
  steady_ns_ = end_ns;
}

}  // namespace slamon::agent
