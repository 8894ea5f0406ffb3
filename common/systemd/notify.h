// The daemons' notifications to systemd (sd_notify(3) through libsystemd): READY, RELOADING, STOPPING,
// STATUS and the watchdog's WATCHDOG=1. Each call is a no-op without NOTIFY_SOCKET (not started by
// systemd, or Type= is not notify). The daemons ping the watchdog from their event loop, at half of
// watchdog_interval(), so that a stuck loop stops pinging and systemd restarts it (docs/operations.md).
// A library of its own (slamon_systemd): only the daemons link libsystemd.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace slamon::systemd {

// READY=1 with STATUS=status: started (listening, probing).
void notify_ready(std::string_view status);
// RELOADING=1 (with MONOTONIC_USEC) and STATUS=status: a reload began; notify_ready ends it.
void notify_reloading(std::string_view status);
// STOPPING=1 with STATUS=status: shutting down.
void notify_stopping(std::string_view status);
// STATUS=status alone.
void notify_status(std::string_view status);
// WATCHDOG=1: the event loop is alive.
void notify_watchdog();

// How often the watchdog must be pinged at the latest (WATCHDOG_USEC, when WATCHDOG_PID is unset or
// this process), or nullopt when systemd watches nothing.
std::optional<std::chrono::microseconds> watchdog_interval();

}  // namespace slamon::systemd
