// slamon-collector: the central server.
//   slamon-collector --config collector.yaml [--listen H:P] [--http-listen H:P] [--store S] [--log-level L]
//                    [--duration D]
//   slamon-collector reload --config collector.yaml       (SIGHUP to the running collector)
//   slamon-collector enroll [--config C] AGENT | --list | --revoke AGENT   (tokens of enrolled agents)
//   slamon-collector --catalogue C --dry-run               (check a catalogue and show each agent's share)
// Exit codes: 0; 1 when it cannot start (an invalid catalogue, the store, the address) or reload finds
// no collector or enroll refuses a change; 2 for a usage or configuration error. docs/collector-config.md describes it all.
#include <CLI/CLI.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <filesystem>
#include <map>

#include "collector/assignment.h"
#include "collector/daemon.h"
#include "collector/enroll_command.h"
#include "common/catalogue/parser.h"
#include "common/catalogue/reader.h"
#include "common/collector_config.h"
#include "common/diagnostic.h"
#include "common/systemd/journal_log.h"
#include "common/systemd/notify.h"
#include "common/systemd/rate_limited_sink.h"

using namespace slamon;

namespace {

// --catalogue C --dry-run: each agent's share, then exit.
int dry_run(const std::string& catalogue_path, const std::string& log_level) {
  auto log = spdlog::stderr_color_mt("collector");
  log->set_level(spdlog::level::from_str(log_level));
  const catalogue::DiskFileSource files;
  const auto loaded = catalogue::load_catalogue(catalogue_path, files);
  if (!loaded.catalogue) {
    for (const auto& e : loaded.errors) std::fprintf(stderr, "%s\n", format_diagnostic(e).c_str());
    log->error("{}: {} error(s); not starting", catalogue_path, loaded.errors.size());
    return 1;
  }
  for (const auto& a : collector::assign_probes(*loaded.catalogue)) {
    std::map<std::string_view, int> by_type;
    for (const auto* p : a.probes) ++by_type[catalogue::to_string(p->type)];
    std::string types;
    for (const auto& [t, n] : by_type) types += (types.empty() ? "" : ", ") + std::string(t) + " " + std::to_string(n);
    log->info("{}: {} probe(s){}{}{}", a.agent, a.probes.size(), types.empty() ? "" : " (", types, types.empty() ? "" : ")");
  }
  return 0;
}

CLI::Validator duration_check(bool zero_ok) {
  return CLI::Validator(
      [zero_ok](std::string& s) -> std::string {
        const auto d = parse_duration(s);
        return d && (*d > 0 || (zero_ok && *d == 0)) ? "" : "'" + s + "' is not a duration (e.g. 500ms, 30s, 10m)";
      },
      "DURATION");
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"slamon-collector: the central server (agents over TLS, ingest into the store, catalogue reload)"};
  std::string config_path, catalogue_path, listen, http_listen, store, log_level, duration;
  bool dry = false;
  std::map<std::string, std::string> advanced;  // flag -> duration text
  app.add_option("--config", config_path, "collector.yaml (docs/collector-config.md)");
  app.add_option("--catalogue,-c", catalogue_path, "catalogue (YAML); with --config, instead of the file's `catalogue`");
  app.add_flag("--dry-run", dry, "load and validate the catalogue, print each agent's probes, and exit");
  app.add_option("--listen", listen, "host:port or [v6-address]:port agents connect to (instead of the file's)");
  app.add_option("--http-listen", http_listen,
                 "host:port of the HTTP API, metrics and UI (instead of the file's http.listen)");
  app.add_option("--store", store, "the store: a SQLite file path or sqlite:PATH (instead of the file's)");
  app.add_option("--log-level", log_level, "trace|debug|info|warn|error|critical|off (instead of the file's)")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}));
  app.add_option("--duration", duration, "stop by itself after this long (90s, 10m...); default: until signalled")
      ->check(duration_check(false));
  collector::LinkOptions link;
  collector::HttpOptions http;
  DurationMs debug_ingest_delay_ms = 0;
  struct Knob {
    const char* flag;
    DurationMs* value;
    const char* help;
  };
  const Knob knobs[] = {
      {"--handshake-timeout", &link.handshake_timeout_ms, "TLS handshake deadline (default 10s)"},
      {"--hello-timeout", &link.hello_timeout_ms, "deadline for the agent's Hello after the handshake (default 10s)"},
      {"--idle-timeout", &link.idle_timeout_ms, "close an agent silent for this long (default 30s)"},
      {"--frame-timeout", &link.frame_timeout_ms, "close an agent that started a frame and did not finish it (default 30s)"},
      {"--write-timeout", &link.write_timeout_ms, "deadline for writing one frame to an agent (default 30s)"},
      {"--heartbeat-interval", &link.heartbeat_interval_ms, "heartbeats to each agent this often (default 5s)"},
      {"--shutdown-bound", &link.shutdown_bound_ms, "at shutdown, wait this long for the store's answers (default 5s)"},
      {"--http-request-timeout", &http.request_timeout_ms,
       "HTTP: a whole request within this of the connection or the last response (default 15s)"},
      {"--debug-ingest-delay", &debug_ingest_delay_ms,
       "tests only: commit each batch alone, this long after the previous commit (a slow store)"},
  };
  auto* adv = app.add_option_group("Advanced", "deadlines, for tests and unusual networks");
  for (const auto& k : knobs) adv->add_option(k.flag, advanced[k.flag], k.help)->check(duration_check(false));

  auto* reload = app.add_subcommand("reload", "make the running collector re-read its catalogue (SIGHUP)");
  std::string reload_config;
  reload->add_option("--config", reload_config, "the collector.yaml the collector runs with")->required();
  auto* enroll = app.add_subcommand("enroll", "enroll an agent (a new token, printed once, with its agent.yaml), "
                                              "list the enrolled agents, or revoke one");
  std::string enroll_config = "/etc/slamon/collector.yaml";
  collector::EnrollOptions enroll_options;
  enroll->add_option("--config", enroll_config, "the collector.yaml (its enrolled_agents file)")->capture_default_str();
  auto* enroll_agent = enroll->add_option("AGENT", enroll_options.agent, "the agent to enroll (its catalogue name)");
  auto* enroll_list = enroll->add_flag("--list", enroll_options.list, "list the enrolled agents and their states");
  auto* enroll_revoke =
      enroll->add_option("--revoke", enroll_options.revoke, "revoke AGENT's token (a running collector disconnects it)");
  enroll->add_option("--address", enroll_options.address,
                     "host:port agents connect to, for the snippet (default: listen, or this host's name)");
  enroll->add_option("--ca-file", enroll_options.ca_file, "the snippet's tls.ca_file")->capture_default_str();
  enroll_agent->excludes(enroll_list)->excludes(enroll_revoke);
  enroll_list->excludes(enroll_revoke);
  app.require_subcommand(0, 1);
  // Exit codes 0, 1 and 2 only: --help exits 0, every usage error 2 (not CLI11's own codes).
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }

  auto load_config = [](const std::string& path) -> std::optional<CollectorConfig> {
    const catalogue::DiskFileSource files;
    auto r = load_collector_config(path, files);
    for (const auto& e : r.errors) std::fprintf(stderr, "%s\n", format_diagnostic(e).c_str());
    return r.config;
  };

  if (reload->parsed()) {
    const auto config = load_config(reload_config);
    if (!config) return 2;
    return collector::signal_reload(*config);
  }
  if (enroll->parsed()) {
    if (enroll_options.agent.empty() && !enroll_options.list && enroll_options.revoke.empty()) {
      std::fprintf(stderr, "slamon-collector enroll: name an AGENT, or --list, or --revoke AGENT; see --help\n");
      return 2;
    }
    const auto config = load_config(enroll_config);
    if (!config) return 2;
    return collector::run_enroll(*config, enroll_options);
  }
  if (config_path.empty()) {
    if (dry && !catalogue_path.empty()) return dry_run(catalogue_path, log_level.empty() ? "info" : log_level);
    std::fprintf(stderr, "slamon-collector: --config collector.yaml is required (or --catalogue C --dry-run); see --help\n");
    return 2;
  }
  auto config = load_config(config_path);
  if (!config) return 2;
  if (!catalogue_path.empty()) config->catalogue = std::filesystem::absolute(catalogue_path).string();
  if (dry) return dry_run(config->catalogue, log_level.empty() ? config->log_level : log_level);
  if (!listen.empty()) {
    const auto hp = catalogue::parse_host_port(listen);
    if (!hp) {
      std::fprintf(stderr, "slamon-collector: --listen must be host:port or [v6-address]:port, not '%s'\n", listen.c_str());
      return 2;
    }
    config->listen_host = hp->first;
    config->listen_port = hp->second;
  }
  if (!http_listen.empty()) {
    const auto hp = catalogue::parse_host_port(http_listen);
    if (!hp) {
      std::fprintf(stderr, "slamon-collector: --http-listen must be host:port or [v6-address]:port, not '%s'\n",
                   http_listen.c_str());
      return 2;
    }
    if (!is_loopback_host(hp->first) && config->http.read_token_sha256.empty()) {
      std::fprintf(stderr,
                   "slamon-collector: --http-listen %s is not a loopback address and collector.yaml sets no "
                   "http.read_token_sha256\n",
                   http_listen.c_str());
      return 2;
    }
    config->http.listen_host = hp->first;
    config->http.listen_port = hp->second;
  }
  if (!store.empty()) {
    std::string error;
    const auto loc = parse_store_location(store, std::filesystem::current_path(), error);
    if (!loc) {
      std::fprintf(stderr, "slamon-collector: --store: %s\n", error.c_str());
      return 2;
    }
    config->store = *loc;
  }
  if (!log_level.empty()) config->log_level = log_level;

  collector::DaemonOptions options;
  for (const auto& k : knobs)
    if (const auto& text = advanced[k.flag]; !text.empty()) *k.value = *parse_duration(text);
  options.link = link;
  options.http = http;
  options.debug_ingest_delay_ms = debug_ingest_delay_ms;
  options.config = *config;
  if (!duration.empty()) options.duration_ms = parse_duration(duration);
  // systemd's Type=notify (no-ops without NOTIFY_SOCKET): docs/operations.md.
  options.notifier.ready = [](const std::string& status) { systemd::notify_ready(status); };
  options.notifier.reloading = [](const std::string& status) { systemd::notify_reloading(status); };
  options.notifier.stopping = [](const std::string& status) { systemd::notify_stopping(status); };
  options.notifier.watchdog = [] { systemd::notify_watchdog(); };
  options.notifier.watchdog_interval = systemd::watchdog_interval();
  // Under systemd (JOURNAL_STREAM is stderr): `<N>` priorities and no timestamps.
  auto stderr_sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
  systemd::use_journal_format_if_journal(*stderr_sink);
  // A line repeated more than 5 times in 10 s: the rest folded into one "... repeated K times" line.
  options.log_sink = std::make_shared<systemd::RateLimitedSink>(stderr_sink, systemd::RateLimit{});
  return collector::run_collector(options);
}
