// The HTTP(S) probe: one request (following redirects when configured) over a fresh connection,
// through libcurl's multi-socket API on the event loop (probes/curl_multi.h). Measures the phases
// (dns_ms, connect_ms, tls_ms: each phase alone; ttfb_ms: from the start to the first response
// byte; transfer_ms: first byte to end; latency_ms: total), http_status and cert_days_left, and
// checks the status, body and certificate expectations of spec/catalogue.md.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <cstddef>
#include <memory>
#include <string>

#include "probes/runner.h"

namespace spdlog {
class logger;
}

namespace slamon::probes {

struct HttpRunnerOptions {
  std::size_t max_body_bytes = 1 << 20;  // body kept for expectations; the rest is read and dropped
  std::string user_agent = "slamon/0.1";
  std::string agent;  // stamped on results; empty: the probe's own `agent`
};

class HttpRunner : public Runner {
 public:
  // Transfers handed to curl and not yet finished: the scheduler starts a probe only below its
  // limit, so that no probe waits in a library queue while its timeout runs.
  virtual std::size_t in_flight() const = 0;
};

// One runner per event loop; every run happens on `executor`'s (single) thread.
std::unique_ptr<HttpRunner> make_http_runner(boost::asio::any_io_executor executor, HttpRunnerOptions options,
                                             std::shared_ptr<spdlog::logger> logger);

// Whether this libcurl resolves names off the event loop (threaded or c-ares resolver).
bool curl_has_async_dns();

}  // namespace slamon::probes
