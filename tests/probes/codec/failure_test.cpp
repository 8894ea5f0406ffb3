// Tests for probes/codec/failure.h: the one classification table, per probe type. The target or the
// path failing is down; only the agent's own inability is unknown.
#include "probes/codec/failure.h"

#include <curl/curl.h>
#include <doctest/doctest.h>

#include <cerrno>

using namespace slamon;
using namespace slamon::probes;

TEST_CASE("every probe error has a status, a name and a message in the slamon.probe category") {
  for (int e = 0; e <= static_cast<int>(ProbeError::internal); ++e) {
    const auto err = static_cast<ProbeError>(e);
    const boost::system::error_code ec = err;  // is_error_code_enum
    CHECK(ec.category().name() == std::string("slamon.probe"));
    CHECK(!ec.message().empty());
    CHECK(name_of(err) != "?");
    CHECK((status_of(err) == Status::down || status_of(err) == Status::unknown || err == ProbeError::ok));
  }
  CHECK(status_of(ProbeError::ok) == Status::up);
  // the agent's own inability, and nothing else, is unknown
  for (auto e : {ProbeError::no_socket, ProbeError::no_privilege, ProbeError::no_memory, ProbeError::no_runner,
                 ProbeError::agent_config, ProbeError::overran, ProbeError::internal})
    CHECK(status_of(e) == Status::unknown);
  for (auto e : {ProbeError::name_unresolved, ProbeError::no_answer, ProbeError::refused,
                 ProbeError::network_unreachable, ProbeError::host_unreachable, ProbeError::icmp_error,
                 ProbeError::tls_failure, ProbeError::bad_reply, ProbeError::bad_redirect,
                 ProbeError::snmp_wrong_digest, ProbeError::snmp_unknown_user, ProbeError::expectation_failed})
    CHECK(status_of(e) == Status::down);
}

TEST_CASE("icmp, tcp and snmp: local route and firewall errors of a send are the path's (down)") {
  // blackhole (EINVAL), prohibit (EACCES), firewall (EPERM), unreachable routes
  for (int e : {EINVAL, EACCES, EPERM, ENETUNREACH, EHOSTUNREACH, EADDRNOTAVAIL, ECONNREFUSED, ETIMEDOUT})
    CHECK(status_of(classify_errno(e)) == Status::down);
  CHECK(classify_errno(EINVAL) == ProbeError::network_unreachable);
  CHECK(classify_errno(EACCES) == ProbeError::network_unreachable);
  CHECK(classify_errno(EHOSTUNREACH) == ProbeError::host_unreachable);
  CHECK(classify_errno(ECONNREFUSED) == ProbeError::refused);
  // the agent's own shortage
  CHECK(classify_errno(ENOBUFS) == ProbeError::no_memory);
  CHECK(classify_errno(ENOMEM) == ProbeError::no_memory);
  CHECK(classify_errno(EMFILE) == ProbeError::no_socket);
  CHECK(status_of(classify_errno(EMFILE)) == Status::unknown);
  // errno codes as error_code go through the same table
  CHECK(status_of(boost::system::error_code(ENETUNREACH, boost::system::system_category())) == Status::down);
  CHECK(status_of(boost::system::error_code(ENOBUFS, boost::system::system_category())) == Status::unknown);
}

TEST_CASE("http: garbage, bad status lines and redirects are the target's; the agent's files are unknown") {
  CHECK(classify_curl(CURLE_UNSUPPORTED_PROTOCOL) == ProbeError::bad_reply);  // HTTP/0.9 bytes
  CHECK(classify_curl(CURLE_WEIRD_SERVER_REPLY) == ProbeError::bad_reply);    // unparsable status line
  CHECK(classify_curl(CURLE_GOT_NOTHING) == ProbeError::bad_reply);
  CHECK(classify_curl(CURLE_TOO_MANY_REDIRECTS) == ProbeError::bad_redirect);
  CHECK(classify_curl(CURLE_COULDNT_RESOLVE_HOST) == ProbeError::name_unresolved);
  CHECK(classify_curl(CURLE_COULDNT_CONNECT) == ProbeError::refused);
  CHECK(classify_curl(CURLE_OPERATION_TIMEDOUT) == ProbeError::no_answer);
  CHECK(classify_curl(CURLE_PEER_FAILED_VERIFICATION) == ProbeError::tls_failure);
  for (int c : {CURLE_UNSUPPORTED_PROTOCOL, CURLE_WEIRD_SERVER_REPLY, CURLE_GOT_NOTHING, CURLE_RECV_ERROR,
                CURLE_TOO_MANY_REDIRECTS, CURLE_SSL_CONNECT_ERROR})
    CHECK(status_of(classify_curl(c)) == Status::down);
  for (int c : {CURLE_OUT_OF_MEMORY, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_CERTPROBLEM, CURLE_NOT_BUILT_IN,
                CURLE_FAILED_INIT})
    CHECK(status_of(classify_curl(c)) == Status::unknown);
}

TEST_CASE("snmp: Reports are authentication failures of the target, with their reason") {
  CHECK(status_of(ProbeError::snmp_wrong_digest) == Status::down);
  CHECK(make_error_code(ProbeError::snmp_wrong_digest).message() ==
        "authentication failure: wrong digest (wrong authentication password or key)");
  CHECK(make_error_code(ProbeError::snmp_unknown_user).message() == "authentication failure: unknown user name");
  CHECK(status_of(ProbeError::snmp_decryption_error) == Status::down);
  CHECK(status_of(ProbeError::not_increasing) == Status::down);
}
