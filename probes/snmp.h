// The SNMP probe (v1, v2c, v3 USM): GETs and walks through net-snmp's single-session API, with each
// session's socket watched on the event loop and net-snmp's retransmission timer on an Asio timer.
// Nothing blocks the loop: names are resolved with Asio, v3 engine ids are discovered with our own
// UDP exchange (probes/codec/snmp_discovery.h) and cached per agent address, sessions are opened with
// SNMP_FLAGS_DONT_PROBE, and USM master keys (Ku) are computed once per password and kept.
// Sessions are kept between runs (by target, version, credentials, timeout and retries) while idle
// for less than `idle_session_ttl_ms`, at most `max_idle_sessions` of them: a run to a target that was
// polled recently sends its requests at once, without opening a socket. A session on which a request
// was abandoned (run deadline, cancellation) is closed, never reused.
// Each request is tried `retries + 1` times with per-try timeouts from the target's measured round
// trip (probes/codec/round_trip.h), so a lossy link costs short waits, not the run's timeout. Walks
// use GETBULK (GETNEXT on v1); the bulk size is halved on tooBig, or when every try of a bulk request
// went unanswered (a size-related loss), never for a plain loss; a walk whose OIDs stop increasing
// ends the run down ("OID not increasing: A after B") instead of looping.
//
// net-snmp keeps process-wide state (MIB tree, USM user table, engine times): the first runner
// created initialises it (init_snmp("slamon"), persistent directory under the state folder, no
// ~/.snmp or /var/lib/snmp configuration); runners and their sessions stay on one event-loop thread.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "probes/runner.h"
#include "probes/codec/snmp_expect.h"

namespace spdlog {
class logger;
}

namespace slamon::probes {

struct SnmpRunnerOptions {
  std::string state_dir;              // net-snmp's persistent files go to <state_dir>/snmp
  std::vector<std::string> mib_dirs;  // every MIB module in these folders is loaded once
  std::string agent;                  // stamped on results; empty: the probe's own `agent`
  std::size_t max_message_bytes = 0;  // v3 msgMaxSize we announce (0: net-snmp's default, 65507)
  std::size_t max_idle_sessions = 1024;  // sessions (one socket each) kept open between runs; 0: none
  DurationMs idle_session_ttl_ms = 5 * 60'000;  // an idle session older than this is closed
};

// One run's result with the values it fetched (GETs in order, then each walk's rows).
struct SnmpRun {
  ProbeResult result;
  std::vector<SnmpVarbind> values;
};

class SnmpRunner : public Runner {
 public:
  // Like run(), and returns the values too (for `slamon probe snmp`).
  virtual boost::asio::awaitable<SnmpRun> fetch(const catalogue::Probe& probe, TimeMs started) = 0;
  // Runs in progress: the scheduler starts a probe only below its limit.
  virtual std::size_t in_flight() const = 0;
  // Sessions kept open for the next runs (one socket each).
  virtual std::size_t idle_sessions() const = 0;
};

std::unique_ptr<SnmpRunner> make_snmp_runner(boost::asio::any_io_executor executor, SnmpRunnerOptions options,
                                             std::shared_ptr<spdlog::logger> logger);

}  // namespace slamon::probes
