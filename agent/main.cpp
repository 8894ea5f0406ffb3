// slamon-agent: runs this agent's probes on schedule and sends their results to the collector.
//   slamon-agent --config agent.yaml [--duration 90s] [--log-level info]
// The collector assigns the probes (cached in state_dir, so that the agent probes at once after a
// restart, also while the collector is away); results go through the spool (spool_dir) to the
// collector, and optionally to a results log. To try a catalogue without a collector (local mode):
//   slamon-agent --catalogue C --agent NAME --results-file OUT.jsonl [--duration 90s] [--log-level info]
// SIGINT / SIGTERM (or the end of --duration) stop it gracefully: runs in flight are cancelled, the
// results so far are committed (spool) or written (local mode), the collector link is closed, all
// within a bounded time. SIGHUP reads agent.yaml again (its log levels apply; other changes at the next
// start); SIGUSR1 logs the statistics. Results
// that cannot be written (a full disk) wait in memory up to --max-unwritten bytes; the summary says
// how many were written, dropped and left unwritten, and the exit code is 1 when any was lost.
// Under systemd (Type=notify, NOTIFY_SOCKET set): READY=1 once the scheduler runs, STOPPING=1 at a stop,
// WATCHDOG=1 from the event loop every WatchdogSec/2 (docs/operations.md).
// Exit codes: 0 done, 1 results lost, 2 usage or configuration error.
#include <CLI/CLI.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <algorithm>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <malloc.h>
#include <thread>

#include "agent/assignment_cache.h"
#include "agent/assignments.h"
#include "agent/jsonl_file_sink.h"
#include "agent/runners.h"
#include "agent/scheduler.h"
#include "agent/spool.h"
#include "agent/spool_sink.h"
#include "agent/uplink.h"
#include "agent/time_source.h"
#include "common/agent_config.h"
#include "common/catalogue/parser.h"
#include "common/systemd/journal_log.h"
#include "common/systemd/notify.h"
#include "common/systemd/rate_limited_sink.h"

namespace asio = boost::asio;
using namespace slamon;

namespace {

constexpr auto kShutdownBound = std::chrono::seconds(5);

struct Options {
  std::string config;
  std::string catalogue;
  std::string agent;
  std::string results_file;
  std::string duration;
  std::string drain_timeout;
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

// The probes of `o.agent` in the local catalogue `o.catalogue` (local mode), or nullopt after printing
// why not. The whole catalogue is needed only to pick this agent's probes. It is loaded on a
// short-lived thread, so that the loader's many allocations go to that thread's own malloc arena
// (glibc); this agent's probes are then copied into the main arena, compact, and the catalogue is freed
// and its arena handed back to the system. Loaded on this thread instead, the copies would be
// scattered among the loader's freed memory and keep it resident: 10,000 probes held 26 MB of heap
// for 5 MB in use (bench/footprint.sh).
std::optional<std::vector<catalogue::Probe>> local_probes(const Options& o) {
  std::vector<catalogue::Probe> probes;
  {
    const catalogue::DiskFileSource files;
    catalogue::LoadResult loaded;
    std::thread([&] { loaded = catalogue::load_catalogue(o.catalogue, files); }).join();
    if (!loaded.catalogue) {
      for (const auto& d : loaded.errors) std::fprintf(stderr, "%s\n", format_diagnostic(d).c_str());
      return std::nullopt;
    }
    bool known = false;
    for (const auto& a : loaded.catalogue->agents) known = known || a.name == o.agent;
    if (!known) {
      std::fprintf(stderr, "slamon-agent: no agent '%s' in %s\n", o.agent.c_str(), o.catalogue.c_str());
      return std::nullopt;
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
  return probes;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"slamon-agent: runs the probes the collector assigns to this agent, on schedule, and sends their "
               "results to the collector (through a local spool, so that nothing is lost while it is away)"};
  app.footer(
      "Modes:\n"
      "  slamon-agent --config agent.yaml [--duration D] [--log-level L]\n"
      "      the agent: docs/agent-config.md describes agent.yaml, the spool, the cached assignment, the logs\n"
      "  slamon-agent --catalogue C --agent NAME --results-file OUT.jsonl [--duration D] [--log-level L]\n"
      "      local mode, for trying a catalogue without a collector: NAME's probes, results appended to OUT.jsonl\n"
      "Exit codes: 0 stopped cleanly, 1 results lost (could not be written), 2 usage or configuration error.");
  Options o;
  app.add_option("--config", o.config, "agent.yaml: the collector, this agent's name, token, TLS files, spool and state folders");
  app.add_option("--catalogue", o.catalogue, "local mode: catalogue file");
  app.add_option("--agent", o.agent, "local mode: this agent's name in the catalogue");
  app.add_option("--results-file", o.results_file, "local mode: results JSONL file to append to");
  app.add_option("--drain-timeout", o.drain_timeout,
                 "agent mode: at a stop (SIGINT, SIGTERM, --duration), stop probing and keep sending the spool's "
                 "backlog to the collector for up to this long (30s, 2m...) before exiting; default 0: exit at once, "
                 "the backlog waits in the spool for the next start");
  app.add_option("--duration", o.duration, "stop after this long (90s, 10m...); default: until signalled")
      ->check(CLI::Validator(
          [](std::string& s) -> std::string {
            const auto d = parse_duration(s);
            return d && *d > 0 ? "" : "'" + s + "' is not a duration longer than zero (e.g. 90s, 10m)";
          },
          "DURATION"));
  app.add_option("--log-level", o.log_level,
                 "trace, debug, info, warn, error, off (default: agent.yaml's log_level, else info)")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}));
  app.add_option("--state-dir", o.state_dir, "local mode: folder for the agent's own state (net-snmp engine ids and keys); "
                                             "with --config, agent.yaml's state_dir");
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
                 "results kept in memory while the spool (or, in local mode, the results file) cannot be written "
                 "(4MiB, 32MiB...; default 32MiB); beyond, the oldest are dropped")
      ->transform(CLI::AsSizeValue(false));
  // Exit codes 0, 1 and 2 only: --help and --version exit 0, every usage error 2 (not CLI11's own codes).
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  const bool local = app.count("--catalogue") + app.count("--agent") + app.count("--results-file") > 0;
  if (!o.config.empty() && local) {
    std::fprintf(stderr, "slamon-agent: --config and the local mode (--catalogue, --agent, --results-file) exclude "
                         "each other; the local mode is for trying a catalogue without a collector (see --help)\n");
    return 2;
  }
  if (o.config.empty() && !local) {
    std::fprintf(stderr, "slamon-agent: --config agent.yaml is required (or, to try a catalogue without a collector, "
                         "--catalogue, --agent and --results-file; see --help)\n");
    return 2;
  }
  for (const auto& [name, value] : {std::pair<const char*, const std::string*>{"--catalogue", &o.catalogue},
                                     {"--agent", &o.agent}, {"--results-file", &o.results_file}}) {
    if (local && value->empty()) {
      std::fprintf(stderr, "slamon-agent: %s is required in the local mode (--catalogue, --agent and --results-file "
                           "together; or --config agent.yaml, see --help)\n", name);
      return 2;
    }
  }
  if (!o.config.empty() && app.count("--state-dir") > 0) {
    std::fprintf(stderr, "slamon-agent: with --config the state folder is agent.yaml's state_dir, not --state-dir\n");
    return 2;
  }

  std::optional<DurationMs> duration_ms;
  if (!o.duration.empty()) {
    duration_ms = parse_duration(o.duration);
    if (!duration_ms || *duration_ms <= 0) {
      std::fprintf(stderr, "slamon-agent: bad --duration '%s' (e.g. 90s, 10m)\n", o.duration.c_str());
      return 2;
    }
  }

  DurationMs drain_ms = 0;
  if (!o.drain_timeout.empty()) {
    const auto d = parse_duration(o.drain_timeout);
    if (!d || *d < 0 || o.config.empty()) {
      std::fprintf(stderr, "slamon-agent: %s\n",
                   o.config.empty() ? "--drain-timeout needs --config (the local mode has no collector)"
                                    : ("bad --drain-timeout '" + o.drain_timeout + "' (e.g. 30s, 2m)").c_str());
      return 2;
    }
    drain_ms = *d;
  }

  std::optional<AgentConfig> config;
  if (!o.config.empty()) {
    const catalogue::DiskFileSource files;
    auto loaded = load_agent_config(o.config, files);
    if (!loaded.config) {
      for (const auto& d : loaded.errors) std::fprintf(stderr, "%s\n", format_diagnostic(d).c_str());
      return 2;
    }
    config = std::move(loaded.config);
    o.agent = config->name;
    o.state_dir = config->state_dir;
    if (app.count("--log-level") == 0) o.log_level = config->log_level;
  }

  const auto level = spdlog::level::from_str(o.log_level);
  auto stderr_sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
  systemd::use_journal_format_if_journal(*stderr_sink);  // under systemd: `<N>` priorities, no timestamps
  // A line repeated more than 5 times in 10 s: the rest folded into one "... repeated K times" line.
  spdlog::sink_ptr console = std::make_shared<systemd::RateLimitedSink>(stderr_sink, systemd::RateLimit{});
  // agent.yaml's log_levels: a logger's own level, else the log level.
  auto logger = [&](const std::string& name) {
    auto own = level;
    if (config)
      if (const auto it = config->log_levels.find(name); it != config->log_levels.end())
        own = spdlog::level::from_str(it->second);
    return make_logger(name, console, own);
  };
  auto log = logger("agent");
  auto uplink_log = logger("uplink");
  auto spool_log = logger("spool");
  agent::RunnerLoggers loggers;
  loggers.icmp = logger("probe.icmp");
  loggers.tcp = logger("probe.tcp");
  loggers.http = logger("probe.http");
  loggers.snmp = logger("probe.snmp");

  // Declared first: what runs on the loop (the uplink's coroutine, the scheduler's runs) is destroyed
  // before it.
  asio::io_context io(1);

  // ---- where results go ----
  std::vector<catalogue::Probe> probes;
  bool have_probes = false;
  agent::SystemTimeSource time;
  std::unique_ptr<agent::JsonlFileSink> file_sink;    // local mode: the results file; else the results log
  std::unique_ptr<agent::Spool> spool;
  std::unique_ptr<agent::SpoolSink> spool_sink;
  std::unique_ptr<agent::AssignmentCache> cache;
  std::unique_ptr<agent::Uplink> uplink;
  if (!config) {
    auto mine = local_probes(o);
    if (!mine) return 2;
    probes = std::move(*mine);
    have_probes = true;
    try {
      file_sink = std::make_unique<agent::JsonlFileSink>(o.results_file, log, o.agent,
                                                         agent::JsonlFileSinkOptions{o.max_unwritten});
    } catch (const std::system_error& e) {
      std::fprintf(stderr, "slamon-agent: %s\n", e.what());
      return 2;
    }
  } else {
    try {
      agent::make_private_dir(config->spool_dir, 0700);
      agent::make_private_dir(config->state_dir, 0700);
    } catch (const std::system_error& e) {
      std::fprintf(stderr, "slamon-agent: %s\n", e.what());
      return 2;
    }
    const std::string spool_path = (std::filesystem::path(config->spool_dir) / "spool.db").string();
    try {
      agent::SpoolOptions spool_options;
      spool_options.max_bytes = config->spool_max_bytes;
      spool_options.max_age_ms = config->spool_max_age_ms;
      spool = std::make_unique<agent::Spool>(spool_path, time, spool_options);
    } catch (const sqlite::Error& e) {
      std::fprintf(stderr, "slamon-agent: cannot open the spool %s: %s\n", spool_path.c_str(), e.what());
      return 2;
    }
    if (spool->moved_aside())
      spool_log->warn("{}: the spool {} could not be read; moved to {} and a new spool started (epoch {}); its results "
                      "were not sent",
                      o.agent, spool_path, *spool->moved_aside(), spool->state().epoch);
    if (config->results_log) {
      try {
        file_sink = std::make_unique<agent::JsonlFileSink>(*config->results_log, log, o.agent,
                                                           agent::JsonlFileSinkOptions{o.max_unwritten});
      } catch (const std::system_error& e) {
        std::fprintf(stderr, "slamon-agent: results_log: %s\n", e.what());
        return 2;
      }
    }
    agent::SpoolSinkEvents events;
    events.committed = [&] {
      if (uplink) uplink->notify();
    };
    events.dropped = [&](std::uint64_t first, std::uint64_t last) {
      if (uplink) uplink->dropped(first, last);
    };
    agent::SpoolSinkOptions sink_options{o.max_unwritten};
    // The limits are checked every minute, and at least four times within the age limit.
    sink_options.limits_every_ms = std::clamp<DurationMs>(config->spool_max_age_ms / 4, 250, sink_options.limits_every_ms);
    spool_sink = std::make_unique<agent::SpoolSink>(*spool, time, spool_log, o.agent, file_sink.get(), events,
                                                    sink_options);
    cache = std::make_unique<agent::AssignmentCache>(config->state_dir, o.agent, time, log);
  }
  agent::ResultSink& sink = config ? static_cast<agent::ResultSink&>(*spool_sink) : *file_sink;

  agent::RunnerOptions runner_options;
  runner_options.icmp.max_sends_per_s = o.icmp_rate;
  runner_options.snmp.state_dir = o.state_dir;
  runner_options.snmp.max_idle_sessions = o.snmp_idle_sessions;
  auto runners = agent::make_runners(io.get_executor(), runner_options, loggers, o.agent);
  agent::Scheduler scheduler(io.get_executor(), time, runners, sink, log, o.agent);

  std::unique_ptr<agent::Assignments> assignments;
  if (config) {
    // The cached assignment runs at once; each one the collector sends replaces it (or is refused).
    assignments = std::make_unique<agent::Assignments>(
        *cache, [&](std::vector<catalogue::Probe> p) { scheduler.update(std::move(p)); }, log, o.agent);
    agent::UplinkHooks hooks;
    hooks.assignment_version = [&] { return assignments->version(); };
    hooks.apply_assignment = [&](const wire::v1::Assignment& a) { return assignments->apply(a, uplink->peer()); };
    try {
      uplink = std::make_unique<agent::Uplink>(io.get_executor(), *config, *spool, time, uplink_log, hooks);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "slamon-agent: %s\n", e.what());
      return 2;
    }
  }

  // The statistics, for SIGUSR1 and the summary at the end.
  auto log_stats = [&](const std::string& when) {
    const auto st = scheduler.stats();
    if (!config) {
      log->info("{}: {}{} runs started, {} results, {} written to {}, {} dropped, {} not written, {} cancelled, {} missed, "
                "{} cut off, lag p50 {} ms, p99 {} ms, max {} ms",
                o.agent, when, st.started, st.completed, file_sink->written(), o.results_file, file_sink->dropped(),
                file_sink->unwritten(), st.cancelled, st.missed, st.cut_off, st.lag.p50_ms, st.lag.p99_ms, st.lag.max_ms);
      return;
    }
    const auto us = uplink->stats();
    const auto ss = spool->state();
    log->info("{}: {}{} runs started, {} results, {} committed to the spool, {} dropped, {} not committed, {} replaced by "
              "gap records (spool limits); {} entries sent to collector {}, {} acknowledged, {} waiting in the spool; "
              "{} cancelled, {} missed, {} cut off, lag p50 {} ms, p99 {} ms, max {} ms",
              o.agent, when, st.started, st.completed, spool_sink->committed(), spool_sink->dropped(),
              spool_sink->unwritten(), spool_sink->replaced_by_gaps(), us.entries_sent, uplink->peer(), us.acknowledged,
              ss.entries, st.cancelled, st.missed, st.cut_off, st.lag.p50_ms, st.lag.p99_ms, st.lag.max_ms);
  };

  // SIGHUP in agent mode: agent.yaml read again; its log levels apply at once, the rest at the next
  // start (each changed field named). The probes come from the collector, not from SIGHUP.
  std::vector<std::shared_ptr<spdlog::logger>> all_loggers = {log, uplink_log, spool_log, loggers.icmp,
                                                              loggers.tcp, loggers.http, loggers.snmp};
  auto reload_config = [&] {
    systemd::notify_reloading("reloading " + o.config);
    const catalogue::DiskFileSource files;
    auto loaded = load_agent_config(o.config, files);
    if (!loaded.config) {
      for (const auto& d : loaded.errors) log->error("{}", format_diagnostic(d));
      log->error("{}: SIGHUP: {} has {} error(s); keeping the running configuration", o.agent, o.config,
                 loaded.errors.size());
    } else {
      const auto& now = *loaded.config;
      std::vector<std::string> restart;
      if (now.collectors != config->collectors) restart.push_back("collectors");
      if (now.name != config->name) restart.push_back("name");
      if (now.token_file != config->token_file || now.token != config->token) restart.push_back("token_file");
      if (now.tls != config->tls) restart.push_back("tls");
      if (now.spool_dir != config->spool_dir) restart.push_back("spool_dir");
      if (now.state_dir != config->state_dir) restart.push_back("state_dir");
      if (now.results_log != config->results_log) restart.push_back("results_log");
      if (now.spool_max_bytes != config->spool_max_bytes || now.spool_max_age_ms != config->spool_max_age_ms)
        restart.push_back("spool_max_size/spool_max_age");
      const auto base = app.count("--log-level") == 0 ? spdlog::level::from_str(now.log_level) : level;
      for (const auto& l : all_loggers) {
        const auto it = now.log_levels.find(l->name());
        l->set_level(it == now.log_levels.end() ? base : spdlog::level::from_str(it->second));
      }
      config->log_level = now.log_level;
      config->log_levels = now.log_levels;
      std::string fields;
      for (const auto& f : restart) fields += (fields.empty() ? "" : ", ") + f;
      log->info("{}: SIGHUP: {} read again; log levels applied{}{}", o.agent, o.config,
                restart.empty() ? "" : "; changed, applied at the next start (restart the agent): ", fields);
    }
    systemd::notify_ready(uplink ? "probing; results to collector " + uplink->peer() : "probing");
  };

  asio::signal_set signals(io, SIGINT, SIGTERM);
  // SIGHUP and SIGUSR1 would otherwise end the process without a flush.
  asio::signal_set other_signals(io, SIGHUP, SIGUSR1);
  std::function<void()> wait_other_signals = [&] {
    other_signals.async_wait([&](const boost::system::error_code& ec, int signo) {
      if (ec) return;
      if (signo == SIGHUP) {
        if (config)
          reload_config();
        else
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
  asio::steady_timer housekeeping(io);  // the spool's limits and retries (agent mode)
  std::function<void()> housekeeping_tick = [&] {
    housekeeping.expires_after(std::chrono::milliseconds(spool_sink->options().limits_every_ms));
    housekeeping.async_wait([&](const boost::system::error_code& ec) {
      if (ec || !spool_sink) return;
      spool_sink->flush();
      housekeeping_tick();
    });
  };
  bool shutting_down = false;
  // Stops the scheduler (its sink flushed: committed to the spool), closes the collector link, waits
  // (bounded) for the cancelled runs to unwind and the link to close, closes the runners.
  auto shutdown = [&](const std::string& why) {
    if (shutting_down) return;
    shutting_down = true;
    log->info("{}: stopping ({})", o.agent, why);
    systemd::notify_stopping("stopping (" + why + ")");
    signals.cancel();
    other_signals.cancel();  // still caught (and ignored) until the end
    duration_timer.cancel();
    housekeeping.cancel();
    scheduler.stop();
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
          asio::steady_timer poll(io);
          if (uplink && drain_ms > 0) {
            // The scheduler's stop flushed the sink: what is in the spool now is all there will be.
            const auto drain_until = std::chrono::steady_clock::now() + std::chrono::milliseconds(drain_ms);
            log->info("{}: sending the spool's {} entries to collector {} before exiting (up to {})", o.agent,
                      spool->state().entries, uplink->peer(), o.drain_timeout);
            while (spool->state().entries > 0 && std::chrono::steady_clock::now() < drain_until) {
              poll.expires_after(std::chrono::milliseconds(20));
              co_await poll.async_wait(asio::use_awaitable);
            }
            if (spool->state().entries > 0)
              log->warn("{}: {} entries still in the spool after --drain-timeout {}; they are sent at the next start",
                        o.agent, spool->state().entries, o.drain_timeout);
            else
              log->info("{}: the spool is empty: every result is acknowledged by collector {}", o.agent, uplink->peer());
          }
          if (uplink) uplink->stop();
          const auto until = std::chrono::steady_clock::now() + kShutdownBound;
          const auto done = [&] { return scheduler.idle() && (!uplink || uplink->stopped()); };
          while (!done() && std::chrono::steady_clock::now() < until) {
            poll.expires_after(std::chrono::milliseconds(10));
            co_await poll.async_wait(asio::use_awaitable);
          }
          if (!scheduler.idle()) log->warn("{}: runs still in flight after {} s; leaving them", o.agent, kShutdownBound.count());
          if (uplink && !uplink->stopped())
            log->warn("{}: the link to collector {} did not close within {} s; leaving it", o.agent, uplink->peer(),
                      kShutdownBound.count());
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

  if (!config) {
    log->info("{}: {} probes from {}, results to {}", o.agent, probes.size(), o.catalogue, o.results_file);
  } else {
    const auto ss = spool->state();
    log->info("{}: collector {}, spool {} (epoch {}, {} entries waiting), state {}{}", o.agent, uplink->peer(),
              spool->path(), ss.epoch, ss.entries, config->state_dir,
              config->results_log ? ", results log " + *config->results_log : std::string());
    assignments->start_cached();
  }
  if (have_probes) scheduler.start(std::move(probes));
  if (config) {
    // The spool's limits at start, then every minute also while no result comes (no assignment yet):
    // the sink's flush enforces them when due, and retries a commit that failed.
    spool_sink->enforce_limits();
    housekeeping_tick();
    uplink->start();
  }
  // The service manager's watchdog, pinged from the event loop itself: a loop stuck for longer than
  // WatchdogSec stops pinging and is restarted. READY=1 once the loop runs the scheduler.
  asio::steady_timer watchdog_timer(io);
  const auto watchdog_interval = systemd::watchdog_interval();
  std::function<void()> watchdog_tick = [&] {
    systemd::notify_watchdog();
    watchdog_timer.expires_after(*watchdog_interval / 2);
    watchdog_timer.async_wait([&](const boost::system::error_code& ec) {
      if (!ec) watchdog_tick();
    });
  };
  asio::post(io, [&] {
    if (watchdog_interval && watchdog_interval->count() > 0) watchdog_tick();
    systemd::notify_ready(config ? "probing; results to collector " + uplink->peer()
                                 : "probing; results to " + o.results_file);
  });
  io.run();
  sink.flush();
  log_stats("");
  if (auto* icmp = runners.icmp()) {
    const auto is = icmp->stats();
    loggers.icmp->info("{}: ICMP {} sent, {} replies, {} duplicates, {} late, {} from a wrong source, {} bad checksums, "
                       "{} errors, {} not ours",
                       o.agent, is.sent, is.replies, is.duplicates, is.late, is.wrong_source, is.bad_checksum, is.errors,
                       is.foreign);
  }
  if (config) {
    if (file_sink && (file_sink->dropped() > 0 || file_sink->unwritten() > 0))
      log->warn("{}: the results log {} misses {} results ({} dropped, {} unwritten); they are in the spool or sent",
                o.agent, *config->results_log, file_sink->dropped() + file_sink->unwritten(), file_sink->dropped(),
                file_sink->unwritten());
    if (spool_sink->dropped() > 0 || spool_sink->unwritten() > 0) {
      log->error("{}: {} results lost: {} dropped while the spool {} could not be written, {} still uncommitted at the end{}",
                 o.agent, spool_sink->dropped() + spool_sink->unwritten(), spool_sink->dropped(), spool->path(),
                 spool_sink->unwritten(), spool_sink->last_error().empty() ? "" : " (" + spool_sink->last_error() + ")");
      return 1;
    }
    return 0;
  }
  if (file_sink->dropped() > 0 || file_sink->unwritten() > 0) {
    log->error("{}: {} results lost: {} dropped while {} could not be written, {} still unwritten at the end{}", o.agent,
               file_sink->dropped() + file_sink->unwritten(), file_sink->dropped(), o.results_file, file_sink->unwritten(),
               file_sink->last_error() ? " (" + file_sink->last_error().message() + ")" : std::string());
    return 1;
  }
  return 0;
}
