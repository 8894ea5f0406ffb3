// The agent's link to its collector: one coroutine that connects (resolve, TCP, TLS 1.2+ verifying
// the collector's certificate and name), says Hello, and then sends the spool's results, the newest
// first (results committed during the session go as soon as they are, while the backlog fills the
// other slots from the oldest; at most 8 batches unacknowledged, one slot kept for live results) and
// only what the collector does not hold; heartbeats every 5 s, applies the collector's
// acknowledgements, resend requests and assignments. When the connection fails, goes silent for 30 s
// or is refused, it moves to the next of the configured collectors at once (CollectorChoice), and
// waits a jittered exponential backoff only after a round in which every collector failed. Every read and write has a
// deadline. It runs on the agent's single loop thread, with the scheduler and the spool sink (the
// spool is not thread-safe; its reads and commits are short). What each collector message means is
// decided in agent/uplink_logic.h; Asio and OpenSSL stay in uplink.cpp.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <spdlog/fwd.h>
#include <string>

#include "agent/spool.h"
#include "agent/uplink_logic.h"
#include "common/agent_config.h"
#include "common/time.h"
#include "common/wire/slamon.pb.h"

namespace slamon::agent {

struct UplinkOptions {
  DurationMs connect_timeout_ms = 10'000;    // resolve + TCP connect
  DurationMs handshake_timeout_ms = 10'000;  // TLS
  DurationMs welcome_timeout_ms = 10'000;    // Hello sent -> Welcome or Refusal
  DurationMs write_timeout_ms = 10'000;      // each frame written
  DurationMs heartbeat_every_ms = 5'000;
  DurationMs silence_limit_ms = 30'000;      // no message from the collector this long: reconnect
  DurationMs shutdown_timeout_ms = 1'000;    // TLS close at stop()
  std::size_t max_batch_entries = 1'000;
  std::size_t max_in_flight = 8;             // batches sent and not yet acknowledged
  DurationMs backoff_initial_ms = 1'000;
  DurationMs backoff_max_ms = 60'000;
};

// The result of applying an assignment (accepted, or why not: the previous one keeps running).
struct AssignmentOutcome {
  bool accepted = false;
  std::string reason;
};

struct UplinkHooks {
  // Decodes, caches and runs a new assignment (called on the loop thread).
  std::function<AssignmentOutcome(const wire::v1::Assignment&)> apply_assignment;
  // The version of the assignment running now ("" when none), for Hello.
  std::function<std::string()> assignment_version;
};

struct UplinkStats {
  std::uint64_t sessions = 0;        // Welcomes received
  std::uint64_t batches_sent = 0;
  std::uint64_t entries_sent = 0;    // entries (results and gaps) sent, resends included
  std::uint64_t acknowledged = 0;    // spool rows deleted after an acknowledgement
  bool connected = false;
};

class Uplink {
 public:
  // Loads the TLS files (CA, client certificate and key): throws std::runtime_error naming the file
  // when one cannot be used (a start-up error). `config.token` is sent in Hello and never logged.
  Uplink(boost::asio::any_io_executor executor, const AgentConfig& config, Spool& spool, const Clock& clock,
         std::shared_ptr<spdlog::logger> log, UplinkHooks hooks, UplinkOptions options = {},
         UniformRandom random = {});
  ~Uplink();
  Uplink(const Uplink&) = delete;
  Uplink& operator=(const Uplink&) = delete;

  // Starts connecting (and keeps doing so until stop()).
  void start();
  // New entries are in the spool (the spool sink committed).
  void notify();
  // The spool's oldest entries [first_seq, last_seq] became one gap record.
  void dropped(std::uint64_t first_seq, std::uint64_t last_seq);
  // Closes the session (TLS close within shutdown_timeout_ms) and stops reconnecting. What is in the
  // spool stays there and is sent next time.
  void stop();
  // The coroutine has ended (after stop()).
  bool stopped() const;
  UplinkStats stats() const;
  // "host:port" of the collector connected to or tried now, as log lines name it.
  const std::string& peer() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace slamon::agent
