// Real time (see time_source.h).
#include "agent/time_source.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>

namespace slamon::agent {

namespace asio = boost::asio;

namespace {

class SteadyTimer final : public Timer {
 public:
  explicit SteadyTimer(asio::any_io_executor executor) : timer_(std::move(executor)) {}
  asio::awaitable<bool> wait_until(std::int64_t at_ns) override {
    // SystemClock::steady_ns() counts std::chrono::steady_clock's nanoseconds since its epoch.
    timer_.expires_at(std::chrono::steady_clock::time_point(
        std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::nanoseconds(at_ns))));
    const auto [ec] = co_await timer_.async_wait(asio::as_tuple(asio::use_awaitable));
    co_return !ec;  // nothing of *this after the wait: it may be destroyed
  }
  void cancel() override { timer_.cancel(); }

 private:
  asio::steady_timer timer_;
};

}  // namespace

std::unique_ptr<Timer> SystemTimeSource::make_timer(asio::any_io_executor executor) {
  return std::make_unique<SteadyTimer>(std::move(executor));
}

}  // namespace slamon::agent
