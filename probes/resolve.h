// Name resolution with a deadline, shared by every probe type that resolves names itself (ICMP, TCP,
// SNMP; HTTP uses libcurl's threaded resolver): an address literal at once, a name through Asio's
// resolver (whose thread may block, never the event loop), given up at the deadline. Every failure
// is the target's side (ProbeError::name_unresolved in the failure table).
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/system/result.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "common/catalogue/model.h"

namespace slamon::probes {

// The addresses of `host` that fit `version`, in the resolver's order. Errors: the resolver's own
// (host_not_found...), asio::error::timed_out at the deadline, ProbeError::name_unresolved when no
// address fits `version`.
boost::asio::awaitable<boost::system::result<std::vector<boost::asio::ip::address>>> resolve_host(
    boost::asio::any_io_executor executor, std::string host, catalogue::IpVersion version,
    std::chrono::steady_clock::time_point deadline);

// The result message for a failed resolve_host: "cannot resolve NAME: timed out", or for a literal of
// the other family "127.0.0.1 is not an IPv6 address".
std::string resolve_message(const std::string& host, catalogue::IpVersion version, const boost::system::error_code& ec);

}  // namespace slamon::probes
