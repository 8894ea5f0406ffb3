// The SNMP runner against a real snmpd on loopback (tests/probes/peers/snmpd_peer.sh): v1/v2c/v3
// GETs and walks, expectations, wrong community and password, a port where nothing listens, MIB names
// from a MIB the test writes, and a v3 probe to a silent port that must not hold up the loop. Plus
// the live edges: bulk halving on timeouts (through a relay that drops large answers) and walks
// stopped when a fake agent's OIDs stop increasing.
#include "probes/snmp.h"

#include "tests/skip.h"

#include <doctest/doctest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <sstream>

#include "common/catalogue/measurements.h"
#include "probes/codec/snmp_discovery.h"
#include "probes/codec/snmp_expect.h"
#include "tests/probes/icmp_test_support.h"
#include "tests/probes/peers/peer_support.h"

namespace asio = boost::asio;
using namespace slamon;
using catalogue::Probe;
using catalogue::SnmpExpect;
using catalogue::SnmpOid;
using catalogue::SnmpSpec;
using catalogue::SnmpValue;

namespace {

SnmpValue num(double v) { return {true, v, std::to_string(static_cast<long long>(v))}; }
SnmpValue str(std::string s) { return {false, 0, std::move(s)}; }
SnmpExpect expect(std::optional<SnmpValue> equals, std::optional<double> min = {}, std::optional<double> max = {},
                  std::optional<int> min_rows = {}, std::optional<SnmpValue> all_equal = {}) {
  SnmpExpect e;
  e.equals = std::move(equals);
  e.min = min;
  e.max = max;
  e.min_rows = min_rows;
  e.all_equal = std::move(all_equal);
  return e;
}

// The MIB folder of this test binary, with a MIB that needs no IETF module (Debian ships none).
std::string test_mib_dir() {
  const auto dir = std::filesystem::path(SLAMON_BINARY_DIR) / "test-mibs";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "SLAMON-TEST-MIB.txt") << "SLAMON-TEST-MIB DEFINITIONS ::= BEGIN\n"
                                                "slamonTest OBJECT IDENTIFIER ::= { iso 3 6 1 4 1 99999 }\n"
                                                "slamonTable OBJECT IDENTIFIER ::= { slamonTest 1 }\n"
                                                "slamonNumbers OBJECT IDENTIFIER ::= { slamonTable 1 }\n"
                                                "slamonNames OBJECT IDENTIFIER ::= { slamonTable 2 }\n"
                                                "END\n";
  return dir.string();
}

struct Loop {
  asio::io_context io;
  std::unique_ptr<probes::SnmpRunner> runner = probes::make_snmp_runner(io.get_executor(), options(), nullptr);

  static probes::SnmpRunnerOptions options() {
    probes::SnmpRunnerOptions o;
    o.state_dir = std::string(SLAMON_BINARY_DIR) + "/test-state";
    o.mib_dirs = {test_mib_dir()};
    return o;
  }

  probes::SnmpRun run(const Probe& p) {
    std::optional<probes::SnmpRun> out;
    asio::co_spawn(io, runner->fetch(p, 5000), [&](std::exception_ptr e, probes::SnmpRun r) {
      if (e) std::rethrow_exception(e);
      out = std::move(r);
    });
    io.restart();
    io.run();
    REQUIRE(out.has_value());
    return std::move(*out);
  }
};

Probe snmp_probe(int port, DurationMs timeout_ms = 2000) {
  Probe p;
  p.id = "sw.snmp";
  p.type = catalogue::ProbeType::snmp;
  p.agent = "a1";
  p.timeout_ms = timeout_ms;
  SnmpSpec s;
  s.target = "127.0.0.1";
  s.port = port;
  s.version = catalogue::SnmpVersion::v2c;
  s.community = catalogue::Secret("public-test", "");
  p.spec = s;
  return p;
}

SnmpSpec& spec(Probe& p) { return std::get<SnmpSpec>(p.spec); }

Probe v3_probe(int port, std::string user, catalogue::SnmpSecurityLevel level) {
  auto p = snmp_probe(port);
  auto& s = spec(p);
  s.version = catalogue::SnmpVersion::v3;
  s.community = {};
  s.user = std::move(user);
  s.security_level = level;
  return p;
}

std::optional<double> metric(const ProbeResult& r, std::string_view name) {
  for (const auto& m : r.metrics)
    if (m.name == name) return m.value;
  return std::nullopt;
}

const std::string sys_name = "1.3.6.1.2.1.1.5.0";
const std::string sys_contact = "1.3.6.1.2.1.1.4.0";
const std::string numbers = "1.3.6.1.4.1.99999.1.1";
const std::string names = "1.3.6.1.4.1.99999.1.2";

}  // namespace

TEST_CASE("snmp runner against snmpd") {
  test::TempDir dir;
  const int port = test::free_port_range(1);
  test::Peer peer(test::peers_dir() + "/snmpd_peer.sh", dir.path(), port);
  Loop loop;

  {  // v2c GETs with expectations met; values come back as text and numbers
    auto p = snmp_probe(port);
    spec(p).get = {{sys_name, expect(str("peer-1")), {}},
                   {sys_contact, std::nullopt, {}},
                   {numbers + ".3", expect({}, 30, 30), {}}};
    const auto run = loop.run(p);
    CHECK(run.result.status == Status::up);
    CHECK(run.result.message == "");
    REQUIRE(run.values.size() == 3);
    CHECK(run.values[0].oid == sys_name);
    CHECK(run.values[0].text == "peer-1");
    CHECK(run.values[1].text == "ops@example.test");
    CHECK(run.values[2].numeric);
    CHECK(run.values[2].number == 30);
    CHECK(metric(run.result, "values") == 3);
    // every measurement the runner emits is in the measurement table for snmp
    for (const auto& m : run.result.metrics)
      CHECK_MESSAGE(catalogue::has_measurement(catalogue::ProbeType::snmp, m.name), m.name);
    REQUIRE(run.result.latency_ms.has_value());
    CHECK(*run.result.latency_ms > 0);
    CHECK(loop.runner->in_flight() == 0);
  }
  {  // expectations not met name the OID as written
    auto p = snmp_probe(port);
    spec(p).get = {{sys_name, expect(str("peer-2")), {}}};
    auto r = loop.run(p).result;
    CHECK(r.status == Status::down);
    CHECK(r.message == sys_name + ": got \"peer-1\", expected \"peer-2\"");
    spec(p).get = {{numbers + ".3", expect({}, {}, 20), {}}};
    r = loop.run(p).result;
    CHECK(r.status == Status::down);
    CHECK(r.message == numbers + ".3: got 30, expected at most 20");
    spec(p).get = {{"1.3.6.1.4.1.99999.1.1.99", std::nullopt, {}}};
    r = loop.run(p).result;
    CHECK(r.status == Status::down);
    CHECK(r.message == "1.3.6.1.4.1.99999.1.1.99: noSuchObject");
  }
  {  // walks: all rows, across several bulk requests, with row expectations
    auto p = snmp_probe(port);
    spec(p).max_repetitions = 7;
    spec(p).walk = {{numbers, expect({}, 10, 400, 40), {}},
                    {names, std::nullopt, {}}};
    auto run = loop.run(p);
    CHECK(run.result.status == Status::up);
    REQUIRE(run.values.size() == 80);
    CHECK(run.values[0].oid == numbers + ".1");
    CHECK(run.values[39].oid == numbers + ".40");
    CHECK(run.values[39].number == 400);
    CHECK(run.values[40].text == "row-1");
    CHECK(metric(run.result, "values") == 80);
    spec(p).walk = {{numbers, expect({}, {}, {}, 41), {}}};
    auto r = loop.run(p).result;
    CHECK(r.status == Status::down);
    CHECK(r.message == "walk " + numbers + ": 40 rows, expected at least 41");
    spec(p).walk = {{names, expect({}, {}, {}, {}, str("row-1")), {}}};
    r = loop.run(p).result;
    CHECK(r.status == Status::down);
    CHECK(r.message == "walk " + names + ": " + names + ".2: got \"row-2\", expected all equal to \"row-1\"");
    spec(p).walk = {{"1.3.6.1.4.1.99999.7", std::nullopt, {}}};
    r = loop.run(p).result;
    CHECK(r.status == Status::down);
    CHECK(r.message == "walk 1.3.6.1.4.1.99999.7: empty walk");
  }
  if (test::has_ipv6_loopback()) {  // over IPv6, v2c and v3 (discovery included)
    auto p = snmp_probe(port);
    spec(p).target = "::1";
    spec(p).get = {{sys_name, expect(str("peer-1")), {}}};
    CHECK(loop.run(p).result.status == Status::up);
    auto v3 = v3_probe(port, "nouser", catalogue::SnmpSecurityLevel::noAuthNoPriv);
    spec(v3).target = "::1";
    spec(v3).get = {{sys_name, expect(str("peer-1")), {}}};
    const auto r = loop.run(v3).result;
    CHECK(r.status == Status::up);
    CHECK(r.message == "");
  }
  {  // v1: GETNEXT walks and noSuchName
    auto p = snmp_probe(port);
    spec(p).version = catalogue::SnmpVersion::v1;
    spec(p).walk = {{names, expect({}, {}, {}, 40), {}}};
    auto run = loop.run(p);
    CHECK(run.result.status == Status::up);
    CHECK(run.values.size() == 40);
    spec(p).walk.clear();
    spec(p).get = {{sys_name, std::nullopt, {}}, {"1.3.6.1.4.1.99999.1.1.99", std::nullopt, {}}};
    const auto r = loop.run(p).result;
    CHECK(r.status == Status::down);
    CHECK(r.message.rfind("1.3.6.1.4.1.99999.1.1.99: error ", 0) == 0);
  }
  {  // MIB names through the test's own MIB; an unknown name is the agent's problem
    auto p = snmp_probe(port);
    spec(p).get = {{"SLAMON-TEST-MIB::slamonNumbers.4", expect(num(40)), {}}};
    spec(p).walk = {{"SLAMON-TEST-MIB::slamonNames", expect({}, {}, {}, 40), {}}};
    auto run = loop.run(p);
    CHECK(run.result.status == Status::up);
    CHECK(run.result.message == "");
    REQUIRE(run.values.size() == 41);
    CHECK(run.values[0].oid == numbers + ".4");
    spec(p).get = {{"SLAMON-TEST-MIB::noSuchName.0", std::nullopt, {}}};
    const auto r = loop.run(p).result;
    CHECK(r.status == Status::unknown);
    CHECK(r.message == "unknown OID 'SLAMON-TEST-MIB::noSuchName.0' (no loaded MIB defines it)");
  }
  {  // wrong community: snmpd stays silent, the probe is down after its retries
    auto p = snmp_probe(port, 600);
    spec(p).community = catalogue::Secret("not-the-community", "");
    spec(p).get = {{sys_name, std::nullopt, {}}};
    const auto r = loop.run(p).result;
    CHECK(r.status == Status::down);
    CHECK(r.message == "no response from 127.0.0.1:" + std::to_string(port) + " (wrong community, or no agent)");
    CHECK(r.message.find("not-the-community") == std::string::npos);
  }
  {  // nothing listens there
    const int closed = test::free_port_range(1);
    auto p = snmp_probe(closed, 500);
    spec(p).get = {{sys_name, std::nullopt, {}}};
    CHECK(loop.run(p).result.status == Status::down);
    auto v3 = v3_probe(closed, "nouser", catalogue::SnmpSecurityLevel::noAuthNoPriv);
    v3.timeout_ms = 500;
    spec(v3).get = {{sys_name, std::nullopt, {}}};
    const auto r = loop.run(v3).result;
    CHECK(r.status == Status::down);
    CHECK(r.message == "no answer to SNMPv3 engine discovery from 127.0.0.1");
  }
  using L = catalogue::SnmpSecurityLevel;
  using A = catalogue::SnmpAuthProtocol;
  using P = catalogue::SnmpPrivProtocol;
  const auto v3_get = [&](std::string user, L level, std::optional<A> auth, std::string auth_pass,
                          std::optional<P> priv, std::string priv_pass) {
    auto p = v3_probe(port, std::move(user), level);
    spec(p).auth_protocol = auth;
    spec(p).auth_password = catalogue::Secret(std::move(auth_pass), "");
    spec(p).priv_protocol = priv;
    spec(p).priv_password = catalogue::Secret(std::move(priv_pass), "");
    spec(p).get = {{sys_name, expect(str("peer-1")), {}}};
    spec(p).walk = {{names, expect({}, {}, {}, 40), {}}};
    return loop.run(p).result;
  };
  {  // v3 users of every security level and several protocols
    auto r = v3_get("privuser", L::authPriv, A::SHA256, "authpass-256", P::AES, "privpass-aes");
    CHECK(r.status == Status::up);
    CHECK(r.message == "");
    CHECK(metric(r, "values") == 41);
    CHECK(v3_get("privuser", L::authPriv, A::SHA256, "authpass-256", P::AES, "privpass-aes").status == Status::up);
    CHECK(v3_get("authuser", L::authNoPriv, A::SHA, "authpass-sha", std::nullopt, "").status == Status::up);
    CHECK(v3_get("nouser", L::noAuthNoPriv, std::nullopt, "", std::nullopt, "").status == Status::up);
    CHECK(v3_get("md5des", L::authPriv, A::MD5, "authpass-md5", P::DES, "privpass-des").status == Status::up);
    CHECK(v3_get("sha512aes", L::authPriv, A::SHA512, "authpass-512", P::AES, "privpass-aes2").status == Status::up);
    CHECK(v3_get("aes256user", L::authPriv, A::SHA384, "authpass-384", P::AES256, "privpass-256").status == Status::up);
    CHECK(v3_get("aes256cuser", L::authPriv, A::SHA224, "authpass-224", P::AES256C, "privpass-256c").status == Status::up);
    // the two AES-256 key extensions differ: the other one does not decrypt
    CHECK(v3_get("aes256cuser", L::authPriv, A::SHA224, "authpass-224", P::AES256, "privpass-256c").status == Status::down);
    CHECK(v3_get("aes256cuser", L::authPriv, A::SHA224, "authpass-224", P::AES256C, "privpass-256c").status == Status::up);
  }
  {  // wrong passwords: down with a reason that names no secret; the right one works again after
    auto r = v3_get("authuser", L::authNoPriv, A::SHA, "wrong-password", std::nullopt, "");
    CHECK(r.status == Status::down);
    CHECK(r.message == "GET: authentication failure: wrong digest (wrong authentication password or key)");
    CHECK(r.message.find("wrong-password") == std::string::npos);
    CHECK(v3_get("authuser", L::authNoPriv, A::SHA, "authpass-sha", std::nullopt, "").status == Status::up);
    r = v3_get("privuser", L::authPriv, A::SHA256, "authpass-256", P::AES, "wrong-priv-pass");
    CHECK(r.status == Status::down);  // snmpd drops what it cannot decrypt
    CHECK(r.message == "no response from 127.0.0.1:" + std::to_string(port) + " (wrong password, or no agent)");
    CHECK(r.message.find("wrong-priv-pass") == std::string::npos);
    CHECK(v3_get("privuser", L::authPriv, A::SHA256, "authpass-256", P::AES, "privpass-aes").status == Status::up);
    r = v3_get("nobody", L::authNoPriv, A::SHA, "authpass-sha", std::nullopt, "");
    CHECK(r.status == Status::down);
    CHECK(r.message == "GET: authentication failure: unknown user name");
  }
  {  // engine ids are cached per runner: snmpd counts each discovery in usmStatsUnknownEngineIDs.0
    const auto discoveries = [&] {
      auto p = snmp_probe(port);
      spec(p).get = {{"1.3.6.1.6.3.15.1.1.4.0", std::nullopt, {}}};
      const auto run = loop.run(p);
      REQUIRE(run.values.size() == 1);
      return run.values[0].number;
    };
    const double before = discoveries();
    for (int i = 0; i < 3; ++i)
      CHECK(v3_get("privuser", L::authPriv, A::SHA256, "authpass-256", P::AES, "privpass-aes").status == Status::up);
    CHECK(v3_get("authuser", L::authNoPriv, A::SHA, "wrong-password", std::nullopt, "").status == Status::down);
    CHECK(v3_get("authuser", L::authNoPriv, A::SHA, "authpass-sha", std::nullopt, "").status == Status::up);
    // none of these discovered again (a wrong password does not make the engine suspect)
    CHECK(discoveries() == before);
    const double cached = discoveries();
    Loop other;  // a new runner knows no engine yet
    auto p = v3_probe(port, "nouser", L::noAuthNoPriv);
    spec(p).get = {{sys_name, std::nullopt, {}}};
    CHECK(other.run(p).result.status == Status::up);
    CHECK(other.run(p).result.status == Status::up);
    CHECK(discoveries() == cached + 1);
  }
  {  // sessions are kept between runs: repeated runs to one target open no new socket
    const auto open_fds = [] {
      return std::distance(std::filesystem::directory_iterator("/proc/self/fd"), std::filesystem::directory_iterator{});
    };
    Loop fresh;
    auto p = snmp_probe(port);
    spec(p).get = {{sys_name, expect(str("peer-1")), {}}};
    CHECK(fresh.run(p).result.status == Status::up);
    CHECK(fresh.runner->idle_sessions() == 1);
    const auto fds = open_fds();
    for (int i = 0; i < 20; ++i) CHECK(fresh.run(p).result.status == Status::up);
    CHECK(fresh.runner->idle_sessions() == 1);
    CHECK(open_fds() == fds);
    // other credentials are another session; a run that times out leaves nothing behind
    auto v3 = v3_probe(port, "nouser", L::noAuthNoPriv);
    spec(v3).get = {{sys_name, expect(str("peer-1")), {}}};
    CHECK(fresh.run(v3).result.status == Status::up);
    CHECK(fresh.runner->idle_sessions() == 2);
    auto silent = snmp_probe(port, 400);
    spec(silent).community = catalogue::Secret("not-the-community", "");
    spec(silent).get = {{sys_name, std::nullopt, {}}};
    CHECK(fresh.run(silent).result.status == Status::down);
    CHECK(fresh.runner->idle_sessions() == 2);
    CHECK(open_fds() == fds + 1);
  }
  {  // our discovery finds the engine id snmpd reports as snmpEngineID.0
    auto p = snmp_probe(port);
    spec(p).get = {{"1.3.6.1.6.3.10.2.1.1.0", std::nullopt, {}}};
    const auto run = loop.run(p);
    REQUIRE(run.values.size() == 1);
    asio::io_context io;
    asio::ip::udp::socket sock(io, asio::ip::udp::v4());
    const auto req = probes::build_discovery_request(4242, 1);
    sock.send_to(asio::buffer(req), {asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)});
    std::array<std::uint8_t, 1500> buf;
    asio::ip::udp::endpoint from;
    const auto n = sock.receive_from(asio::buffer(buf), from);
    const auto info = probes::parse_discovery_response(std::span(buf.data(), n), 4242);
    REQUIRE(info.has_value());
    std::string hex;
    for (unsigned char c : info->id) {
      char b[4];
      std::snprintf(b, sizeof b, hex.empty() ? "%02X" : " %02X", c);
      hex += b;
    }
    CHECK(run.values[0].text == hex);
  }
}

TEST_CASE("snmp GETs split on tooBig") {
  // v3 lets us announce a small msgMaxSize: snmpd then answers a GET of ten 1,200-byte values
  // with tooBig, and the runner asks again in smaller requests.
  test::TempDir dir;
  const int port = test::free_port_range(1);
  test::Peer peer(test::peers_dir() + "/snmpd_peer.sh", dir.path(), port);
  asio::io_context io;
  auto options = Loop::options();
  options.max_message_bytes = 4000;
  auto runner = probes::make_snmp_runner(io.get_executor(), options, nullptr);
  auto p = v3_probe(port, "nouser", catalogue::SnmpSecurityLevel::noAuthNoPriv);
  for (int i = 0; i < 10; ++i) spec(p).get.push_back({"1.3.6.1.4.1.99999.1.3.1", std::nullopt, {}});
  std::optional<probes::SnmpRun> run;
  asio::co_spawn(io, runner->fetch(p, 0), [&](std::exception_ptr e, probes::SnmpRun r) {
    if (!e) run = std::move(r);
  });
  io.run();
  REQUIRE(run.has_value());
  CHECK(run->result.status == Status::up);
  CHECK(run->result.message == "");
  REQUIRE(run->values.size() == 10);
  CHECK(run->values[9].text == std::string(1200, 'x'));
}

TEST_CASE("a v3 probe to a silent port does not hold up other work on the loop") {
  asio::io_context io;
  Loop loop;
  // A UDP socket that never answers, and a TCP listener that accepts.
  asio::ip::udp::socket silent(loop.io, {asio::ip::make_address("127.0.0.1"), 0});
  asio::ip::tcp::acceptor acceptor(loop.io, {asio::ip::make_address("127.0.0.1"), 0});
  auto p = v3_probe(silent.local_endpoint().port(), "privuser", catalogue::SnmpSecurityLevel::authPriv);
  spec(p).auth_protocol = catalogue::SnmpAuthProtocol::SHA256;
  spec(p).auth_password = catalogue::Secret("authpass-256", "");
  spec(p).priv_protocol = catalogue::SnmpPrivProtocol::AES;
  spec(p).priv_password = catalogue::Secret("privpass-aes", "");
  spec(p).get = {{sys_name, std::nullopt, {}}};
  p.timeout_ms = 1500;

  std::optional<ProbeResult> result;
  bool timer_before_probe = false, connect_before_probe = false;
  asio::co_spawn(loop.io, loop.runner->run(p, 0), [&](std::exception_ptr, ProbeResult r) { result = std::move(r); });
  asio::steady_timer timer(loop.io, std::chrono::milliseconds(50));
  timer.async_wait([&](boost::system::error_code) { timer_before_probe = !result.has_value(); });
  asio::ip::tcp::socket client(loop.io), server(loop.io);
  acceptor.async_accept(server, [](boost::system::error_code) {});
  asio::steady_timer later(loop.io, std::chrono::milliseconds(100));
  later.async_wait([&](boost::system::error_code) {
    client.async_connect(acceptor.local_endpoint(),
                         [&](boost::system::error_code ec) { connect_before_probe = !ec && !result.has_value(); });
  });
  loop.io.run();
  REQUIRE(result.has_value());
  CHECK(result->status == Status::down);
  CHECK(timer_before_probe);
  CHECK(connect_before_probe);
}

TEST_CASE("a cancelled snmp run ends at once and the runner carries on") {
  using namespace boost::asio::experimental::awaitable_operators;
  test::TempDir dir;
  const int port = test::free_port_range(1);
  test::Peer peer(test::peers_dir() + "/snmpd_peer.sh", dir.path(), port);
  Loop loop;
  // A silent port (v2c: waits for its retries) cut off by a short limit.
  asio::ip::udp::socket silent(loop.io, {asio::ip::make_address("127.0.0.1"), 0});
  auto p = snmp_probe(silent.local_endpoint().port(), 5000);
  spec(p).get = {{sys_name, std::nullopt, {}}};
  int cut_short = 0;
  bool ended_before_later_timer = false;
  asio::steady_timer later(loop.io, std::chrono::milliseconds(2500));  // long before the probe's own 5 s
  later.async_wait([&](boost::system::error_code) { ended_before_later_timer = cut_short == 1; });
  asio::co_spawn(
      loop.io,
      [&]() -> asio::awaitable<void> {
        asio::steady_timer limit(co_await asio::this_coro::executor, std::chrono::milliseconds(200));
        auto r = co_await (loop.runner->run(p, 0) || limit.async_wait(asio::use_awaitable));
        cut_short += r.index() == 1;
      },
      asio::detached);
  loop.io.run();
  CHECK(cut_short == 1);
  CHECK(loop.runner->in_flight() == 0);
  CHECK(ended_before_later_timer);
  auto ok = snmp_probe(port);
  spec(ok).get = {{sys_name, std::nullopt, {}}};
  CHECK(loop.run(ok).result.status == Status::up);
}

namespace {

// What tests/probes/peers/snmp_udp_peer.py counted (its DIR/stats.json).
struct UdpPeerStats {
  int requests = 0, forwarded = 0, dropped = 0;
  std::vector<int> repetitions;  // max-repetitions of each GETBULK, in order
};

UdpPeerStats udp_peer_stats(const std::string& dir) {
  std::ifstream in(dir + "/stats.json");
  const std::string text((std::istreambuf_iterator<char>(in)), {});
  UdpPeerStats s;
  const auto field = [&](const char* name) {
    const auto at = text.find(std::string("\"") + name + "\": ");
    return at == std::string::npos ? -1 : std::atoi(text.c_str() + at + std::strlen(name) + 4);
  };
  s.requests = field("requests");
  s.forwarded = field("forwarded");
  s.dropped = field("dropped");
  const auto open = text.find('[');
  const auto close = text.find(']');
  if (open != std::string::npos && close != std::string::npos) {
    std::istringstream list(text.substr(open + 1, close - open - 1));
    std::string item;
    while (std::getline(list, item, ',')) s.repetitions.push_back(std::atoi(item.c_str()));
  }
  return s;
}

}  // namespace

TEST_CASE("snmp walk halves its bulk size when large answers are lost") {
  // snmpd behind a relay that drops every answer over 300 bytes: a 40-row bulk (~800 bytes) and a
  // 20-row one (~420) are lost, so the walk must go down to 10 rows a request and still get all 40.
  test::TempDir snmpd_dir, relay_dir;
  const int port = test::free_port_range(2);
  test::Peer snmpd(test::peers_dir() + "/snmpd_peer.sh", snmpd_dir.path(), port);
  test::Peer relay(test::peers_dir() + "/snmp_udp_peer.sh", relay_dir.path(), port + 1,
                   "relay " + std::to_string(port) + " 300");
  Loop loop;
  auto p = snmp_probe(port + 1, 4000);
  spec(p).retries = 0;
  spec(p).max_repetitions = 40;
  spec(p).walk = {{numbers, std::nullopt, {}}};
  const auto run = loop.run(p);
  CHECK(run.result.status == Status::up);
  CHECK(run.result.message == "");
  REQUIRE(run.values.size() == 40);
  for (std::size_t i = 0; i < run.values.size(); ++i) {
    CHECK(run.values[i].oid == numbers + "." + std::to_string(i + 1));
    CHECK(run.values[i].number == static_cast<double>((i + 1) * 10));
  }
  const auto stats = udp_peer_stats(relay_dir.path());
  CHECK(stats.dropped == 2);  // the 40- and the 20-row answers
  REQUIRE(stats.repetitions.size() >= 3);
  CHECK(stats.repetitions[0] == 40);
  CHECK(stats.repetitions[1] == 20);
  CHECK(stats.repetitions[2] == 10);
  for (std::size_t i = 2; i < stats.repetitions.size(); ++i) CHECK(stats.repetitions[i] == 10);  // halved for good

  // Where even one row is too large (the 1,200-byte value under .3), halving ends at 1 and the
  // run is down with the rows it got, not hanging past its timeout.
  auto big = snmp_probe(port + 1, 2000);
  spec(big).retries = 0;
  spec(big).max_repetitions = 8;
  spec(big).walk = {{"1.3.6.1.4.1.99999.1.3", std::nullopt, {}}};
  const auto t0 = std::chrono::steady_clock::now();
  const auto failed = loop.run(big);
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::milliseconds(3000));
  CHECK(failed.result.status == Status::down);
  CHECK(failed.result.message.find("walk 1.3.6.1.4.1.99999.1.3: no response") == 0);
  const auto after = udp_peer_stats(relay_dir.path()).repetitions;
  REQUIRE(after.size() >= stats.repetitions.size() + 4);
  CHECK(std::vector<int>(after.end() - 4, after.end()) == std::vector<int>{8, 4, 2, 1});
}

TEST_CASE("snmp walk stops when the agent's OIDs stop increasing") {
  // A fake v1/v2c agent (tests/probes/peers/snmp_udp_peer.py) that answers .5.1, .5.2, .5.1 to a
  // GETBULK and .5.2 then .5.1 to GETNEXTs: the runner must stop at the first step back and say so.
  test::TempDir dir;
  const int port = test::free_port_range(1);
  const std::string root = "1.3.6.1.4.1.99999.5";
  test::Peer fake(test::peers_dir() + "/snmp_udp_peer.sh", dir.path(), port, "fake " + root);
  Loop loop;
  auto p = snmp_probe(port, 3000);
  spec(p).walk = {{root, std::nullopt, {}}};
  const auto bulk = loop.run(p);
  CHECK(bulk.result.status == Status::down);
  CHECK(bulk.result.message == "walk " + root + ": OID not increasing: " + root + ".1 after " + root + ".2 (2 rows)");
  CHECK(bulk.values.size() == 2);
  CHECK(udp_peer_stats(dir.path()).requests == 1);

  spec(p).version = catalogue::SnmpVersion::v1;
  const auto next = loop.run(p);
  CHECK(next.result.status == Status::down);
  CHECK(next.result.message == "walk " + root + ": OID not increasing: " + root + ".1 after " + root + ".2 (1 rows)");
  CHECK(next.values.size() == 1);
  CHECK(udp_peer_stats(dir.path()).requests == 3);  // one GETBULK, then two GETNEXTs
}

TEST_CASE("snmp v3 authPriv with a wrong auth password or an unknown user is down at once with the Report's reason") {
  // snmpd answers both with a Report (usmStatsWrongDigests, usmStatsUnknownUserNames) as it does at
  // authNoPriv: the run must read it and end well before its timeout.
  test::TempDir dir;
  const int port = test::free_port_range(1);
  test::Peer peer(test::peers_dir() + "/snmpd_peer.sh", dir.path(), port);
  Loop loop;
  using L = catalogue::SnmpSecurityLevel;
  const auto run = [&](std::string user, std::string auth_pass, std::string priv_pass) {
    auto p = v3_probe(port, std::move(user), L::authPriv);
    p.timeout_ms = 4000;
    spec(p).auth_protocol = catalogue::SnmpAuthProtocol::SHA256;
    spec(p).auth_password = catalogue::Secret(std::move(auth_pass), "");
    spec(p).priv_protocol = catalogue::SnmpPrivProtocol::AES;
    spec(p).priv_password = catalogue::Secret(std::move(priv_pass), "");
    spec(p).get = {{sys_name, std::nullopt, {}}};
    const auto t0 = std::chrono::steady_clock::now();
    auto r = loop.run(p).result;
    return std::pair{r, std::chrono::steady_clock::now() - t0};
  };
  // the engine is discovered (and cached) by a good run first
  CHECK(run("privuser", "authpass-256", "privpass-aes").first.status == Status::up);
  auto [wrong, wrong_took] = run("privuser", "wrong-auth-pass", "privpass-aes");
  CHECK(wrong.status == Status::down);
  CHECK(wrong.message == "GET: authentication failure: wrong digest (wrong authentication password or key)");
  CHECK(wrong_took < std::chrono::milliseconds(2000));
  CHECK(wrong.message.find("wrong-auth-pass") == std::string::npos);
  auto [nobody, nobody_took] = run("nobody", "authpass-256", "privpass-aes");
  CHECK(nobody.status == Status::down);
  CHECK(nobody.message == "GET: authentication failure: unknown user name");
  CHECK(nobody_took < std::chrono::milliseconds(2000));
  CHECK(run("privuser", "authpass-256", "privpass-aes").first.status == Status::up);
}

TEST_CASE("snmp to a target behind a local unreachable route is down with the send error, not unknown or no answer" *
          doctest::test_suite("root")) {
  if (!test::is_root()) SLAMON_SKIP("network namespaces need root (CI and the dev machine run as root)");
  const std::string ns = "slamon-s-" + std::to_string(::getpid());
  test::sh("ip netns del " + ns);
  struct Drop {
    std::string ns;
    ~Drop() { test::sh("ip netns del " + ns); }
  } drop{ns};
  REQUIRE(test::sh("ip netns add " + ns));
  REQUIRE(test::sh("ip -n " + ns + " link set lo up"));
  REQUIRE(test::sh("ip -n " + ns + " route add unreachable 192.0.2.12"));
  test::InNamespace inside(ns);
  REQUIRE(inside.ok());
  Loop loop;
  auto p = snmp_probe(161, 1000);
  spec(p).target = "192.0.2.12";
  spec(p).get = {{sys_name, std::nullopt, {}}};
  auto r = loop.run(p).result;
  INFO(r.message);
  CHECK(r.status == Status::down);
  CHECK(r.message.find("cannot send to the target: ") == 0);
  auto v3 = v3_probe(161, "nouser", catalogue::SnmpSecurityLevel::noAuthNoPriv);
  v3.timeout_ms = 1000;
  spec(v3).target = "192.0.2.12";
  spec(v3).get = {{sys_name, std::nullopt, {}}};
  r = loop.run(v3).result;
  INFO(r.message);
  CHECK(r.status == Status::down);
  CHECK(r.message.find("cannot send to 192.0.2.12: ") == 0);
}

TEST_CASE("snmp walk of 1,200 values through a link losing 10% of datagrams completes, at full bulk size") {
  // retries 4, timeout 30 s: per-try timeouts come from the measured round trip, so each lost
  // datagram costs a short wait, and a plain loss never halves the bulk size.
  test::TempDir snmpd_dir, relay_dir;
  const int port = test::free_port_range(2);
  ::setenv("ROWS", "1200", 1);
  test::Peer snmpd(test::peers_dir() + "/snmpd_peer.sh", snmpd_dir.path(), port);
  ::unsetenv("ROWS");
  test::Peer relay(test::peers_dir() + "/snmp_udp_peer.sh", relay_dir.path(), port + 1,
                   "relay " + std::to_string(port) + " 65535 10 12");
  Loop loop;
  auto p = snmp_probe(port + 1, 30'000);
  spec(p).retries = 4;
  spec(p).max_repetitions = 25;
  spec(p).walk = {{numbers, expect({}, {}, {}, 1200), {}}};
  const auto t0 = std::chrono::steady_clock::now();
  const auto run = loop.run(p);
  INFO(run.result.message);
  CHECK(run.result.status == Status::up);
  CHECK(run.values.size() == 1200);
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(20));
  const auto stats = udp_peer_stats(relay_dir.path());
  CHECK(stats.dropped > 0);  // the link really lost answers
  for (const int reps : stats.repetitions) CHECK(reps == 25);  // never halved for a plain loss
}

TEST_CASE("snmp: a walk that loses its target midway says which request went unanswered after how many rows") {
  // snmpd behind a relay that drops every answer over 300 bytes, walked with bulks of 1 (each answer
  // small) and then a GETBULK for the 1,200-byte value: rows came, so the community is not blamed.
  test::TempDir snmpd_dir, relay_dir;
  const int port = test::free_port_range(2);
  test::Peer snmpd(test::peers_dir() + "/snmpd_peer.sh", snmpd_dir.path(), port);
  test::Peer relay(test::peers_dir() + "/snmp_udp_peer.sh", relay_dir.path(), port + 1,
                   "relay " + std::to_string(port) + " 300");
  Loop loop;
  auto p = snmp_probe(port + 1, 3000);
  spec(p).retries = 1;
  spec(p).max_repetitions = 1;
  spec(p).walk = {{"1.3.6.1.4.1.99999.1", std::nullopt, {}}};  // .1.N and .2.N answer; .3.1 is lost
  const auto run = loop.run(p);
  INFO(run.result.message);
  CHECK(run.result.status == Status::down);
  CHECK(run.result.message.find("walk 1.3.6.1.4.1.99999.1: no answer to request ") == 0);
  CHECK(run.result.message.find(" (2 tries) after 80 rows") != std::string::npos);
  CHECK(run.result.message.find("community") == std::string::npos);
}

TEST_CASE("snmp: a name that does not resolve is down with the resolver's reason, not a bare 'cannot resolve'") {
  Loop loop;
  auto p = snmp_probe(161, 1500);
  spec(p).target = "no-such-host.invalid";
  spec(p).get = {{sys_name, std::nullopt, {}}};
  const auto r = loop.run(p).result;
  INFO(r.message);
  CHECK(r.status == Status::down);
  CHECK(r.message.find("cannot resolve no-such-host.invalid: ") == 0);
}
