// The HTTP(S) runner against a real nginx on loopback (tests/probes/peers/https_peer.sh): statuses,
// bodies, redirects, slow transfers, TLS verification with a generated CA, expired / expiring /
// wrong-host certificates, tls.server_name, thresholds and many probes at once on one loop.
#include "probes/http.h"

#include <doctest/doctest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <optional>
#include <thread>

#include "common/catalogue/measurements.h"
#include "tests/probes/peers/peer_support.h"

namespace asio = boost::asio;
using namespace slamon;
using slamon::catalogue::HttpSpec;
using slamon::catalogue::Probe;

namespace {

Probe http_probe(const std::string& url, DurationMs timeout_ms = 3000) {
  Probe p;
  p.id = "web.http";
  p.type = catalogue::ProbeType::http;
  p.agent = "a1";
  p.timeout_ms = timeout_ms;
  HttpSpec s;
  s.url = url;
  p.spec = s;
  return p;
}

HttpSpec& spec(Probe& p) { return std::get<HttpSpec>(p.spec); }

std::optional<double> metric(const ProbeResult& r, std::string_view name) {
  for (const auto& m : r.metrics)
    if (m.name == name) return m.value;
  return std::nullopt;
}

struct Loop {
  asio::io_context io;
  std::unique_ptr<probes::HttpRunner> runner = probes::make_http_runner(io.get_executor(), {}, nullptr);

  ProbeResult run(const Probe& p) {
    std::optional<ProbeResult> out;
    asio::co_spawn(io, runner->run(p, 1000), [&](std::exception_ptr e, ProbeResult r) {
      if (e) std::rethrow_exception(e);
      out = std::move(r);
    });
    io.restart();
    io.run();
    REQUIRE(out.has_value());
    return *out;
  }
};

}  // namespace

TEST_CASE("curl resolves names off the event loop") { CHECK(probes::curl_has_async_dns()); }

TEST_CASE("http runner against nginx") {
  test::TempDir dir;
  const int base = test::free_port_range(6);
  test::Peer peer(test::peers_dir() + "/https_peer.sh", dir.path(), base);
  const std::string http = "http://127.0.0.1:" + std::to_string(base);
  const auto https = [&](int offset) { return "https://127.0.0.1:" + std::to_string(base + offset); };
  const std::string ca = dir.path() + "/ca.crt";
  Loop loop;

  {  // plain 200 with a body expectation, the phase metrics, the result's identity
    auto p = http_probe(http + "/");
    spec(p).body_contains = "hello slamon";
    const auto r = loop.run(p);
    CHECK(r.status == Status::up);
    CHECK(r.message == "");
    CHECK(r.probe == "web.http");
    CHECK(r.agent == "a1");
    CHECK(r.ts == 1000);
    REQUIRE(r.latency_ms.has_value());
    CHECK(*r.latency_ms > 0);
    CHECK(metric(r, "http_status") == 200);
    CHECK(metric(r, "connect_ms").has_value());
    CHECK(metric(r, "ttfb_ms").has_value());
    CHECK(*metric(r, "ttfb_ms") <= *r.latency_ms);
    CHECK_FALSE(metric(r, "tls_ms").has_value());
    CHECK_FALSE(metric(r, "cert_days_left").has_value());
    CHECK(loop.runner->in_flight() == 0);
  }
  {  // names are resolved (by curl's threaded resolver)
    const auto r = loop.run(http_probe("http://localhost:" + std::to_string(base) + "/"));
    CHECK(r.status == Status::up);
  }
  if (test::has_ipv6_loopback()) {  // IPv6 literal; ip_version restricts the family
    auto p = http_probe("http://[::1]:" + std::to_string(base) + "/");
    CHECK(loop.run(p).status == Status::up);
    spec(p).ip_version = catalogue::IpVersion::v6;
    CHECK(loop.run(p).status == Status::up);
    spec(p).ip_version = catalogue::IpVersion::v4;
    CHECK(loop.run(p).status == Status::down);
  }
  {  // wrong status, then the same status expected
    auto p = http_probe(http + "/status/500");
    auto r = loop.run(p);
    CHECK(r.status == Status::down);
    CHECK(r.message == "status 500 not in 200-399");
    CHECK(metric(r, "http_status") == 500);
    spec(p).expect_status = {{500, 500}, {200, 204}};
    r = loop.run(p);
    CHECK(r.status == Status::up);
    p = http_probe(http + "/status/404");
    spec(p).expect_status = {{500, 500}, {200, 204}};
    CHECK(loop.run(p).message == "status 404 not in 500,200-204");
  }
  {  // body expectations
    auto p = http_probe(http + "/wrong");
    spec(p).body_contains = "hello";
    auto r = loop.run(p);
    CHECK(r.status == Status::down);
    CHECK(r.message == "body does not contain \"hello\"");
    p = http_probe(http + "/wrong");
    spec(p).body_not_contains = "maintenance";
    r = loop.run(p);
    CHECK(r.status == Status::down);
    CHECK(r.message == "body contains \"maintenance\"");
    p = http_probe(http + "/wrong");
    spec(p).body_regex = "main[a-z]+ance in";
    CHECK(loop.run(p).status == Status::up);
    spec(p).body_regex = "^hello";
    r = loop.run(p);
    CHECK(r.status == Status::down);
    CHECK(r.message == "body does not match /^hello/");
  }
  {  // redirects: not followed (302 is in 200-399), followed, and a loop
    auto p = http_probe(http + "/redirect");
    auto r = loop.run(p);
    CHECK(r.status == Status::up);
    CHECK(metric(r, "http_status") == 302);
    spec(p).expect_status = {{200, 200}};
    CHECK(loop.run(p).status == Status::down);
    spec(p).follow_redirects = true;
    spec(p).body_contains = "final page";
    r = loop.run(p);
    CHECK(r.status == Status::up);
    CHECK(metric(r, "http_status") == 200);
    p = http_probe(http + "/loop");
    spec(p).follow_redirects = true;
    r = loop.run(p);
    CHECK(r.status == Status::down);
    CHECK(r.message.find("redirect") != std::string::npos);
  }
  {  // method and body
    auto p = http_probe(http + "/status/201");
    spec(p).method = "POST";
    spec(p).body = "{\"x\":1}";
    spec(p).headers = {{"Content-Type", "application/json"}, {"X-Slamon", "1"}};
    spec(p).expect_status = {{201, 201}};
    CHECK(loop.run(p).status == Status::up);
    p = http_probe(http + "/");
    spec(p).method = "HEAD";
    const auto r = loop.run(p);
    CHECK(r.status == Status::up);
    CHECK(metric(r, "http_status") == 200);
  }
  {  // a large body is read completely (every socket event is drained) and expectations still work
    auto p = http_probe(http + "/big", 10000);
    spec(p).body_contains = "bbbb";
    const auto r = loop.run(p);
    CHECK(r.status == Status::up);
    CHECK(metric(r, "transfer_ms").has_value());
  }
  {  // a slow body hits the timeout; the message names the phase
    const auto r = loop.run(http_probe(http + "/slow", 800));
    CHECK(r.status == Status::down);
    CHECK(r.message == "timeout after 800 ms reading the body");
  }
  {  // nothing listens
    const int closed = test::free_port_range(1);
    const auto r = loop.run(http_probe("http://127.0.0.1:" + std::to_string(closed) + "/"));
    CHECK(r.status == Status::down);
    CHECK(r.message.find("onnect") != std::string::npos);
  }
  {  // thresholds come from evaluate(): latency_ms >= 0 is always reached
    auto p = http_probe(http + "/");
    p.degraded_if = {{"latency_ms", 0}};
    auto r = loop.run(p);
    CHECK(r.status == Status::degraded);
    CHECK(r.message.rfind("latency_ms ", 0) == 0);
    p.down_if = {{"http_status", 200}};
    r = loop.run(p);
    CHECK(r.status == Status::down);
    CHECK(r.message == "http_status 200 >= 200");
  }
  {  // HTTPS with the test CA: up, TLS timed, days until the earliest certificate (the leaf)
    auto p = http_probe(https(1) + "/");
    spec(p).tls_ca_file = ca;
    spec(p).cert_min_days = 30;
    const auto r = loop.run(p);
    CHECK(r.status == Status::up);
    CHECK(metric(r, "tls_ms").has_value());
    REQUIRE(metric(r, "cert_days_left").has_value());
    CHECK(*metric(r, "cert_days_left") > 199);
    CHECK(*metric(r, "cert_days_left") <= 200);
  }
  {  // without our CA the chain does not verify; with verify off it does not matter
    auto p = http_probe(https(1) + "/");
    auto r = loop.run(p);
    CHECK(r.status == Status::down);
    CHECK(r.message.rfind("TLS verification failed", 0) == 0);
    spec(p).tls_verify = false;
    CHECK(loop.run(p).status == Status::up);
  }
  {  // expired: verification fails; unverified it is down by the certificate rule
    auto p = http_probe(https(2) + "/");
    spec(p).tls_ca_file = ca;
    auto r = loop.run(p);
    CHECK(r.status == Status::down);
    CHECK(r.message.find("expired") != std::string::npos);
    spec(p).tls_verify = false;
    r = loop.run(p);
    CHECK(r.status == Status::down);
    CHECK(r.message == "certificate expired");
    REQUIRE(metric(r, "cert_days_left").has_value());
    CHECK(*metric(r, "cert_days_left") < 0);
  }
  {  // expiring in 3 days: degraded under cert_min_days 7, up without it
    auto p = http_probe(https(3) + "/");
    spec(p).tls_ca_file = ca;
    spec(p).cert_min_days = 7;
    auto r = loop.run(p);
    CHECK(r.status == Status::degraded);
    // 3 days minus the seconds since the certificate was made (whole days, rounded down)
    CHECK((r.message == "certificate expires in 2 days (< 7)" || r.message == "certificate expires in 3 days (< 7)"));
    REQUIRE(metric(r, "cert_days_left").has_value());
    CHECK(*metric(r, "cert_days_left") > 2.9);
    CHECK(*metric(r, "cert_days_left") <= 3);
    spec(p).cert_min_days.reset();
    CHECK(loop.run(p).status == Status::up);
  }
  {  // wrong host name: fails verification, unless tls.server_name names the certificate's host
    auto p = http_probe(https(4) + "/");
    spec(p).tls_ca_file = ca;
    auto r = loop.run(p);
    CHECK(r.status == Status::down);
    CHECK(r.message.rfind("TLS verification failed", 0) == 0);
    spec(p).tls_server_name = "other.example";
    r = loop.run(p);
    CHECK(r.status == Status::up);
    CHECK(r.message == "");
    // and a valid certificate reached under one of its other names
    p = http_probe(https(1) + "/final");
    spec(p).tls_ca_file = ca;
    spec(p).tls_server_name = "probe.test";
    spec(p).body_contains = "final page";
    CHECK(loop.run(p).status == Status::up);
  }
  {  // many probes at once on one loop, plain and TLS, with in_flight() seen from outside
    // run() takes the probe by reference: the probes live as long as their runs.
    std::vector<std::optional<ProbeResult>> results(60);
    std::vector<Probe> probes;
    std::size_t peak = 0;
    for (std::size_t i = 0; i < results.size(); ++i) {
      auto& p = probes.emplace_back(http_probe(i % 2 ? http + "/" : https(1) + "/"));
      spec(p).tls_ca_file = ca;
      spec(p).body_contains = "hello slamon";
    }
    for (std::size_t i = 0; i < results.size(); ++i) {
      asio::co_spawn(loop.io, loop.runner->run(probes[i], 0),
                     [&results, i](std::exception_ptr, ProbeResult r) { results[i] = std::move(r); });
    }
    asio::post(loop.io, [&] { peak = std::max(peak, loop.runner->in_flight()); });
    loop.io.restart();
    loop.io.run();
    int up = 0;
    for (auto& r : results) up += r && r->status == Status::up;
    CHECK(up == 60);
    CHECK(peak == 60);
    CHECK(loop.runner->in_flight() == 0);
  }
}

TEST_CASE("a slow transfer does not hold up a timer on the same loop") {
  test::TempDir dir;
  const int base = test::free_port_range(6);
  test::Peer peer(test::peers_dir() + "/https_peer.sh", dir.path(), base);
  Loop loop;
  bool probe_done = false, timer_first = false;
  const Probe slow = http_probe("http://127.0.0.1:" + std::to_string(base) + "/slow", 1500);
  asio::co_spawn(loop.io, loop.runner->run(slow, 0),
                 [&](std::exception_ptr, ProbeResult) { probe_done = true; });
  asio::steady_timer t(loop.io, std::chrono::milliseconds(100));
  t.async_wait([&](boost::system::error_code) { timer_first = !probe_done; });
  loop.io.run();
  CHECK(probe_done);
  CHECK(timer_first);
}

TEST_CASE("a cancelled http run gives its transfer back to curl and the runner carries on") {
  using namespace boost::asio::experimental::awaitable_operators;
  test::TempDir dir;
  const int base = test::free_port_range(6);
  test::Peer peer(test::peers_dir() + "/https_peer.sh", dir.path(), base);
  Loop loop;
  const Probe slow = http_probe("http://127.0.0.1:" + std::to_string(base) + "/slow", 5000);
  int cut_short = 0;
  asio::co_spawn(
      loop.io,
      [&]() -> asio::awaitable<void> {
        asio::steady_timer limit(co_await asio::this_coro::executor, std::chrono::milliseconds(200));
        auto r = co_await (loop.runner->run(slow, 0) || limit.async_wait(asio::use_awaitable));
        cut_short += r.index() == 1;
      },
      asio::detached);
  loop.io.run();
  CHECK(cut_short == 1);
  CHECK(loop.runner->in_flight() == 0);
  // The same runner still works, and nothing left behind fires into it.
  const auto r = loop.run(http_probe("http://127.0.0.1:" + std::to_string(base) + "/"));
  CHECK(r.status == Status::up);
  CHECK(loop.runner->in_flight() == 0);
}

namespace {

// A TCP peer on 127.0.0.1 that answers every connection with `reply` (read the request first, then
// write, then close), until destroyed. Bounded: it stops after 20 s whatever happens.
class CannedPeer {
 public:
  explicit CannedPeer(std::string reply) : reply_(std::move(reply)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&a), len) == 0);
    REQUIRE(::listen(fd_, 16) == 0);
    REQUIRE(::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) == 0);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] {
      const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
      while (!stop_ && std::chrono::steady_clock::now() < until) {
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, 50) <= 0) continue;
        const int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (c < 0) continue;
        char buf[4096];
        pollfd q{c, POLLIN, 0};
        if (::poll(&q, 1, 1000) > 0) (void)::recv(c, buf, sizeof buf, 0);
        (void)::send(c, reply_.data(), reply_.size(), MSG_NOSIGNAL);
        ::shutdown(c, SHUT_WR);
        ::close(c);
      }
    });
  }
  ~CannedPeer() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
  }
  std::string url(const std::string& path = "/") const { return "http://127.0.0.1:" + std::to_string(port_) + path; }

 private:
  std::string reply_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace

TEST_CASE("http: a target that answers garbage or redirects to file:// is down, not unknown") {
  Loop loop;
  {
    CannedPeer peer("SSH-2.0-OpenSSH_9.2\r\nthis is not HTTP at all\r\n");
    const auto r = loop.run(http_probe(peer.url()));
    INFO(r.message);
    CHECK(r.status == Status::down);
    CHECK(r.message.find("not an HTTP answer: ") == 0);
  }
  {
    CannedPeer peer("HTTP/1.1 two hundred OK\r\nContent-Length: 0\r\n\r\n");
    const auto r = loop.run(http_probe(peer.url()));
    INFO(r.message);
    CHECK(r.status == Status::down);
    CHECK(r.message.find("not an HTTP answer: ") == 0);
  }
  {
    CannedPeer peer("HTTP/1.1 302 Found\r\nLocation: file:///etc/passwd\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    auto p = http_probe(peer.url());
    spec(p).follow_redirects = true;
    const auto r = loop.run(p);
    INFO(r.message);
    CHECK(r.status == Status::down);
    CHECK(r.message.find("redirect the probe cannot follow (status 302): ") == 0);
  }
}

TEST_CASE("http: every measurement the runner emits is in the measurement table for http") {
  CannedPeer peer("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello");
  Loop loop;
  const auto r = loop.run(http_probe(peer.url()));
  INFO(r.message);
  CHECK(r.status == Status::up);
  REQUIRE(r.metrics.size() >= 4);  // connect_ms, ttfb_ms, transfer_ms, http_status at least
  for (const auto& m : r.metrics) CHECK_MESSAGE(catalogue::has_measurement(catalogue::ProbeType::http, m.name), m.name);
}
