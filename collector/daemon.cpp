// slamon-collector serving agents (see daemon.h).
#include "collector/daemon.h"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <thread>

#include "collector/ingest.h"
#include "collector/pid_file.h"
#include "collector/served_catalogue.h"
#include "collector/store/sqlite/sqlite_store.h"

namespace slamon::collector {
namespace {

namespace asio = boost::asio;

std::shared_ptr<spdlog::logger> make_logger(const std::string& name, spdlog::sink_ptr sink, spdlog::level::level_enum level) {
  auto log = std::make_shared<spdlog::logger>(name, std::move(sink));
  log->set_level(level);
  return log;
}

// Thousands of agents hold a descriptor each: the soft limit goes up to the hard one.
void raise_fd_limit(spdlog::logger& log) {
  rlimit r{};
  if (::getrlimit(RLIMIT_NOFILE, &r) != 0) return;
  if (r.rlim_cur < r.rlim_max) {
    const auto was = r.rlim_cur;
    r.rlim_cur = r.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &r) == 0)
      log.debug("open files limit raised from {} to {}", was, r.rlim_cur);
    else
      log.warn("open files limit stays at {} (cannot raise it to {}): at most about that many agents", was, r.rlim_max);
  }
}

}  // namespace

std::string pid_file_path(const CollectorConfig& config) {
  return (std::filesystem::path(config.state_dir) / "collector.pid").string();
}

int signal_reload(const CollectorConfig& config) {
  const auto path = pid_file_path(config);
  const auto pid = running_pid(path);
  if (!pid) {
    std::fprintf(stderr, "slamon-collector reload: no collector running (no live holder of %s)\n", path.c_str());
    return 1;
  }
  if (::kill(*pid, SIGHUP) != 0) {
    std::fprintf(stderr, "slamon-collector reload: cannot signal pid %d: %s\n", static_cast<int>(*pid),
                 std::strerror(errno));
    return 1;
  }
  std::printf("slamon-collector reload: SIGHUP sent to pid %d; the collector logs the outcome\n", static_cast<int>(*pid));
  return 0;
}

int run_collector(const DaemonOptions& options) {
  const auto& config = options.config;
  const auto level = spdlog::level::from_str(config.log_level);
  auto sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
  auto log = make_logger("collector", sink, level);
  auto ingest_log = make_logger("ingest", sink, level);
  raise_fd_limit(*log);
  // A peer gone or a closed stderr pipe is an error to handle, not a reason to die.
  std::signal(SIGPIPE, SIG_IGN);

  std::error_code ec;
  std::filesystem::create_directories(config.state_dir, ec);
  if (ec) {
    log->error("cannot create state_dir {}: {}; not starting", config.state_dir, ec.message());
    return 1;
  }
  std::string error;
  auto pid_file = PidFile::acquire(pid_file_path(config), error);
  if (!pid_file) {
    log->error("{}; not starting", error);
    return 1;
  }

  // The catalogue is loaded on a helper thread (as on reload): its many allocations stay in that
  // thread's malloc arena.
  ServedLoad loaded;
  std::thread([&] { loaded = load_served_catalogue(config.catalogue); }).join();
  if (!loaded.served) {
    for (const auto& e : loaded.errors) std::fprintf(stderr, "%s\n", e.c_str());
    log->error("{}: {} error(s) in the catalogue; refusing to start", config.catalogue, loaded.errors.size());
    return 1;
  }

  std::unique_ptr<store::Store> store;
  try {
    store = std::make_unique<store::sqlite::SqliteStore>(config.store.target);
    store->disconnect_all();
  } catch (const store::StoreFailure& e) {
    log->error("cannot open the store {}: {}; not starting", config.store.target, e.what());
    return 1;
  }

  asio::io_context io(1);
  SystemClock clock;
  IngestOptions ingest_options;
  ingest_options.retention_ms = config.retention_ms;
  ingest_options.commit_delay_ms = options.debug_ingest_delay_ms;
  if (options.debug_ingest_delay_ms > 0)
    log->warn("--debug-ingest-delay {}: every batch is committed alone, {} after the previous one (a test setting)",
              format_duration(options.debug_ingest_delay_ms), format_duration(options.debug_ingest_delay_ms));
  Ingest ingest(*store, clock, [&io](std::function<void()> f) { asio::post(io, std::move(f)); }, ingest_options,
                ingest_log);

  LinkOptions link = options.link;
  link.listen_host = config.listen_host;
  link.listen_port = config.listen_port;
  link.tls = config.tls;
  link.clock_skew_limit_ms = config.clock_skew_limit_ms;
  std::unique_ptr<LinkServer> server;
  std::string bound;
  try {
    server = std::make_unique<LinkServer>(io, ingest, clock, link, loaded.served, log);
  } catch (const std::exception& e) {
    log->error("{}; not starting", e.what());
    return 2;
  }
  try {
    bound = server->listen();
  } catch (const std::exception& e) {
    log->error("cannot listen on {}:{}: {}; not starting", config.listen_host, config.listen_port, e.what());
    return 1;
  }
  ingest.set_on_room([&] { server->on_room(); });
  ingest.start();

  // Reload: the catalogue is read and checked on a helper thread; the result is applied on the io thread.
  std::thread reloader;
  bool reloading = false, reload_again = false, stopping = false;
  std::function<void()> start_reload = [&] {
    if (reloading) {
      reload_again = true;
      return;
    }
    reloading = true;
    if (reloader.joinable()) reloader.join();
    log->info("reloading the catalogue {}", config.catalogue);
    reloader = std::thread([&] {
      auto result = std::make_shared<ServedLoad>(load_served_catalogue(config.catalogue));
      asio::post(io, [&, result] {
        reloading = false;
        if (stopping) return;
        if (!result->served) {
          for (const auto& e : result->errors) log->error("{}", e);
          log->error("{}: {} error(s) in the new catalogue; keeping the running catalogue", config.catalogue,
                     result->errors.size());
        } else {
          log->info("catalogue reloaded: {} agents, {} probes", result->served->agents.size(), result->served->probes);
          server->set_catalogue(result->served);
        }
        if (reload_again) {
          reload_again = false;
          start_reload();
        }
      });
    });
  };

  asio::signal_set stop_signals(io, SIGINT, SIGTERM);
  asio::signal_set hup(io, SIGHUP);
  asio::steady_timer duration_timer(io);
  auto shutdown = [&](const std::string& why) {
    if (stopping) return;
    stopping = true;
    log->info("stopping ({}): {} session(s) open, {} batch(es) queued for the store", why, server->sessions(),
              ingest.queued());
    stop_signals.cancel();
    hup.cancel();
    duration_timer.cancel();
    server->shutdown([&] { io.stop(); });
  };
  stop_signals.async_wait([&](const boost::system::error_code& e, int signo) {
    if (!e) shutdown(signo == SIGINT ? "SIGINT" : "SIGTERM");
  });
  std::function<void()> wait_hup = [&] {
    hup.async_wait([&](const boost::system::error_code& e, int) {
      if (e) return;
      start_reload();
      wait_hup();
    });
  };
  wait_hup();
  if (options.duration_ms) {
    duration_timer.expires_after(std::chrono::milliseconds(*options.duration_ms));
    duration_timer.async_wait([&](const boost::system::error_code& e) {
      if (!e) shutdown("--duration " + format_duration(*options.duration_ms) + " reached");
    });
  }

  log->info("listening on {} (TLS{}); catalogue {}: {} agents, {} probes; store {}; pid file {}", bound,
            config.tls.client_ca_file ? ", client certificates required" : "", config.catalogue,
            loaded.served->agents.size(), loaded.served->probes, config.store.target, pid_file_path(config));
  io.run();
  if (reloader.joinable()) reloader.join();
  ingest.stop();  // commits what it still holds (unacknowledged: the agents send it again), writes the records
  try {
    store->disconnect_all();
  } catch (const store::StoreFailure& e) {
    log->error("cannot record the agents as disconnected: {}", e.what());
  }
  log->info("stopped");
  return 0;
}

}  // namespace slamon::collector
