// The TCP connect runner (see tcp.h): one coroutine per run; every wait races the run's deadline.
#include "probes/tcp.h"

#include <re2/re2.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <cmath>
#include <spdlog/spdlog.h>

#include "probes/resolve.h"

namespace slamon::probes {

namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;
using Steady = std::chrono::steady_clock;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

// A short, printable excerpt of what the server sent, for messages.
std::string excerpt(std::string_view bytes) {
  std::string out;
  for (const char c : bytes.substr(0, 60)) {
    if (c == '\r') out += "\\r";
    else if (c == '\n') out += "\\n";
    else if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) out += '.';
    else out += c;
  }
  if (bytes.size() > 60) out += "...";
  return out;
}

std::string endpoint_text(const asio::ip::tcp::endpoint& ep) {
  const auto a = ep.address();
  return (a.is_v6() ? "[" + a.to_string() + "]" : a.to_string()) + ":" + std::to_string(ep.port());
}

double elapsed_ms(Steady::time_point since) {
  const double ms = std::chrono::duration<double, std::milli>(Steady::now() - since).count();
  return std::round(ms * 1000) / 1000;
}

}  // namespace

TcpRunner::TcpRunner(asio::any_io_executor executor, std::shared_ptr<spdlog::logger> log, std::string agent)
    : executor_(std::move(executor)), log_(std::move(log)), agent_(std::move(agent)) {}

asio::awaitable<ProbeResult> TcpRunner::run(const catalogue::Probe& probe, TimeMs started) {
  const std::string agent = agent_;
  const auto* spec = std::get_if<catalogue::TcpSpec>(&probe.spec);
  if (!spec) {
    co_return agent_side(probe, started, ProbeError::internal, "not a TCP probe", agent);
  }
  co_return evaluate(probe, started, co_await measure(*spec, probe.timeout_ms), agent);
}

asio::awaitable<RunOutcome> TcpRunner::measure(const catalogue::TcpSpec& spec_in, DurationMs timeout_ms) {
  const catalogue::TcpSpec spec = spec_in;  // the caller's copy may not outlive a suspension
  const auto ex = executor_;
  RunOutcome out;
  const auto deadline = Steady::now() + std::chrono::milliseconds(timeout_ms);
  const auto addresses = co_await resolve_host(ex, spec.host, catalogue::IpVersion::any, deadline);
  if (!addresses) {
    out.error = ProbeError::name_unresolved;
    out.message = resolve_message(spec.host, catalogue::IpVersion::any, addresses.error());
    co_return out;
  }
  std::vector<asio::ip::tcp::endpoint> endpoints;
  for (const auto& a : *addresses) endpoints.emplace_back(a, static_cast<unsigned short>(spec.port));

  asio::ip::tcp::socket socket(ex);
  std::string last_error;
  ProbeError last_cause = ProbeError::no_answer;
  bool connected = false;
  for (const auto& ep : endpoints) {
    if (Steady::now() >= deadline) break;
    boost::system::error_code ec;
    socket.close(ec);
    socket.open(ep.protocol(), ec);
    if (ec) {
      out.error = classify_errno(ec.value());
      if (status_of(out.error) != Status::down) out.error = ProbeError::no_socket;
      out.message = "cannot open a socket: " + ec.message();
      co_return out;
    }
    asio::steady_timer timer(ex, deadline);
    const auto t0 = Steady::now();
    auto winner = co_await (socket.async_connect(ep, use_tuple) || timer.async_wait(use_tuple));
    if (winner.index() == 1) {
      last_error = endpoint_text(ep) + ": no answer within " + format_duration(timeout_ms);
      last_cause = ProbeError::no_answer;
      break;
    }
    const auto [connect_ec] = std::get<0>(winner);
    if (connect_ec) {
      last_error = endpoint_text(ep) + ": " + connect_ec.message();
      // Refused, unreachable, a local route or firewall: the path's. Only our own shortage is unknown.
      last_cause = classify_errno(connect_ec.value());
      if (last_cause == ProbeError::internal) last_cause = ProbeError::refused;
      continue;
    }
    out.latency_ms = elapsed_ms(t0);
    connected = true;
    break;
  }
  if (!connected) {
    out.error = last_error.empty() ? ProbeError::no_answer : last_cause;
    out.message = last_error.empty() ? "no answer within " + format_duration(timeout_ms) : last_error;
    co_return out;
  }
  if (!spec.banner_contains && !spec.banner_regex) co_return out;

  std::unique_ptr<re2::RE2> regex;
  if (spec.banner_regex) {
    regex = std::make_unique<re2::RE2>(*spec.banner_regex, re2::RE2::Quiet);
    if (!regex->ok()) {
      out.error = ProbeError::agent_config;
      out.message = "invalid banner_regex: " + regex->error();
      co_return out;
    }
  }
  auto met = [&](std::string_view banner) {
    if (spec.banner_contains && banner.find(*spec.banner_contains) == std::string_view::npos) return false;
    if (regex && !re2::RE2::PartialMatch(banner, *regex)) return false;
    return true;
  };
  std::string banner;
  std::string ended = "timeout";
  std::array<char, 1024> chunk;
  while (banner.size() < kTcpBannerMaxBytes && !met(banner)) {
    asio::steady_timer timer(ex, deadline);
    const std::size_t room = std::min(chunk.size(), kTcpBannerMaxBytes - banner.size());
    auto winner = co_await (socket.async_read_some(asio::buffer(chunk.data(), room), use_tuple) ||
                            timer.async_wait(use_tuple));
    if (winner.index() == 1) break;
    const auto [ec, n] = std::get<0>(winner);
    banner.append(chunk.data(), n);
    if (ec) {
      ended = ec == asio::error::eof ? "connection closed" : ec.message();
      break;
    }
  }
  if (met(banner)) co_return out;
  out.error = ProbeError::expectation_failed;
  std::string expected;
  if (spec.banner_contains) expected = "'" + *spec.banner_contains + "'";
  if (spec.banner_regex) expected += (expected.empty() ? "/" : " and /") + *spec.banner_regex + "/";
  out.message = "banner did not match " + expected + " (" + std::to_string(banner.size()) + " bytes before " +
                (banner.size() >= kTcpBannerMaxBytes ? std::string("the 4 KiB limit") : ended) +
                (banner.empty() ? std::string(")") : "): \"" + excerpt(banner) + "\"");
  co_return out;
}

}  // namespace slamon::probes
