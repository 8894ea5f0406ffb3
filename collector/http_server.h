// The collector's HTTP listener (API, /metrics, health, the web UI): Boost.Beast on the collector's
// io thread, plain HTTP or HTTPS, keep-alive, bounded in header and body size and in the time a
// request may take. It only moves bytes: every request is answered by a pure handler
// (collector/api/router.h), or by a job the handler returns, which runs on the store worker
// (collector/store_worker.h) while the connection's coroutine awaits its response. The Beast code of
// the collector lives in http_server.cpp alone.
#pragma once

#include <spdlog/logger.h>

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "collector/api/counters.h"
#include "collector/api/http_message.h"
#include "collector/api/store_job.h"
#include "common/collector_config.h"
#include "common/time.h"

namespace boost::asio {
class io_context;
}

namespace slamon::collector {

struct HttpOptions {
  std::string listen_host = "127.0.0.1";
  int listen_port = 8080;
  std::optional<HttpTlsConfig> tls;
  std::size_t max_header_bytes = 16 * 1024;  // request line and headers: 431 past it
  std::size_t max_body_bytes = 64 * 1024;    // 413 past it
  DurationMs request_timeout_ms = 15'000;    // a whole request within this of the connection or the last response
  std::size_t max_connections = 512;         // more are closed at once
};

class HttpServer {
 public:
  using Handler = std::function<api::Routed(const api::Request&)>;
  // Runs a task off the io thread (StoreWorker::post); empty: jobs are answered 503.
  using StoreRunner = std::function<void(std::function<void(api::StoreContext&)> task, bool writes)>;
  // Builds the TLS context when options.tls is set (throws std::runtime_error naming the file).
  HttpServer(boost::asio::io_context& io, HttpOptions options, Handler handler, StoreRunner run_store,
             api::HttpCounters& counters, std::shared_ptr<spdlog::logger> log);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and listens (throws std::runtime_error); returns the bound address (host:port).
  std::string listen();
  // Stops accepting and closes every connection.
  void shutdown();

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace slamon::collector
