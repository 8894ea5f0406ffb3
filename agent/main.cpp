// slamon-agent: runs this agent's probes on schedule. Until the collector link exists it reads a local
// catalogue and appends results JSONL to a file:
//   slamon-agent --catalogue C --agent NAME --results-file OUT.jsonl [--duration 90s] [--log-level info]
// SIGINT / SIGTERM (or the end of --duration) stop it gracefully: runs in flight are cancelled, the
// results written so far are flushed, all within a bounded time. SIGHUP is logged and otherwise
// ignored (the catalogue is read at start only); SIGUSR1 logs the statistics. Results that cannot be
// written (a full disk) wait in memory up to --max-unwritten bytes; the summary says how many were
// written, dropped and left unwritten, and the exit code is 1 when any was lost.
#include <CLI/CLI.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <functional>
#include <malloc.h>
#include <thread>

#include "agent/jsonl_file_sink.h"
#include "agent/runners.h"
#include "agent/scheduler.h"
#include "agent/time_source.h"
#include "common/catalogue/parser.h"

namespace asio = boost::asio;
using namespace slamon;

namespace {

constexpr auto kShutdownBound = std::chrono::seconds(5);

struct Options {
  std::string catalogue;
  std::string agent;
  std::string results_file;
  std::string duration;
  std::string log_level = "info";
  std::string state_dir;
  double icmp_rate = 10'000;
  std::size_t snmp_idle_sessions = 1024;
  std::size_t max_unwritten = agent::JsonlFileSinkOptions{}.max_unwritten_bytes;
};

std::shared_ptr<spdlog::logger> make_logger(const std::string& name, spdlog::sink_ptr sink, spdlog::level::level_enum level) {
  auto log = std::make_shared<spdlog::logger>(name, std::move(sink));
  log->set_level(level);
  return log;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"slamon-agent: runs this agent's probes on schedule and appends their results (JSONL)"};
  Options o;
  app.add_option("--catalogue", o.catalogue, "catalogue file")->required();
  app.add_option("--agent", o.agent, "this agent's name in the catalogue")->required();
  app.add_option("--results-file", o.results_file, "results JSONL file to append to")->required();
  app.add_option("--duration", o.duration, "stop after this long (90s, 10m...); default: until signalled")
      ->check(CLI::Validator(
          [](std::string& s) -> std::string {
            const auto d = parse_duration(s);
            return d && *d > 0 ? "" : "'" + s + "' is not a duration longer than zero (e.g. 90s, 10m)";
          },
          "DURATION"));
  app.add_option("--log-level", o.log_level, "trace, debug, info (default), warn, error, off")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}));
  app.add_option("--state-dir", o.state_dir, "folder for the agent's own state (net-snmp engine ids and keys)");
  app.add_option("--snmp-idle-sessions", o.snmp_idle_sessions,
                 "SNMP sessions (one socket each) kept open between runs, for the next run to the same "
                 "target (default 1024; 0: a new session per run; at most 1000000)")
      ->check(CLI::Range(std::size_t{0}, std::size_t{1'000'000}));
  app.add_option("--icmp-rate", o.icmp_rate, "ICMP echo requests per second, all probes together (0: no limit)")
      ->check(CLI::Validator(
          [](std::string& s) -> std::string {
            double v = 0;  // CLI::Range alone lets NaN through
            return CLI::detail::lexical_cast(s, v) && std::isfinite(v) && v >= 0 && v <= 1e9
                       ? ""
                       : "'" + s + "' is not a number from 0 to 1e9";
          },
          "NUMBER in 0 to 1e9"));
  app.add_option("--max-unwritten", o.max_unwritten,
                 "results kept in memory while the results file cannot be written (4MiB, 32MiB...; default "
                 "32MiB); beyond, the oldest are dropped")
      ->transform(CLI::AsSizeValue(false));
  // Exit codes 0, 1 and 2 only: --help and --version exit 0, every usage error 2 (not CLI11's own codes).
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }

  std::optional<DurationMs> duration_ms;
  if (!o.duration.empty()) {
    duration_ms = parse_duration(o.duration);
    if (!duration_ms || *duration_ms <= 0) {
      std::fprintf(stderr, "slamon-agent: bad --duration '%s' (e.g. 90s, 10m)\n", o.duration.c_str());
      return 2;
    }
  }
  const auto level = spdlog::level::from_str(o.log_level);
  auto console = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
  auto log = make_logger("agent", console, level);
  agent::RunnerLoggers loggers;
  loggers.icmp = make_logger("probe.icmp", console, level);
  loggers.tcp = make_logger("probe.tcp", console, level);
  loggers.http = make_logger("probe.http", console, level);
  loggers.snmp = make_logger("probe.snmp", console, level);

  // The whole catalogue is needed only to pick this agent's probes. It is loaded on a short-lived
  // thread, so that the loader's many allocations go to that thread's own malloc arena (glibc); this
  // agent's probes are then copied into the main arena, compact, and the catalogue is freed and its
  // arena handed back to the system. Loaded on this thread instead, the copies would be scattered
  // among the loader's freed memory and keep it resident: 10,000 probes held 26 MB of heap for 5 MB
  // in use (bench/footprint.sh).
  std::vector<catalogue::Probe> probes;
  {
    const catalogue::DiskFileSource files;
    catalogue::LoadResult loaded;
    std::thread([&] { loaded = catalogue::load_catalogue(o.catalogue, files); }).join();
    if (!loaded.catalogue) {
      for (const auto& d : loaded.errors) std::fprintf(stderr, "%s\n", format_diagnostic(d).c_str());
      return 2;
    }
    bool known = false;
    for (const auto& a : loaded.catalogue->agents) known = known || a.name == o.agent;
    if (!known) {
      std::fprintf(stderr, "slamon-agent: no agent '%s' in %s\n", o.agent.c_str(), o.catalogue.c_str());
      return 2;
    }
    std::size_t mine = 0;
    for (const auto& ci : loaded.catalogue->cis)
      for (const auto& p : ci.probes) mine += p.agent == o.agent ? 1 : 0;
    probes.reserve(mine);
    for (const auto& ci : loaded.catalogue->cis)
      for (const auto& p : ci.probes)
        if (p.agent == o.agent) probes.push_back(p);
  }
  ::malloc_trim(0);

  std::unique_ptr<agent::JsonlFileSink> sink;
  try {
    sink = std::make_unique<agent::JsonlFileSink>(o.results_file, log, o.agent,
                                                  agent::JsonlFileSinkOptions{o.max_unwritten});
  } catch (const std::system_error& e) {
    std::fprintf(stderr, "slamon-agent: %s\n", e.what());
    return 2;
  }

  asio::io_context io(1);
  agent::SystemTimeSource time;
  agent::RunnerOptions runner_options;
  runner_options.icmp.max_sends_per_s = o.icmp_rate;
  runner_options.snmp.state_dir = o.state_dir;
  runner_options.snmp.max_idle_sessions = o.snmp_idle_sessions;
  auto runners = agent::make_runners(io.get_executor(), runner_options, loggers, o.agent);
  agent::Scheduler scheduler(io.get_executor(), time, runners, *sink, log, o.agent);
  // The statistics, for SIGUSR1 and the summary at the end.
  auto log_stats = [&](const std::string& when) {
    const auto st = scheduler.stats();
    log->info("{}: {}{} runs started, {} results, {} written to {}, {} dropped, {} not written, {} cancelled, {} missed, "
              "{} cut off, lag p50 {} ms, p99 {} ms, max {} ms",
              o.agent, when, st.started, st.completed, sink->written(), o.results_file, sink->dropped(),
              sink->unwritten(), st.cancelled, st.missed, st.cut_off, st.lag.p50_ms, st.lag.p99_ms, st.lag.max_ms);
  };

  asio::signal_set signals(io, SIGINT, SIGTERM);
  // SIGHUP and SIGUSR1 would otherwise end the process without a flush.
  asio::signal_set other_signals(io, SIGHUP, SIGUSR1);
  std::function<void()> wait_other_signals = [&] {
    other_signals.async_wait([&](const boost::system::error_code& ec, int signo) {
      if (ec) return;
      if (signo == SIGHUP) {
        log->info("{}: SIGHUP: ignored, the catalogue is read at start only (restart the agent to load a new one)",
                  o.agent);
      } else {
        log_stats("SIGUSR1: ");
      }
      wait_other_signals();
    });
  };
  wait_other_signals();
  asio::steady_timer duration_timer(io);
  bool shutting_down = false;
  // Stops the scheduler, waits (bounded) for the cancelled runs to unwind, closes the runners.
  auto shutdown = [&](const std::string& why) {
    if (shutting_down) return;
    shutting_down = true;
    log->info("{}: stopping ({})", o.agent, why);
    signals.cancel();
    other_signals.cancel();  // still caught (and ignored) until the end
    duration_timer.cancel();
    scheduler.stop();
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
          const auto until = std::chrono::steady_clock::now() + kShutdownBound;
          asio::steady_timer poll(io);
          while (!scheduler.idle() && std::chrono::steady_clock::now() < until) {
            poll.expires_after(std::chrono::milliseconds(10));
            co_await poll.async_wait(asio::use_awaitable);
          }
          if (!scheduler.idle()) log->warn("{}: runs still in flight after {} s; leaving them", o.agent, kShutdownBound.count());
          if (auto* icmp = runners.icmp()) icmp->shutdown();
          io.stop();
        },
        asio::detached);
  };
  signals.async_wait([&](const boost::system::error_code& ec, int signo) {
    if (!ec) shutdown(signo == SIGINT ? "SIGINT" : "SIGTERM");
  });
  if (duration_ms) {
    duration_timer.expires_after(std::chrono::milliseconds(*duration_ms));
    duration_timer.async_wait([&](const boost::system::error_code& ec) {
      if (!ec) shutdown("--duration " + o.duration + " reached");
    });
  }

  log->info("{}: {} probes from {}, results to {}", o.agent, probes.size(), o.catalogue, o.results_file);
  scheduler.start(std::move(probes));
  io.run();
  sink->flush();
  log_stats("");
  if (auto* icmp = runners.icmp()) {
    const auto is = icmp->stats();
    loggers.icmp->info("{}: ICMP {} sent, {} replies, {} duplicates, {} late, {} from a wrong source, {} bad checksums, "
                       "{} errors, {} not ours",
                       o.agent, is.sent, is.replies, is.duplicates, is.late, is.wrong_source, is.bad_checksum, is.errors,
                       is.foreign);
  }
  if (sink->dropped() > 0 || sink->unwritten() > 0) {
    log->error("{}: {} results lost: {} dropped while {} could not be written, {} still unwritten at the end{}", o.agent,
               sink->dropped() + sink->unwritten(), sink->dropped(), o.results_file, sink->unwritten(),
               sink->last_error() ? " (" + sink->last_error().message() + ")" : std::string());
    return 1;
  }
  return 0;
}
