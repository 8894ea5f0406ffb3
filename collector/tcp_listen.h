// What the collector's two listeners (the agents' link, link_server.cpp; HTTP, http_server.cpp) share:
// opening a listening socket on a configured host and port, and writing an endpoint for log lines.
// Header-only, included by those two translation units only (Asio stays in few of them).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <stdexcept>
#include <string>

namespace slamon::collector {

// "192.0.2.1:7443", "[2001:db8::1]:7443".
inline std::string endpoint_text(const boost::asio::ip::tcp::endpoint& ep) {
  const auto a = ep.address();
  return (a.is_v6() ? "[" + a.to_string() + "]" : a.to_string()) + ":" + std::to_string(ep.port());
}

// Opens `acc` listening on host:port (an address, or a host name resolved once: its first address;
// at start-up, so a blocking lookup is fine), SO_REUSEADDR, dual-stack on IPv6. Throws
// std::runtime_error naming the step that failed.
inline void open_listener(boost::asio::io_context& io, boost::asio::ip::tcp::acceptor& acc, const std::string& host,
                          unsigned short port) {
  namespace asio = boost::asio;
  using tcp = asio::ip::tcp;
  boost::system::error_code ec;
  auto address = asio::ip::make_address(host, ec);
  if (ec) {
    tcp::resolver resolver(io);
    const auto found = resolver.resolve(host, std::to_string(port), tcp::resolver::passive, ec);
    if (ec || found.empty()) throw std::runtime_error("cannot resolve '" + host + "': " + (ec ? ec.message() : "no address"));
    address = found.begin()->endpoint().address();
  }
  const tcp::endpoint ep(address, port);
  auto check = [&ec](const char* what) {
    if (ec) throw std::runtime_error(std::string(what) + ": " + ec.message());
  };
  acc.open(ep.protocol(), ec);
  check("socket");
  acc.set_option(tcp::acceptor::reuse_address(true), ec);
  check("SO_REUSEADDR");
  if (address.is_v6()) {
    acc.set_option(asio::ip::v6_only(false), ec);
    check("IPV6_V6ONLY");
  }
  acc.bind(ep, ec);
  check("bind");
  acc.listen(asio::socket_base::max_listen_connections, ec);
  check("listen");
}

}  // namespace slamon::collector
