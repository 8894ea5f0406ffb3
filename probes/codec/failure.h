// Why a probe run failed, for every probe type: one error enum with its own error category
// (`slamon.probe`), and the one table that decides what each cause means for the result. The target
// or the network path to it failing is `down`; only the agent's own inability (no socket, no
// privilege, no memory, no runner, its own configuration) is `unknown`. Runners turn what their
// libraries report (errno, CURLcode, SNMP Reports) into a ProbeError here, never decide it themselves.
#pragma once

#include <boost/system/error_code.hpp>
#include <string_view>
#include <type_traits>

#include "common/status.h"

namespace slamon::probes {

enum class ProbeError : int {
  ok = 0,
  // The target, or the path to it: down.
  name_unresolved = 1,    // the name does not resolve (in time, or to an address of the wanted family)
  no_answer,              // nothing came back before the timeout
  refused,                // connection refused or reset, port unreachable
  network_unreachable,    // a route says the network cannot be reached (unreachable, blackhole, prohibit)
  host_unreachable,       // the host cannot be reached (no neighbour, host route unreachable)
  icmp_error,             // the path answered with an ICMP error (destination unreachable, time exceeded...)
  tls_failure,            // handshake or certificate verification failed
  bad_reply,              // not the protocol: non-HTTP bytes, an unparsable status line, an undecodable answer
  bad_redirect,           // a redirect the probe cannot follow (file://, too many)
  snmp_wrong_digest,      // Report usmStatsWrongDigests
  snmp_unknown_user,      // Report usmStatsUnknownUserNames
  snmp_decryption_error,  // Report usmStatsDecryptionErrors
  snmp_unsupported_level, // Report usmStatsUnsupportedSecLevels
  snmp_engine_mismatch,   // Report usmStatsUnknownEngineIDs / usmStatsNotInTimeWindows after rediscovery
  snmp_error_status,      // an SNMP error status (noSuchName, tooBig at one value, genErr...)
  not_increasing,         // a walk whose OIDs stop increasing
  expectation_failed,     // a status, body, banner or value expectation not met
  // The agent's own inability: unknown.
  no_socket,              // cannot open a socket (descriptors, address family)
  no_privilege,           // not allowed to open or use the socket it needs
  no_memory,              // out of memory or buffers
  no_runner,              // this build has no runner for the probe's type
  agent_config,           // the agent's side of the probe cannot run: unreadable CA file, bad regex, unknown MIB name
  overran,                // the run did not end within its timeout (cut off by the scheduler)
  internal,               // a broken promise inside the agent (an exception, an unexpected error)
};

// The error category of ProbeError ("slamon.probe"); message() is the cause in words.
const boost::system::error_category& probe_category() noexcept;
inline boost::system::error_code make_error_code(ProbeError e) noexcept {
  return {static_cast<int>(e), probe_category()};
}

// The table: what a cause makes of the run (down or unknown; up for ok).
Status status_of(ProbeError e) noexcept;
// Any error code: ours through the table; others (asio, errno) through classify_errno first.
Status status_of(const boost::system::error_code& ec) noexcept;
// A short name of the cause ("no_answer"), stable, for tests and logs.
std::string_view name_of(ProbeError e) noexcept;

// errno values that sockets report (sendto, connect, the ICMP error queue) to the cause they
// mean: ENETUNREACH, EINVAL (blackhole route), EACCES and EPERM (prohibit route, firewall) are the
// path's; EMFILE, ENOBUFS, ENOMEM are the agent's. Unlisted values are `internal`.
ProbeError classify_errno(int e) noexcept;
// libcurl's CURLcode (as an int) to the cause: name, connect, TLS, garbage and redirect failures are
// the target's; out of memory, an unreadable CA file, a missing feature are the agent's.
ProbeError classify_curl(int curl_code) noexcept;

}  // namespace slamon::probes

template <>
struct boost::system::is_error_code_enum<slamon::probes::ProbeError> : std::true_type {};
