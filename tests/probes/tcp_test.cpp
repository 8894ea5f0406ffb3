// Tests for probes/tcp.h against real local listeners: with and without a banner, a refused port, a
// server that accepts and stays silent (timeout), and an address that never answers.
#include "probes/tcp.h"

#include <doctest/doctest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <memory>

#include "tests/probes/icmp_test_support.h"
#include "tests/skip.h"

using namespace slamon;
using namespace slamon::probes;
using slamon::test::run_sync;
namespace asio = boost::asio;

namespace {

catalogue::Probe tcp_probe(int port, DurationMs timeout_ms = 2000) {
  catalogue::Probe p;
  p.id = "t.tcp";
  p.type = catalogue::ProbeType::tcp;
  catalogue::TcpSpec spec;
  spec.host = "127.0.0.1";
  spec.port = port;
  p.spec = spec;
  p.timeout_ms = timeout_ms;
  return p;
}

// A listener on 127.0.0.1 (ephemeral port) that greets every connection with `banner` (maybe empty:
// silent) and keeps it open until the listener goes.
class Listener {
 public:
  Listener(asio::io_context& io, std::string banner) : acceptor_(io, {asio::ip::make_address("127.0.0.1"), 0}) {
    banner_ = std::move(banner);
    accept();
  }
  int port() const { return acceptor_.local_endpoint().port(); }
  int accepted() const { return accepted_; }

 private:
  void accept() {
    acceptor_.async_accept([this](boost::system::error_code ec, asio::ip::tcp::socket s) {
      if (ec) return;
      ++accepted_;
      auto socket = std::make_shared<asio::ip::tcp::socket>(std::move(s));
      clients_.push_back(socket);
      if (!banner_.empty()) asio::async_write(*socket, asio::buffer(banner_), [socket](auto, auto) {});
      accept();
    });
  }
  asio::ip::tcp::acceptor acceptor_;
  std::string banner_;
  std::vector<std::shared_ptr<asio::ip::tcp::socket>> clients_;
  int accepted_ = 0;
};

int unused_port(asio::io_context& io) {
  asio::ip::tcp::acceptor a(io, {asio::ip::make_address("127.0.0.1"), 0});
  return a.local_endpoint().port();  // closed when `a` goes: nothing listens there afterwards
}

}  // namespace

TEST_CASE("tcp: connect to a listener: up, latency is the connect time") {
  asio::io_context io;
  Listener l(io, "");
  TcpRunner runner(io.get_executor(), nullptr, "a");
  const auto r = run_sync(io, runner.run(tcp_probe(l.port()), 5));
  INFO(r.message);
  CHECK(r.status == Status::up);
  REQUIRE(r.latency_ms);
  CHECK(*r.latency_ms >= 0);
  CHECK(*r.latency_ms < 2000);
  CHECK(r.ts == 5);
  CHECK(l.accepted() == 1);
}

TEST_CASE("tcp: a refused port is down with the reason") {
  asio::io_context io;
  TcpRunner runner(io.get_executor(), nullptr, "a");
  const int port = unused_port(io);
  const auto r = run_sync(io, runner.run(tcp_probe(port), 2000));
  CHECK(r.status == Status::down);
  CHECK(r.message == "127.0.0.1:" + std::to_string(port) + ": Connection refused");
  CHECK_FALSE(r.latency_ms);
}

TEST_CASE("tcp: banner expectations") {
  asio::io_context io;
  Listener smtp(io, "220 mail.example.com ESMTP ready\r\n");
  TcpRunner runner(io.get_executor(), nullptr, "a");

  auto p = tcp_probe(smtp.port(), 3000);
  std::get<catalogue::TcpSpec>(p.spec).banner_contains = "ESMTP";
  const auto t0 = std::chrono::steady_clock::now();
  auto r = run_sync(io, runner.run(p, 1));
  INFO(r.message);
  CHECK(r.status == Status::up);
  // Met as soon as the banner arrived, not at the timeout.
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::milliseconds(2500));

  std::get<catalogue::TcpSpec>(p.spec).banner_contains.reset();
  std::get<catalogue::TcpSpec>(p.spec).banner_regex = "^220 [a-z.]+ ESMTP";
  r = run_sync(io, runner.run(p, 1));
  CHECK(r.status == Status::up);

  auto wrong = tcp_probe(smtp.port(), 500);
  std::get<catalogue::TcpSpec>(wrong.spec).banner_contains = "SSH-2.0";
  r = run_sync(io, runner.run(wrong, 1));
  CHECK(r.status == Status::down);
  CHECK(r.message == "banner did not match 'SSH-2.0' (34 bytes before timeout): \"220 mail.example.com ESMTP ready\\r\\n\"");
  REQUIRE(r.latency_ms);  // the connect itself was measured
}

TEST_CASE("tcp: a silent server fails a banner expectation at the timeout") {
  asio::io_context io;
  Listener silent(io, "");
  TcpRunner runner(io.get_executor(), nullptr, "a");
  auto p = tcp_probe(silent.port(), 300);
  std::get<catalogue::TcpSpec>(p.spec).banner_contains = "hello";
  const auto t0 = std::chrono::steady_clock::now();
  const auto r = run_sync(io, runner.run(p, 1));
  const auto took = std::chrono::steady_clock::now() - t0;
  CHECK(r.status == Status::down);
  CHECK(r.message == "banner did not match 'hello' (0 bytes before timeout)");
  CHECK(took >= std::chrono::milliseconds(290));
  CHECK(took < std::chrono::milliseconds(2000));
}

TEST_CASE("tcp: a connect that gets no answer is down at the timeout" * doctest::test_suite("root")) {
  if (!test::is_root()) SLAMON_SKIP("needs root for a network namespace");
  test::TestNetwork net;
  if (!net.ok()) SLAMON_SKIP("cannot create network namespaces here");
  // 10.200.0.4 is on the link but nobody has it: no ARP answer, so the SYN never leaves.
  test::InNamespace inside(net.prober());
  REQUIRE(inside.ok());
  asio::io_context io;
  TcpRunner runner(io.get_executor(), nullptr, "a");
  auto p = tcp_probe(9, 400);
  std::get<catalogue::TcpSpec>(p.spec).host = "10.200.0.4";
  const auto t0 = std::chrono::steady_clock::now();
  const auto r = run_sync(io, runner.run(p, 1));
  CHECK(r.status == Status::down);
  CHECK(r.message == "10.200.0.4:9: no answer within 400ms");
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::milliseconds(2000));
}
