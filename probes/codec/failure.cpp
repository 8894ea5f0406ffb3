// The classification table of probe failures (see failure.h).
#include "probes/codec/failure.h"

#include <curl/curl.h>

#include <array>
#include <cerrno>
#include <string>

namespace slamon::probes {
namespace {

struct Row {
  ProbeError error;
  Status status;
  std::string_view name;
  std::string_view text;
};

// One row per cause, in the enum's order (checked below).
constexpr std::array<Row, 25> kTable{{
    {ProbeError::ok, Status::up, "ok", "no failure"},
    {ProbeError::name_unresolved, Status::down, "name_unresolved", "the name does not resolve"},
    {ProbeError::no_answer, Status::down, "no_answer", "no answer before the timeout"},
    {ProbeError::refused, Status::down, "refused", "refused by the target"},
    {ProbeError::network_unreachable, Status::down, "network_unreachable", "network unreachable"},
    {ProbeError::host_unreachable, Status::down, "host_unreachable", "host unreachable"},
    {ProbeError::icmp_error, Status::down, "icmp_error", "ICMP error from the path"},
    {ProbeError::tls_failure, Status::down, "tls_failure", "TLS failure"},
    {ProbeError::bad_reply, Status::down, "bad_reply", "the answer is not the expected protocol"},
    {ProbeError::bad_redirect, Status::down, "bad_redirect", "a redirect the probe cannot follow"},
    {ProbeError::snmp_wrong_digest, Status::down, "snmp_wrong_digest",
     "authentication failure: wrong digest (wrong authentication password or key)"},
    {ProbeError::snmp_unknown_user, Status::down, "snmp_unknown_user", "authentication failure: unknown user name"},
    {ProbeError::snmp_decryption_error, Status::down, "snmp_decryption_error",
     "authentication failure: decryption error (wrong privacy password or protocol)"},
    {ProbeError::snmp_unsupported_level, Status::down, "snmp_unsupported_level",
     "authentication failure: security level not supported for this user"},
    {ProbeError::snmp_engine_mismatch, Status::down, "snmp_engine_mismatch",
     "engine id or time not accepted by the target"},
    {ProbeError::snmp_error_status, Status::down, "snmp_error_status", "SNMP error status"},
    {ProbeError::not_increasing, Status::down, "not_increasing", "OID not increasing"},
    {ProbeError::expectation_failed, Status::down, "expectation_failed", "expectation not met"},
    {ProbeError::no_socket, Status::unknown, "no_socket", "the agent cannot open a socket"},
    {ProbeError::no_privilege, Status::unknown, "no_privilege", "the agent lacks a privilege"},
    {ProbeError::no_memory, Status::unknown, "no_memory", "the agent is out of memory or buffers"},
    {ProbeError::no_runner, Status::unknown, "no_runner", "no runner for this probe type"},
    {ProbeError::agent_config, Status::unknown, "agent_config", "the agent cannot run this probe as configured"},
    {ProbeError::overran, Status::unknown, "overran", "the run overran its timeout"},
    {ProbeError::internal, Status::unknown, "internal", "internal error in the agent"},
}};

constexpr bool table_in_order() {
  for (std::size_t i = 0; i < kTable.size(); ++i)
    if (static_cast<std::size_t>(kTable[i].error) != i) return false;
  return static_cast<std::size_t>(ProbeError::internal) + 1 == kTable.size();
}
static_assert(table_in_order(), "kTable must list every ProbeError once, in the enum's order");

const Row* row(int ev) noexcept {
  if (ev < 0 || static_cast<std::size_t>(ev) >= kTable.size()) return nullptr;
  return &kTable[static_cast<std::size_t>(ev)];
}

class ProbeCategory final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "slamon.probe"; }
  std::string message(int ev) const override {
    const Row* r = row(ev);
    return r ? std::string(r->text) : "unknown probe error " + std::to_string(ev);
  }
};

}  // namespace

const boost::system::error_category& probe_category() noexcept {
  static const ProbeCategory category;
  return category;
}

Status status_of(ProbeError e) noexcept {
  const Row* r = row(static_cast<int>(e));
  return r ? r->status : Status::unknown;
}

Status status_of(const boost::system::error_code& ec) noexcept {
  if (!ec) return Status::up;
  if (ec.category() == probe_category()) return status_of(static_cast<ProbeError>(ec.value()));
  if (ec.category() == boost::system::system_category() || ec.category() == boost::system::generic_category())
    return status_of(classify_errno(ec.value()));
  return Status::unknown;
}

std::string_view name_of(ProbeError e) noexcept {
  const Row* r = row(static_cast<int>(e));
  return r ? r->name : "?";
}

ProbeError classify_errno(int e) noexcept {
  switch (e) {
    case 0: return ProbeError::ok;
    // The path: a route (unreachable, blackhole, prohibit), a firewall, no neighbour.
    case ENETUNREACH:
    case ENETDOWN:
    case EINVAL:  // sendto over a blackhole route
    case EACCES:  // a prohibit route
    case EPERM:   // a firewall rule on the way out
    case EADDRNOTAVAIL:
      return ProbeError::network_unreachable;
    case EHOSTUNREACH:
    case EHOSTDOWN:
      return ProbeError::host_unreachable;
    case ECONNREFUSED:
    case ECONNRESET:
    case ECONNABORTED:
    case EPIPE:
      return ProbeError::refused;
    case ETIMEDOUT:
      return ProbeError::no_answer;
    case EMSGSIZE:
      return ProbeError::network_unreachable;  // larger than the path takes
    case EPROTO:
      return ProbeError::bad_reply;
    // The agent itself.
    case EMFILE:
    case ENFILE:
    case EAFNOSUPPORT:
    case EPROTONOSUPPORT:
    case ESOCKTNOSUPPORT:
      return ProbeError::no_socket;
    case ENOBUFS:
    case ENOMEM:
      return ProbeError::no_memory;
    default:
      return ProbeError::internal;
  }
}

ProbeError classify_curl(int curl_code) noexcept {
  switch (static_cast<CURLcode>(curl_code)) {
    case CURLE_OK: return ProbeError::ok;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      return ProbeError::name_unresolved;
    case CURLE_OPERATION_TIMEDOUT:
      return ProbeError::no_answer;
    case CURLE_COULDNT_CONNECT:
      return ProbeError::refused;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_USE_SSL_FAILED:
      return ProbeError::tls_failure;
    // What the target sent is not HTTP: HTTP/0.9 bytes (curl's "unsupported protocol"), a bad status
    // line, nothing, a broken transfer. A redirect to file:// also comes as "unsupported protocol";
    // the runner tells the two apart by the 3xx status.
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_HTTP3:
    case CURLE_BAD_CONTENT_ENCODING:
    case CURLE_RANGE_ERROR:
    case CURLE_BAD_DOWNLOAD_RESUME:
      return ProbeError::bad_reply;
    case CURLE_TOO_MANY_REDIRECTS:
      return ProbeError::bad_redirect;
    // The agent itself.
    case CURLE_OUT_OF_MEMORY:
      return ProbeError::no_memory;
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_NOT_BUILT_IN:
    case CURLE_URL_MALFORMAT:  // `check` refuses such URLs: here it is the agent's
    case CURLE_BAD_FUNCTION_ARGUMENT:
    case CURLE_UNKNOWN_OPTION:
      return ProbeError::agent_config;
    case CURLE_FAILED_INIT:
    case CURLE_ABORTED_BY_CALLBACK:
    case CURLE_WRITE_ERROR:
    case CURLE_READ_ERROR:
      return ProbeError::internal;
    default:
      return ProbeError::bad_reply;  // a transfer the target broke some other way
  }
}

}  // namespace slamon::probes
