// slamon-collector serving agents (see daemon.h).
#include "collector/daemon.h"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <thread>

#include "collector/api/router.h"
#include "collector/http_server.h"
#include "collector/ingest.h"
#include "collector/live_thread.h"
#include "collector/notifier.h"
#include "collector/pid_file.h"
#include "collector/served_catalogue.h"
#include "collector/store/open_store.h"
#include "collector/store_worker.h"

namespace slamon::collector {
namespace {

namespace asio = boost::asio;
constexpr const char* kCollectorVersion = "0.1.0";

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

// The web UI's folder: http.web_root, else "web" beside this executable.
std::string web_root(const CollectorConfig& config) {
  if (!config.http.web_root.empty()) return config.http.web_root;
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("web") : (exe.parent_path() / "web").string();
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
  spdlog::sink_ptr sink = options.log_sink;
  if (!sink) sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
  // log_levels: a logger's own level, else log_level.
  auto level_of = [&](const std::string& name) {
    const auto it = config.log_levels.find(name);
    return it == config.log_levels.end() ? level : spdlog::level::from_str(it->second);
  };
  auto log = make_logger("collector", sink, level_of("collector"));
  auto ingest_log = make_logger("ingest", sink, level_of("ingest"));
  auto live_log = make_logger("engine", sink, level_of("engine"));
  auto http_log = make_logger("http", sink, level_of("http"));
  auto notify_log = make_logger("notify", sink, level_of("notify"));
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
  std::thread([&] { loaded = load_served_catalogue(config.catalogue, config.enrolled_agents); }).join();
  if (!loaded.served) {
    for (const auto& e : loaded.errors) std::fprintf(stderr, "%s\n", e.c_str());
    log->error("{}: {} error(s) in the catalogue; refusing to start", config.catalogue, loaded.errors.size());
    return 1;
  }

  std::unique_ptr<store::Store> store;
  // The engine thread's own connection: its writes are derived from the results (a commit lost to a
  // power cut is done again), so it does not wait for fsync.
  store::OpenedStore engine_store;
  const std::string store_name = store::shown_location(config.store);
  // The HTTP API's store worker: two connections of its own (the first may write: the maintenance
  // windows), so that a long report never holds the others, nor the io thread.
  std::vector<WorkerConnection> worker_connections;
  // The delivery thread's own connection (the delivery log: notifier.h).
  std::unique_ptr<store::Store> notify_store;
  try {
    store = store::open_store(config.store).store;
    store->disconnect_all();
    engine_store = store::open_store(config.store, {.create = true, .durable = false});
    for (int i = 0; i < 2; ++i) {
      // Opened as the CLI's read commands open a store (nothing created); only the first may write.
      auto c = store::open_store(config.store, {.create = false, .durable = true});
      worker_connections.push_back(WorkerConnection{std::move(c.store), c.engine});
    }
    notify_store = store::open_store(config.store, {.create = false, .durable = true}).store;
  } catch (const store::StoreFailure& e) {
    log->error("cannot open the store {}: {}; not starting", store_name, e.what());
    return 1;
  }

  // The link's latest record of each agent (for the API), starting from the store's; the maintenance
  // windows created through the API.
  api::AgentRecords agent_records;
  auto stored_maintenance = std::make_shared<api::StoredMaintenance>();
  try {
    for (auto& r : store->agent_records()) agent_records[r.name] = std::move(r);
    if (auto* ms = dynamic_cast<store::MaintenanceStore*>(store.get())) stored_maintenance = api::read_stored_maintenance(*ms);
  } catch (const store::StoreFailure& e) {
    log->error("cannot read the agents' records or maintenance windows from the store {}: {}; not starting",
               store_name, e.what());
    return 1;
  }
  // The web UI, read into memory once (served without touching the disk on the io thread).
  std::optional<api::WebBundle> web;
  std::string web_missing;
  {
    const auto root = web_root(config);
    web = api::load_web_bundle(root, web_missing);
    if (!web) http_log->warn("no web UI: {}; the API and /metrics are served", web_missing);
  }

  asio::io_context io(1);
  StoreWorker worker(std::move(worker_connections), http_log);
  auto report_cache = std::make_shared<api::ReportCache>();
  SystemClock clock;
  const TimeMs start_ms = clock.now_ms();
  IngestOptions ingest_options;
  ingest_options.commit_delay_ms = options.debug_ingest_delay_ms;
  if (options.debug_ingest_delay_ms > 0)
    log->warn("--debug-ingest-delay {}: every batch is committed alone, {} after the previous one (a test setting)",
              format_duration(options.debug_ingest_delay_ms), format_duration(options.debug_ingest_delay_ms));
  Ingest ingest(*store, clock, [&io](std::function<void()> f) { asio::post(io, std::move(f)); }, ingest_options,
                ingest_log);
  // Notifications: the engine thread logs them (in one transaction with what it told), the delivery
  // thread delivers them.
  std::unique_ptr<Notifier> deliverer;
  api::NotificationCounters notification_counters;
  auto notifications_of = [](const std::shared_ptr<const catalogue::Catalogue>& cat) {
    return std::shared_ptr<const catalogue::Notifications>(cat, &cat->notifications);
  };
  if (auto* ns = dynamic_cast<store::NotificationStore*>(notify_store.get()))
    deliverer = std::make_unique<Notifier>(*ns, clock, NotifierOptions{}, notify_log, &notification_counters);
  LiveThreadOptions live_options;
  live_options.retention_ms = config.retention_ms;
  if (deliverer) live_options.on_notified = [&deliverer] { deliverer->notify(); };
  // Several collectors on one PostgreSQL store: the engine leader's election (store/election.h),
  // made once the addresses that name this collector are known; it outlives the engine thread.
  std::unique_ptr<store::Election> election;
  LiveThread live(*engine_store.store, *engine_store.engine, clock, live_options, live_log);

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
  server->set_on_agent([&](const store::AgentRecord& r) { agent_records[r.name] = r; });

  // The HTTP listener: the API over the running catalogue and the link's records, /metrics, the UI.
  // The API's view of the catalogue (with the maintenance windows created through the API) is built
  // off the io thread: on the reload helper, or on the store worker after a maintenance write. `views`
  // holds the latest catalogue and windows; a view is installed on the io thread only when it was built
  // from both (else a newer one is on its way), so the last change always wins.
  struct {
    std::mutex mutex;
    std::shared_ptr<const ServedCatalogue> served;
    std::shared_ptr<const api::StoredMaintenance> maintenance;
  } views;
  views.served = loaded.served;
  views.maintenance = stored_maintenance;
  std::shared_ptr<const api::ApiCatalogue> api_catalogue =
      std::make_shared<api::ApiCatalogue>(loaded.served, start_ms, stored_maintenance);
  auto warn_clashes = [&](const api::ApiCatalogue& v) {
    for (const auto& id : v.window_clashes)
      http_log->warn("maintenance window {} (created through the API) has the id of a catalogue window: the "
                     "catalogue's is counted, not it", id);
  };
  warn_clashes(*api_catalogue);
  auto install_view = [&](std::shared_ptr<const api::ApiCatalogue> v) {
    {
      std::lock_guard lock(views.mutex);
      if (v->served != views.served || v->maintenance != views.maintenance) return;  // a newer one follows
    }
    if (v->maintenance != api_catalogue->maintenance) warn_clashes(*v);
    api_catalogue = std::move(v);
    report_cache->clear();
  };
  // After a maintenance write (on the store worker's writer): the view is built there and installed
  // before the write's response is sent (both go through the io thread's queue, in that order).
  auto on_maintenance = [&](std::shared_ptr<const api::StoredMaintenance> m) {
    std::shared_ptr<const ServedCatalogue> served;
    {
      std::lock_guard lock(views.mutex);
      views.maintenance = m;
      served = views.served;
    }
    auto v = std::make_shared<const api::ApiCatalogue>(served, clock.now_ms(), m);
    asio::post(io, [&install_view, v] { install_view(v); });
  };
  api::CatalogueCounters catalogue_counters{0, 0, start_ms};
  api::HttpCounters http_counters;
  api::AccessPolicy access{config.http.read_token_sha256.value(), config.http.admin_token_sha256.value()};
  auto handle = [&](const api::Request& request) {
    api::ApiState st;
    st.catalogue = api_catalogue;
    st.agents = &agent_records;
    st.store_open = true;  // opened before listening; /readyz asks the worker's connection
    st.store_worker = true;
    st.live = live.snapshot();
    st.cache = report_cache;
    st.metrics.link = &server->counters();
    st.metrics.catalogue_counters = &catalogue_counters;
    st.metrics.http = &http_counters;
    st.metrics.notifications = &notification_counters;
    st.metrics.agents = &agent_records;
    st.metrics.sessions = server->sessions();
    st.metrics.ingest_queued = ingest.queued();
    st.metrics.store_jobs_queued = worker.queued();
    st.metrics.start_ms = start_ms;
    st.metrics.version = kCollectorVersion;
    st.web = web ? &*web : nullptr;
    st.web_missing = web_missing;
    st.access = access;
    st.now_ms = clock.now_ms();
    st.on_maintenance = on_maintenance;
    return api::route(request, st);
  };
  HttpOptions http_options = options.http;
  http_options.listen_host = config.http.listen_host;
  http_options.listen_port = config.http.listen_port;
  http_options.tls = config.http.tls;
  std::unique_ptr<HttpServer> http;
  std::string http_bound;
  try {
    http = std::make_unique<HttpServer>(
        io, http_options, handle,
        [&worker](StoreWorker::Task task, bool writes) { worker.post(std::move(task), writes); }, http_counters,
        http_log);
  } catch (const std::exception& e) {
    log->error("{}; not starting", e.what());
    return 2;
  }
  try {
    http_bound = http->listen();
  } catch (const std::exception& e) {
    log->error("cannot listen (http) on {}:{}: {}; not starting", config.http.listen_host, config.http.listen_port,
               e.what());
    return 1;
  }
  ingest.set_on_room([&] { server->on_room(); });
  ingest.set_on_committed([&] { live.notify(); });
  {
    char host[256] = {};
    if (::gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
    const std::string holder =
        std::string(host[0] ? host : "?") + " (link " + bound + ", http " + http_bound + ", pid " + std::to_string(::getpid()) + ")";
    election = store::open_election(config.store, holder);
    if (election) live.set_election(election.get(), dynamic_cast<store::FencedWrites*>(engine_store.store.get()));
  }
  live.start(loaded.served->catalogue);
  if (deliverer) deliverer->start(notifications_of(loaded.served->catalogue));
  ingest.start();

  // Reload: the catalogue is read and checked on a helper thread; the result is applied on the io thread.
  std::thread reloader;
  bool reloading = false, reload_again = false, stopping = false;
  const auto& notifier = options.notifier;
  auto notify = [](const std::function<void(const std::string&)>& hook, const std::string& status) {
    if (hook) hook(status);
  };
  auto serving_status = [&](const ServedCatalogue& served) {
    return "serving " + std::to_string(served.agents.size()) + " agents, " + std::to_string(served.probes) +
           " probes on " + bound + "; http " + http_bound;
  };
  std::function<void()> start_reload = [&] {
    if (reloading) {
      reload_again = true;
      return;
    }
    reloading = true;
    notify(notifier.reloading, "reloading the catalogue " + config.catalogue);
    if (reloader.joinable()) reloader.join();
    log->info("reloading the catalogue {}", config.catalogue);
    reloader = std::thread([&] {
      auto result = std::make_shared<ServedLoad>(load_served_catalogue(config.catalogue, config.enrolled_agents));
      // The API's view (with its JSON tree) is built here too, not on the io thread.
      std::shared_ptr<const api::ApiCatalogue> api_view;
      if (result->served) {
        std::shared_ptr<const api::StoredMaintenance> m;
        {
          std::lock_guard lock(views.mutex);
          m = views.maintenance;
        }
        api_view = std::make_shared<api::ApiCatalogue>(result->served, clock.now_ms(), m);
      }
      asio::post(io, [&, result, api_view] {
        reloading = false;
        if (stopping) return;
        if (!result->served) {
          for (const auto& e : result->errors) log->error("{}", e);
          log->error("{}: {} error(s) in the new catalogue; keeping the running catalogue", config.catalogue,
                     result->errors.size());
          ++catalogue_counters.reloads_failed;
          std::shared_ptr<const ServedCatalogue> running;
          {
            std::lock_guard lock(views.mutex);
            running = views.served;
          }
          if (!reload_again)
            notify(notifier.ready, serving_status(*running) + "; the last reload failed (" +
                                       std::to_string(result->errors.size()) + " errors in the catalogue)");
        } else {
          log->info("catalogue reloaded: {} agents, {} probes", result->served->agents.size(), result->served->probes);
          server->set_catalogue(result->served);
          live.set_catalogue(result->served->catalogue);
          if (deliverer) deliverer->set_config(notifications_of(result->served->catalogue));
          catalogue_counters.loaded_ms = api_view->loaded_ms;
          bool stale = false;  // a maintenance write came while the view was built: build it again
          {
            std::lock_guard lock(views.mutex);
            views.served = result->served;
            stale = api_view->maintenance != views.maintenance;
          }
          if (stale) {
            worker.post([&on_maintenance](api::StoreContext& c) {
              auto* ms = dynamic_cast<store::MaintenanceStore*>(&c.store);
              if (ms != nullptr) on_maintenance(api::read_stored_maintenance(*ms));
            }, true);
          } else {
            install_view(api_view);
          }
          ++catalogue_counters.reloads_ok;
          if (!reload_again) notify(notifier.ready, serving_status(*result->served));
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
    notify(notifier.stopping, "stopping (" + why + ")");
    stop_signals.cancel();
    hup.cancel();
    duration_timer.cancel();
    http->shutdown();
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
            loaded.served->agents.size(), loaded.served->probes, store_name, pid_file_path(config));
  http_log->info("http listening on {} ({}{}); web UI {}", http_bound, config.http.tls ? "HTTPS" : "HTTP",
                 config.http.read_token_sha256.empty() ? ", no token" : ", tokens required",
                 web ? web->root : "not available");
  // The service manager's watchdog, pinged from the io loop itself: a loop stuck for longer than the
  // interval stops pinging and is restarted.
  asio::steady_timer watchdog_timer(io);
  std::function<void()> watchdog_tick = [&] {
    notifier.watchdog();
    watchdog_timer.expires_after(*notifier.watchdog_interval / 2);
    watchdog_timer.async_wait([&](const boost::system::error_code& e) {
      if (!e) watchdog_tick();
    });
  };
  asio::post(io, [&] {
    if (notifier.watchdog && notifier.watchdog_interval && notifier.watchdog_interval->count() > 0) watchdog_tick();
    notify(notifier.ready, serving_status(*loaded.served));
  });
  io.run();
  worker.stop();  // the jobs still queued are dropped with their connections' coroutines
  if (reloader.joinable()) reloader.join();
  ingest.stop();  // commits what it still holds (unacknowledged: the agents send it again), writes the records
  live.stop();    // (what it has not applied yet, the next start applies)
  if (deliverer) deliverer->stop();  // an attempt under way ends within its timeout; pending rows wait for the next start
  try {
    store->disconnect_all();
  } catch (const store::StoreFailure& e) {
    log->error("cannot record the agents as disconnected: {}", e.what());
  }
  log->info("stopped");
  return 0;
}

}  // namespace slamon::collector
