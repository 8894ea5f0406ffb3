// slamon-collector serving agents: the pid file, the store and its thread, the TLS listener, the
// signals (SIGHUP reloads the catalogue off the io thread; SIGINT/SIGTERM and --duration shut down
// within a bound), all on one io thread. main.cpp parses the command line and calls run_collector.
#pragma once

#include <optional>
#include <string>

#include "collector/http_server.h"
#include "collector/link_server.h"
#include "common/collector_config.h"
#include "common/time.h"

namespace slamon::collector {

struct DaemonOptions {
  CollectorConfig config;               // flags already applied
  LinkOptions link;                     // deadlines and limits (listen, tls and skew come from config)
  HttpOptions http;                     // limits of the HTTP listener (listen and tls come from config.http)
  std::optional<DurationMs> duration_ms;  // ends by itself after this long
  DurationMs debug_ingest_delay_ms = 0;   // tests: IngestOptions::commit_delay_ms
};

// Serves until a signal or the duration; returns the exit code (0; 1 when it cannot start).
int run_collector(const DaemonOptions& options);

// `slamon-collector reload`: sends SIGHUP to the collector holding STATE_DIR/collector.pid; returns
// the exit code (1 with a message when none runs).
int signal_reload(const CollectorConfig& config);

// Where the pid file of a collector with this configuration lives.
std::string pid_file_path(const CollectorConfig& config);

}  // namespace slamon::collector
