// sd_notify(3) for the daemons (see notify.h).
#include "common/systemd/notify.h"

#include <systemd/sd-daemon.h>
#include <time.h>

#include <cstdint>
#include <string>

namespace slamon::systemd {
namespace {

void send(const std::string& state) {
  // An error (the socket gone) cannot be helped and must not stop the daemon.
  (void)::sd_notify(0, state.c_str());
}

std::string status_line(std::string_view status) {
  return status.empty() ? std::string() : "\nSTATUS=" + std::string(status);
}

}  // namespace

void notify_ready(std::string_view status) { send("READY=1" + status_line(status)); }

void notify_reloading(std::string_view status) {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  const auto usec = static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000 + static_cast<std::uint64_t>(ts.tv_nsec) / 1'000;
  send("RELOADING=1\nMONOTONIC_USEC=" + std::to_string(usec) + status_line(status));
}

void notify_stopping(std::string_view status) { send("STOPPING=1" + status_line(status)); }

void notify_status(std::string_view status) { send("STATUS=" + std::string(status)); }

void notify_watchdog() { send("WATCHDOG=1"); }

std::optional<std::chrono::microseconds> watchdog_interval() {
  std::uint64_t usec = 0;
  if (::sd_watchdog_enabled(0, &usec) <= 0 || usec == 0) return std::nullopt;
  return std::chrono::microseconds(usec);
}

}  // namespace slamon::systemd
