// The agents' side of the collector: a TLS listener and one session coroutine per connection, all on
// one io thread. A session only moves frames and time (every read and write has a deadline, its
// buffers are bounded); what a message means is decided in session_logic.h, and batches go to the
// store thread through Ingest. The Asio and OpenSSL code of the collector lives in link_server.cpp.
#pragma once

#include <spdlog/logger.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "collector/api/counters.h"
#include "collector/ingest.h"
#include "collector/served_catalogue.h"
#include "common/collector_config.h"
#include "common/time.h"
#include "common/wire/frame.h"

namespace boost::asio {
class io_context;
}

namespace slamon::collector {

struct LinkOptions {
  std::string listen_host = "0.0.0.0";
  int listen_port = 7443;
  CollectorTlsConfig tls;
  DurationMs clock_skew_limit_ms = 2'000;
  DurationMs handshake_timeout_ms = 10'000;  // TCP accepted -> TLS handshake done
  DurationMs hello_timeout_ms = 10'000;      // handshake done -> Hello received and answered
  DurationMs idle_timeout_ms = 30'000;       // no message from the agent for this long: closed
  DurationMs frame_timeout_ms = 30'000;      // a frame started and not completed within this: closed
  DurationMs write_timeout_ms = 30'000;      // one frame written to the agent within this
  DurationMs heartbeat_interval_ms = 5'000;
  DurationMs max_echo_rtt_ms = 1'000;        // a heartbeat echo older than this is not a round trip
  DurationMs shutdown_bound_ms = 5'000;      // at shutdown, batches in flight are acknowledged within this
  std::uint32_t max_frame_bytes = wire::kDefaultMaxFrameBytes;
  std::size_t max_batches_in_flight = 8;     // per session: batches handed to the store, not yet answered
  std::size_t max_outbound_bytes = 16u << 20;  // frames queued to an agent that does not read: closed past it
};

class LinkServer {
 public:
  // Builds the TLS context (throws std::runtime_error naming the file when a certificate, key or CA
  // cannot be used).
  LinkServer(boost::asio::io_context& io, Ingest& ingest, const Clock& clock, LinkOptions options,
             std::shared_ptr<const ServedCatalogue> catalogue, std::shared_ptr<spdlog::logger> log);
  ~LinkServer();
  LinkServer(const LinkServer&) = delete;
  LinkServer& operator=(const LinkServer&) = delete;

  // Binds and listens (throws std::runtime_error: address in use, permission...); then accepts on the
  // io thread. Returns the bound address (host:port).
  std::string listen();
  // On the io thread from here on.
  // A new catalogue: connected agents whose assignment changed get an AssignmentUpdate; agents no
  // longer in it (or whose token changed) are closed.
  void set_catalogue(std::shared_ptr<const ServedCatalogue> catalogue);
  // The store thread's queue has room again: sessions waiting for it read on.
  void on_room();
  // Stops accepting; every session stops reading, gets the answers to its batches in flight (within
  // shutdown_bound_ms), then a Refusal SHUTTING_DOWN, and is closed. `done` runs once all are closed.
  void shutdown(std::function<void()> done);
  std::size_t sessions() const;
  // What the link counted so far (connections, refusals, batches and results), for /metrics.
  const api::LinkCounters& counters() const;
  // Called on the io thread with each agent record the sessions publish (also handed to the store).
  void set_on_agent(std::function<void(const store::AgentRecord&)> on_agent);

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace slamon::collector
