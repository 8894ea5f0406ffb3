// Tests for probes/icmp.h against real peers: the kernel on loopback, and a responder the test controls
// in a network namespace (kernel echo replies off there) that delays, drops, duplicates, corrupts,
// answers from a wrong source and sends errors: the runner must report exactly that.
#include "probes/icmp.h"

#include <doctest/doctest.h>

#include <boost/asio/io_context.hpp>
#include <fstream>
#include <map>

#include "common/catalogue/measurements.h"
#include "tests/probes/icmp_test_support.h"
#include "tests/skip.h"

using namespace slamon;
using namespace slamon::probes;
using slamon::test::run_sync;

namespace {

catalogue::Probe icmp_probe(const std::string& target, int count, DurationMs spacing_ms, DurationMs timeout_ms) {
  catalogue::Probe p;
  p.id = "t.icmp";
  p.type = catalogue::ProbeType::icmp;
  catalogue::IcmpSpec spec;
  spec.target = target;
  spec.count = count;
  spec.spacing_ms = spacing_ms;
  p.spec = spec;
  p.timeout_ms = timeout_ms;
  p.down_if = {{"loss_percent", 100}};
  return p;
}

double metric(const ProbeResult& r, std::string_view name) {
  for (const auto& m : r.metrics)
    if (m.name == name) return m.value;
  FAIL("no metric " << name);
  return -1;
}

bool has_metric(const ProbeResult& r, std::string_view name) {
  for (const auto& m : r.metrics)
    if (m.name == name) return true;
  return false;
}

bool ipv6_loopback_available() {
  std::ifstream in("/proc/net/if_inet6");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("00000000000000000000000000000001", 0) == 0) return true;
  return false;
}

IcmpOptions unlimited(IcmpOptions::SocketMode mode = IcmpOptions::SocketMode::automatic) {
  IcmpOptions o;
  o.socket_mode = mode;
  o.max_sends_per_s = 0;
  return o;
}

}  // namespace

TEST_CASE("icmp: real echo replies from 127.0.0.1") {
  boost::asio::io_context io;
  IcmpRunner runner(io.get_executor(), nullptr, unlimited(), "agent-a");
  const auto r = run_sync(io, runner.run(icmp_probe("127.0.0.1", 3, 10, 2000), 1234));
  INFO(r.message);
  CHECK(r.status == Status::up);
  CHECK(r.probe == "t.icmp");
  CHECK(r.ts == 1234);
  CHECK(r.agent == "agent-a");
  CHECK(metric(r, "loss_percent") == 0);
  CHECK(metric(r, "sent") == 3);
  CHECK(metric(r, "received") == 3);
  CHECK(metric(r, "duplicates") == 0);
  REQUIRE(r.latency_ms);
  CHECK(*r.latency_ms == metric(r, "rtt_ms"));
  CHECK(metric(r, "rtt_min_ms") <= metric(r, "rtt_ms"));
  CHECK(metric(r, "rtt_ms") <= metric(r, "rtt_max_ms"));
  CHECK(metric(r, "rtt_stddev_ms") >= 0);
  CHECK(metric(r, "rtt_max_ms") < 1000);
  const auto st = runner.stats();
  CHECK(st.sent == 3);
  CHECK(st.replies == 3);
  CHECK(st.duplicates == 0);
  CHECK(st.late == 0);
}

TEST_CASE("icmp: a name is resolved without blocking, and ip_version is honoured") {
  boost::asio::io_context io;
  IcmpRunner runner(io.get_executor(), nullptr, unlimited(), "a");
  auto p = icmp_probe("localhost", 1, 10, 3000);
  std::get<catalogue::IcmpSpec>(p.spec).ip_version = catalogue::IpVersion::v4;
  const auto r = run_sync(io, runner.run(p, 1));
  INFO(r.message);
  CHECK(r.status == Status::up);
  auto wrong = icmp_probe("127.0.0.1", 1, 10, 1000);
  std::get<catalogue::IcmpSpec>(wrong.spec).ip_version = catalogue::IpVersion::v6;
  const auto w = run_sync(io, runner.run(wrong, 1));
  CHECK(w.status == Status::down);
  CHECK(w.message == "127.0.0.1 is not an IPv6 address");
}

TEST_CASE("icmp: real echo replies from ::1" * doctest::test_suite("root")) {
  if (!ipv6_loopback_available()) SLAMON_SKIP("no IPv6 loopback address on this machine");
  boost::asio::io_context io;
  IcmpRunner runner(io.get_executor(), nullptr, unlimited(), "a");
  const auto r = run_sync(io, runner.run(icmp_probe("::1", 2, 10, 2000), 1));
  INFO(r.message);
  // Without root an ICMP socket needs ping_group_range to include the user's group; as root (CI) it
  // always opens, so there this case never skips.
  if (!test::is_root() && r.status == Status::unknown) SLAMON_SKIP("no ICMP socket for IPv6 here (" + r.message + ")");
  CHECK(r.status == Status::up);
  CHECK(metric(r, "received") == 2);
  CHECK(runner.socket_kind(icmp::Family::v6) != "closed");
}

TEST_CASE("icmp: 70,000 requests in flight at once share one socket (no 65,535-sequence cliff)") {
  boost::asio::io_context io;
  IcmpRunner runner(io.get_executor(), nullptr, unlimited(), "a");
  constexpr int kTargets = 70'000;
  std::vector<catalogue::Probe> probes;
  probes.reserve(kTargets);
  for (int i = 0; i < kTargets; ++i)
    probes.push_back(icmp_probe("127." + std::to_string(1 + i / 62'500) + "." + std::to_string(i / 250 % 250) + "." +
                                    std::to_string(i % 250 + 1),
                                1, 0, 20'000));
  int up = 0, done = 0;
  std::map<std::string, int> failures;
  for (const auto& p : probes)
    boost::asio::co_spawn(io, runner.run(p, 1), [&](std::exception_ptr e, ProbeResult r) {
      ++done;
      if (!e && r.status == Status::up) ++up;
      else if (failures.size() < 5) ++failures[e ? "exception" : r.message];
    });
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (done < kTargets && std::chrono::steady_clock::now() < until) io.run_one_for(std::chrono::milliseconds(50));
  CHECK(done == kTargets);
  CHECK(up == kTargets);
  for (const auto& [message, n] : failures) MESSAGE(n << " x " << message);
  const auto st = runner.stats();
  CHECK(st.sent == static_cast<std::uint64_t>(kTargets));
  CHECK(st.replies == static_cast<std::uint64_t>(kTargets));
  CHECK(st.duplicates == 0);
}

TEST_CASE("icmp: the global send-rate limit paces requests") {
  boost::asio::io_context io;
  IcmpOptions o;
  o.max_sends_per_s = 200;  // 5 ms apart after a 10 ms burst
  IcmpRunner runner(io.get_executor(), nullptr, o, "a");
  std::vector<catalogue::Probe> probes;
  for (int i = 0; i < 40; ++i) probes.push_back(icmp_probe("127.0.0." + std::to_string(i + 1), 1, 0, 5000));
  int done = 0;
  const auto t0 = std::chrono::steady_clock::now();
  for (const auto& p : probes)
    boost::asio::co_spawn(io, runner.run(p, 1), [&](std::exception_ptr, ProbeResult) { ++done; });
  const auto until = t0 + std::chrono::seconds(10);
  while (done < 40 && std::chrono::steady_clock::now() < until) io.run_one_for(std::chrono::milliseconds(10));
  const auto took = std::chrono::steady_clock::now() - t0;
  CHECK(done == 40);
  // 40 sends at 200/s with a 10 ms burst cannot finish in less than ~180 ms.
  CHECK(took >= std::chrono::milliseconds(170));
}

// ---- against a responder the test controls ----------------------------------------------------

namespace {

struct Scenario {
  std::vector<std::string> responder_args;
  int count = 8;
  DurationMs spacing_ms = 20;
  DurationMs timeout_ms = 1000;
};

struct Observed {
  ProbeResult result;
  IcmpStats stats;
};

std::string responder_script() { return std::string(SLAMON_SOURCE_DIR) + "/tests/probes/icmp_responder.py"; }

Observed against_responder(const test::TestNetwork& net, IcmpOptions::SocketMode mode, const Scenario& s,
                           std::chrono::milliseconds linger = std::chrono::milliseconds(0), bool v6 = false) {
  const std::string target = v6 ? "fd00:200::2" : "10.200.0.2";
  std::vector<std::string> argv = {"ip",      "netns",         "exec", net.responder(),     "python3",
                                   responder_script(), "--address", target, "--wrong-source", v6 ? "fd00:200::3" : "10.200.0.3"};
  argv.insert(argv.end(), s.responder_args.begin(), s.responder_args.end());
  test::Child responder(argv);
  REQUIRE(responder.line() == "ready");
  test::InNamespace inside(net.prober());
  REQUIRE(inside.ok());
  boost::asio::io_context io;
  IcmpRunner runner(io.get_executor(), nullptr, unlimited(mode), "a");
  Observed o;
  o.result = run_sync(io, runner.run(icmp_probe(target, s.count, s.spacing_ms, s.timeout_ms), 1));
  if (linger.count() > 0) test::run_for(io, linger);
  o.stats = runner.stats();
  CHECK(runner.socket_kind(v6 ? icmp::Family::v6 : icmp::Family::v4) ==
        (mode == IcmpOptions::SocketMode::raw ? "raw" : "datagram"));
  return o;
}

}  // namespace

TEST_CASE("icmp: a namespace responder's delays, drops, duplicates, wrong sources, corruption and unreachables "
          "are reported as sent" * doctest::test_suite("root")) {
  if (!test::is_root()) SLAMON_SKIP("network namespaces need root (CI and the dev machine run as root)");
  test::TestNetwork net;
  if (!net.ok()) SLAMON_SKIP("cannot create network namespaces here (ip netns add failed)");
  for (const auto mode : {IcmpOptions::SocketMode::raw, IcmpOptions::SocketMode::datagram}) {
    const bool raw = mode == IcmpOptions::SocketMode::raw;
    CAPTURE(raw);

    {
      const char* scenario = "delay 50 ms, every 4th request dropped: 25% loss, every RTT >= 50 ms";
      CAPTURE(scenario);
      const auto o = against_responder(net, mode, {{"--delay-ms", "50", "--drop-every", "4"}, 8, 20, 1500});
      INFO(o.result.message);
      CHECK(o.result.status == Status::up);
      CHECK(metric(o.result, "sent") == 8);
      CHECK(metric(o.result, "received") == 6);
      CHECK(metric(o.result, "loss_percent") == 25);
      CHECK(metric(o.result, "rtt_min_ms") >= 50);
      CHECK(*o.result.latency_ms >= 50);
      CHECK(metric(o.result, "rtt_max_ms") < 1500);
    }
    {
      const char* scenario = "every 2nd request answered twice: duplicates counted apart, no loss";
      CAPTURE(scenario);
      // Requests 2 and 4 are answered twice; the run ends with the reply to request 5.
      const auto o = against_responder(net, mode, {{"--duplicate-every", "2"}, 5, 20, 1500}, std::chrono::milliseconds(100));
      INFO(o.result.message);
      CHECK(o.result.status == Status::up);
      CHECK(metric(o.result, "received") == 5);
      CHECK(metric(o.result, "loss_percent") == 0);
      CHECK(metric(o.result, "duplicates") == 2);
      CHECK(o.result.message == "2 duplicate replies");
      CHECK(o.stats.duplicates == 2);
      CHECK(o.stats.replies == 5);
    }
    {
      const char* scenario = "every 2nd reply from a wrong source: ignored, so 50% loss";
      CAPTURE(scenario);
      const auto o = against_responder(net, mode, {{"--wrong-source-every", "2"}, 6, 20, 800});
      INFO(o.result.message);
      CHECK(metric(o.result, "received") == 3);
      CHECK(metric(o.result, "loss_percent") == 50);
      CHECK(o.stats.wrong_source == 3);
    }
    {
      const char* scenario = "every 3rd reply with a corrupted checksum: ignored";
      CAPTURE(scenario);
      const auto o = against_responder(net, mode, {{"--corrupt-every", "3"}, 6, 20, 800});
      INFO(o.result.message);
      CHECK(metric(o.result, "received") == 4);
      CHECK(metric(o.result, "loss_percent") == doctest::Approx(33.3333));
      // Raw sockets see the corrupted replies and drop them; ping sockets never see them (the kernel
      // drops them first).
      const std::uint64_t expected_bad = raw ? 2 : 0;
      CHECK(o.stats.bad_checksum == expected_bad);
    }
    {
      const char* scenario = "every request answered by destination unreachable: down, attributed, with the reporter";
      CAPTURE(scenario);
      const auto o = against_responder(net, mode, {{"--unreachable-every", "1"}, 3, 20, 1500});
      CHECK(o.result.status == Status::down);
      CHECK(o.result.message == "no reply to 3 requests; destination unreachable (host unreachable) from 10.200.0.2");
      CHECK(metric(o.result, "errors") == 3);
      CHECK(metric(o.result, "loss_percent") == 100);
      CHECK_FALSE(has_metric(o.result, "rtt_ms"));
      CHECK_FALSE(o.result.latency_ms);
      CHECK(o.stats.errors == 3);
    }
    {
      const char* scenario = "replies after the timeout are late, counted apart, not in the result";
      CAPTURE(scenario);
      const auto o = against_responder(net, mode, {{"--delay-ms", "300"}, 2, 10, 150}, std::chrono::milliseconds(500));
      CHECK(o.result.status == Status::down);
      CHECK(o.result.message == "no reply to 2 requests");
      CHECK(metric(o.result, "loss_percent") == 100);
      CHECK(o.stats.late == 2);
      CHECK(o.stats.replies == 0);
    }
  }
}

TEST_CASE("icmp: an IPv6 namespace responder's delays, drops, duplicates, wrong sources and unreachables are "
          "reported as sent" * doctest::test_suite("root")) {
  if (!test::is_root()) SLAMON_SKIP("network namespaces need root");
  test::TestNetwork net;
  if (!net.ok() || !net.ipv6()) SLAMON_SKIP("cannot create network namespaces with IPv6 here");
  const auto no_linger = std::chrono::milliseconds(0);
  for (const auto mode : {IcmpOptions::SocketMode::raw, IcmpOptions::SocketMode::datagram}) {
    const bool raw = mode == IcmpOptions::SocketMode::raw;
    CAPTURE(raw);
    auto o = against_responder(net, mode, {{"--delay-ms", "30", "--drop-every", "3"}, 6, 20, 1000}, no_linger, true);
    INFO(o.result.message);
    CHECK(metric(o.result, "received") == 4);
    CHECK(metric(o.result, "loss_percent") == doctest::Approx(33.3333));
    CHECK(metric(o.result, "rtt_min_ms") >= 30);

    o = against_responder(net, mode, {{"--duplicate-every", "2"}, 3, 20, 1000}, std::chrono::milliseconds(100), true);
    CHECK(metric(o.result, "received") == 3);
    CHECK(metric(o.result, "duplicates") == 1);

    o = against_responder(net, mode, {{"--wrong-source-every", "2"}, 4, 20, 600}, no_linger, true);
    CHECK(metric(o.result, "received") == 2);
    CHECK(o.stats.wrong_source == 2);

    o = against_responder(net, mode, {{"--unreachable-every", "1"}, 2, 20, 1000}, no_linger, true);
    CHECK(o.result.status == Status::down);
    CHECK(o.result.message == "no reply to 2 requests; destination unreachable (address unreachable) from fd00:200::2");
    CHECK(o.stats.errors == 2);
  }
}

TEST_CASE("icmp: the unprivileged ping socket is chosen where ping_group_range allows, else unknown with the reason" *
          doctest::test_suite("root")) {
  if (!test::is_root()) SLAMON_SKIP("network namespaces need root");
  test::TestNetwork net;
  if (!net.ok()) SLAMON_SKIP("cannot create network namespaces here");
  test::InNamespace inside(net.prober());
  REQUIRE(inside.ok());
  test::WithoutNetRaw unprivileged;
  REQUIRE(unprivileged.ok());
  {
    boost::asio::io_context io;
    IcmpRunner runner(io.get_executor(), nullptr, unlimited(), "a");
    const auto r = run_sync(io, runner.run(icmp_probe("127.0.0.1", 2, 10, 2000), 1));
    INFO(r.message);
    CHECK(r.status == Status::up);
    CHECK(runner.socket_kind(icmp::Family::v4) == "datagram");
  }
  REQUIRE(net.set_ping_group_range("1 0"));  // nobody may open ping sockets
  {
    boost::asio::io_context io;
    IcmpRunner runner(io.get_executor(), nullptr, unlimited(), "a");
    const auto r = run_sync(io, runner.run(icmp_probe("127.0.0.1", 2, 10, 2000), 1));
    CHECK(r.status == Status::unknown);
    CHECK(r.message.find("no ICMP socket for IPv4") == 0);
    CHECK(r.message.find("ping_group_range") != std::string::npos);
    CHECK(r.message.find("CAP_NET_RAW") != std::string::npos);
  }
}

namespace {

// A namespace of its own whose routes send 192.0.2.10 into a blackhole, forbid 192.0.2.11 (prohibit)
// and mark 192.0.2.12 unreachable; everything else leaves through a veth link to nowhere.
class RoutedAway {
 public:
  RoutedAway() : name_("slamon-b-" + std::to_string(::getpid())) {
    test::sh("ip netns del " + name_);
    ok_ = test::sh("ip netns add " + name_) && test::sh("ip -n " + name_ + " link set lo up") &&
          test::sh("ip -n " + name_ + " link add d0 type veth peer name d1") &&
          test::sh("ip -n " + name_ + " link set d1 up") &&
          test::sh("ip -n " + name_ + " addr add 10.201.0.1/24 dev d0") &&
          test::sh("ip -n " + name_ + " link set d0 up") &&
          test::sh("ip -n " + name_ + " route add default via 10.201.0.2") &&
          test::sh("ip -n " + name_ + " route add blackhole 192.0.2.10") &&
          test::sh("ip -n " + name_ + " route add prohibit 192.0.2.11") &&
          test::sh("ip -n " + name_ + " route add unreachable 192.0.2.12") &&
          test::sh("ip netns exec " + name_ + " sysctl -qw net.ipv4.ping_group_range='0 2147483647'");
  }
  ~RoutedAway() { test::sh("ip netns del " + name_); }
  RoutedAway(const RoutedAway&) = delete;
  RoutedAway& operator=(const RoutedAway&) = delete;
  bool ok() const { return ok_; }
  const std::string& name() const { return name_; }

 private:
  std::string name_;
  bool ok_ = false;
};

}  // namespace

TEST_CASE("icmp: a target behind a local blackhole, prohibit or unreachable route is down, not unknown" *
          doctest::test_suite("root")) {
  if (!test::is_root()) SLAMON_SKIP("network namespaces need root (CI and the dev machine run as root)");
  RoutedAway net;
  REQUIRE(net.ok());
  test::InNamespace inside(net.name());
  REQUIRE(inside.ok());
  for (const auto mode : {IcmpOptions::SocketMode::raw, IcmpOptions::SocketMode::datagram}) {
    CAPTURE(mode == IcmpOptions::SocketMode::raw);
    boost::asio::io_context io;
    IcmpRunner runner(io.get_executor(), nullptr, unlimited(mode), "a1");
    for (const char* target : {"192.0.2.10", "192.0.2.11", "192.0.2.12"}) {
      CAPTURE(target);
      const auto r = run_sync(io, runner.run(icmp_probe(target, 2, 20, 500), 0));
      INFO(r.message);
      CHECK(r.status == Status::down);
      CHECK(r.message.find("cannot send to " + std::string(target)) == 0);
    }
    runner.shutdown();
  }
}

TEST_CASE("icmp: every measurement the runner emits is in the measurement table for icmp" * doctest::test_suite("root")) {
  boost::asio::io_context io;
  IcmpRunner runner(io.get_executor(), nullptr, unlimited(), "a1");
  const auto r = run_sync(io, runner.run(icmp_probe("127.0.0.1", 2, 10, 2000), 0));
  INFO(r.message);
  if (!test::is_root() && r.status == Status::unknown) SLAMON_SKIP("no ICMP socket here (" + r.message + ")");
  CHECK(r.metrics.size() == catalogue::measurement_names(catalogue::ProbeType::icmp).size() - 1);  // all but latency_ms
  for (const auto& m : r.metrics) CHECK_MESSAGE(catalogue::has_measurement(catalogue::ProbeType::icmp, m.name), m.name);
  runner.shutdown();
}
