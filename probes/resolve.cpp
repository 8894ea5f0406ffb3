// Name resolution with a deadline (see resolve.h).
#include "probes/resolve.h"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <memory>

#include "probes/codec/failure.h"

namespace slamon::probes {
namespace asio = boost::asio;

namespace {

bool fits(const asio::ip::address& a, catalogue::IpVersion version) {
  return version == catalogue::IpVersion::any || (version == catalogue::IpVersion::v4) == a.is_v4();
}

// Shared with the resolver's handler, which may complete after the run stopped waiting.
struct Wait {
  explicit Wait(const asio::any_io_executor& ex) : timer(ex), resolver(ex) {}
  asio::steady_timer timer;
  asio::ip::udp::resolver resolver;
  bool done = false;
  boost::system::error_code ec;
  asio::ip::udp::resolver::results_type results;
};

}  // namespace

asio::awaitable<boost::system::result<std::vector<asio::ip::address>>> resolve_host(
    asio::any_io_executor executor, std::string host, catalogue::IpVersion version,
    std::chrono::steady_clock::time_point deadline) {
  boost::system::error_code ec;
  const auto literal = asio::ip::make_address(host, ec);
  if (!ec) {
    if (!fits(literal, version)) co_return boost::system::error_code(ProbeError::name_unresolved);
    co_return std::vector{literal};
  }
  auto wait = std::make_shared<Wait>(executor);
  wait->timer.expires_at(deadline);
  auto handler = [wait](const boost::system::error_code& e, asio::ip::udp::resolver::results_type r) {
    wait->done = true;
    wait->ec = e;
    wait->results = std::move(r);
    wait->timer.cancel();
  };
  if (version == catalogue::IpVersion::v4) wait->resolver.async_resolve(asio::ip::udp::v4(), host, "", handler);
  else if (version == catalogue::IpVersion::v6) wait->resolver.async_resolve(asio::ip::udp::v6(), host, "", handler);
  else wait->resolver.async_resolve(host, "", handler);
  co_await wait->timer.async_wait(asio::as_tuple(asio::use_awaitable));
  if (!wait->done) {
    wait->resolver.cancel();
    co_return boost::system::error_code(asio::error::timed_out);
  }
  if (wait->ec) co_return wait->ec;
  std::vector<asio::ip::address> out;
  for (const auto& entry : wait->results) {
    const auto a = entry.endpoint().address();
    if (fits(a, version) && std::find(out.begin(), out.end(), a) == out.end()) out.push_back(a);
  }
  if (out.empty()) co_return boost::system::error_code(ProbeError::name_unresolved);
  co_return out;
}

std::string resolve_message(const std::string& host, catalogue::IpVersion version, const boost::system::error_code& ec) {
  boost::system::error_code literal_ec;
  const auto literal = asio::ip::make_address(host, literal_ec);
  if (!literal_ec && !fits(literal, version))
    return host + " is not an IPv" + (version == catalogue::IpVersion::v4 ? "4" : "6") + " address";
  if (ec == asio::error::timed_out) return "cannot resolve " + host + ": timed out";
  if (ec == ProbeError::name_unresolved) return "cannot resolve " + host + ": no address";
  return "cannot resolve " + host + ": " + ec.message();
}

}  // namespace slamon::probes
