// slamon-collector serving agents: the pid file, the store and its thread, the TLS listener, the
// signals (SIGHUP reloads the catalogue off the io thread; SIGINT/SIGTERM and --duration shut down
// within a bound), all on one io thread. main.cpp parses the command line and calls run_collector.
#pragma once

#include <spdlog/common.h>

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "collector/http_server.h"
#include "collector/link_server.h"
#include "common/collector_config.h"
#include "common/time.h"

namespace slamon::collector {

// What the daemon tells its service manager (main.cpp: systemd's notify socket, common/systemd/notify.h);
// each hook may be empty. The watchdog is pinged from the io loop every watchdog_interval / 2.
struct DaemonNotifier {
  std::function<void(const std::string& status)> ready;      // listening; also after a reload
  std::function<void(const std::string& status)> reloading;  // SIGHUP: re-reading the catalogue
  std::function<void(const std::string& status)> stopping;   // shutting down
  std::function<void()> watchdog;                             // the io loop is alive
  std::optional<std::chrono::microseconds> watchdog_interval;
};

struct DaemonOptions {
  CollectorConfig config;               // flags already applied
  LinkOptions link;                     // deadlines and limits (listen, tls and skew come from config)
  HttpOptions http;                     // limits of the HTTP listener (listen and tls come from config.http)
  std::optional<DurationMs> duration_ms;  // ends by itself after this long
  DurationMs debug_ingest_delay_ms = 0;   // tests: IngestOptions::commit_delay_ms
  DaemonNotifier notifier;
  spdlog::sink_ptr log_sink;              // where every logger writes (main.cpp: stderr); default stderr
};

// Serves until a signal or the duration; returns the exit code (0; 1 when it cannot start).
int run_collector(const DaemonOptions& options);

// `slamon-collector reload`: sends SIGHUP to the collector holding STATE_DIR/collector.pid; returns
// the exit code (1 with a message when none runs).
int signal_reload(const CollectorConfig& config);

// Where the pid file of a collector with this configuration lives.
std::string pid_file_path(const CollectorConfig& config);

}  // namespace slamon::collector
