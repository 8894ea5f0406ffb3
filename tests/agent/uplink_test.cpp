// A loopback test of agent/uplink.h over real TLS: a tiny test-only collector (Asio ssl, a CA and a
// server certificate made here with the openssl command) answers Hello with a Welcome that starts a
// new epoch and carries an assignment, then stores every batch as the real one does (what it does not
// hold yet, with the ranges above its mark) and acknowledges it. The agent's spool must be sent whole,
// renumbered in the new epoch, acknowledged (so emptied), the assignment applied and answered,
// heartbeats sent, and stop() must close the link; results committed during the session overtake the
// backlog. A certificate for another name is refused.
#include "agent/uplink.h"

#include <doctest/doctest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <sstream>

#include "common/wire/frame.h"
#include "tests/temp_dir.h"

using namespace slamon;
using namespace slamon::agent;
using slamon::test::TempDir;
namespace asio = boost::asio;
namespace ssl = asio::ssl;
namespace v1 = slamon::wire::v1;
using tcp = asio::ip::tcp;

namespace {

// A CA and a certificate for 127.0.0.1 and localhost signed by it.
bool make_certificates(const TempDir& d) {
  const std::string p = d.path.string();
  d.write("ext.cnf", "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
  const std::string cmd =
      std::string("cd '") + p + "' && "
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout ca.key -out ca.pem -days 2 "
      "-subj /CN=slamon-test-ca && "
      "openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout server.key -out server.csr "
      "-subj /CN=localhost && "
      "openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 2 "
      "-extfile ext.cnf";
  return std::system((std::string("(") + cmd + ") >/dev/null 2>&1").c_str()) == 0;
}

// What the test collector saw.
struct Seen {
  std::optional<v1::Hello> hello;
  std::uint64_t epoch = 0;
  std::vector<std::uint64_t> seqs;  // every result's number, in arrival order
  std::vector<std::string> probes;
  std::optional<v1::AssignmentReply> reply;
  int heartbeats = 0;
  bool closed = false;
};

asio::awaitable<v1::AgentMessage> read_message(ssl::stream<tcp::socket>& s, wire::FrameDecoder& dec, std::string& rest) {
  std::array<char, 16384> buf{};
  for (;;) {
    if (auto payload = dec.next()) {
      v1::AgentMessage m;
      REQUIRE(m.ParseFromString(*payload));
      co_return m;
    }
    if (!rest.empty()) {
      rest.erase(0, dec.feed(rest));
      continue;
    }
    const auto n = co_await s.async_read_some(asio::buffer(buf), asio::use_awaitable);
    rest.append(buf.data(), n);
  }
}

asio::awaitable<void> send(ssl::stream<tcp::socket>& s, const v1::CollectorMessage& m) {
  std::string frame;
  wire::append_frame(frame, m.SerializeAsString());
  co_await asio::async_write(s, asio::buffer(frame), asio::use_awaitable);
}

// Accepts one agent: Welcome in a new epoch with an assignment of one TCP probe, then an Ack per batch.
// `quiet`: after the Welcome it reads on but never answers (a collector that hung). `resend_after`:
// the first batch that starts past that number is refused once, with a resend request from there.
// `hold_acks_until`: no Ack until a number at or past it is stored (a slow store that holds the
// backlog: the agent's window fills up).
asio::awaitable<void> collector(tcp::acceptor& acceptor, ssl::context& ctx, Seen& seen, bool quiet = false,
                                std::uint64_t resend_after = 0, std::uint64_t hold_acks_until = 0) {
  ssl::stream<tcp::socket> s(co_await acceptor.async_accept(asio::use_awaitable), ctx);
  try {
    co_await s.async_handshake(ssl::stream_base::server, asio::use_awaitable);
    wire::FrameDecoder dec;
    std::string rest;
    auto hello = co_await read_message(s, dec, rest);
    REQUIRE(hello.has_hello());
    seen.hello = hello.hello();
    seen.epoch = hello.hello().spool_epoch() + 5;
    v1::CollectorMessage w;
    w.mutable_welcome()->set_protocol_version(wire::kProtocolVersion);
    w.mutable_welcome()->set_epoch(seen.epoch);
    w.mutable_welcome()->set_committed_seq(0);
    w.mutable_welcome()->set_collector_clock_ms(1);
    auto* a = w.mutable_welcome()->mutable_assignment();
    a->set_version("v-test");
    auto* p = a->add_probes();
    p->set_id("db.tcp");
    p->set_interval_ms(60'000);
    p->set_timeout_ms(5'000);
    p->set_stale_after_ms(180'000);
    p->set_confirm(1);
    p->set_weight(1);
    p->mutable_tcp()->set_host("127.0.0.1");
    p->mutable_tcp()->set_port(5432);
    co_await send(s, w);
    wire::SeqRanges stored;  // every number stored
    for (;;) {
      const auto m = co_await read_message(s, dec, rest);
      if (quiet) {
        seen.heartbeats += m.has_heartbeat() ? 1 : 0;
        continue;
      }
      if (m.has_batch()) {
        const auto& b = m.batch();
        CHECK(b.epoch() == seen.epoch);
        if (resend_after != 0 && b.first_seq() > resend_after) {
          // The first batch past the mark: refused once, with a resend request from the mark.
          seen.seqs.push_back(0);  // marks where the resend was asked
          v1::CollectorMessage rq;
          rq.mutable_resend()->set_epoch(b.epoch());
          rq.mutable_resend()->set_from_seq(resend_after + 1);
          resend_after = 0;
          co_await send(s, rq);
          continue;
        }
        // As a real collector: entries not stored yet are stored, whatever their place; the
        // acknowledgement is the mark and the ranges above it.
        std::uint64_t seq = b.first_seq();
        for (const auto& e : b.entries()) {
          if (!stored.covers(seq, seq)) {
            seen.seqs.push_back(seq);
            seen.probes.push_back(e.result().probe());
            stored.insert(seq, seq);
          }
          ++seq;
        }
        if (hold_acks_until != 0 && stored.top() < hold_acks_until) continue;
        const std::uint64_t mark = stored.next_missing(1) - 1;
        wire::SeqRanges above = stored;
        above.erase_through(mark);
        v1::CollectorMessage ack;
        ack.mutable_ack()->set_epoch(b.epoch());
        ack.mutable_ack()->set_committed_seq(mark);
        wire::to_wire(above, *ack.mutable_ack()->mutable_stored());
        co_await send(s, ack);
      } else if (m.has_assignment_reply()) {
        seen.reply = m.assignment_reply();
      } else if (m.has_heartbeat()) {
        ++seen.heartbeats;
        v1::CollectorMessage hb;
        hb.mutable_heartbeat()->set_clock_ms(2);
        hb.mutable_heartbeat()->set_echo_clock_ms(m.heartbeat().clock_ms());
        co_await send(s, hb);
      }
    }
  } catch (const std::exception&) {
    seen.closed = true;  // the agent closed the link
  }
}

class WallClock final : public Clock {
 public:
  TimeMs now_ms() const override { return c.now_ms(); }
  std::int64_t steady_ns() const override { return c.steady_ns(); }
  SystemClock c;
};

template <class Pred>
bool run_until(asio::io_context& io, Pred done, std::chrono::milliseconds limit) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (!done() && std::chrono::steady_clock::now() < until) io.run_one_for(std::chrono::milliseconds(20));
  return done();
}

struct Fixture {
  TempDir d;
  asio::io_context io;
  ssl::context server_ctx{ssl::context::tls_server};
  tcp::acceptor acceptor{io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)};
  WallClock clock;
  std::ostringstream log_text;
  std::shared_ptr<spdlog::logger> log =
      std::make_shared<spdlog::logger>("uplink", std::make_shared<spdlog::sinks::ostream_sink_st>(log_text));
  AgentConfig config;

  bool init() {
    if (!make_certificates(d)) return false;
    server_ctx.use_certificate_chain_file(d.file("server.pem"));
    server_ctx.use_private_key_file(d.file("server.key"), ssl::context::pem);
    log->set_level(spdlog::level::debug);
    config.collectors = {{"127.0.0.1", acceptor.local_endpoint().port()}};
    config.name = "a1";
    config.token = catalogue::Secret("t0ken-secret", "");
    config.tls.ca_file = d.file("ca.pem");
    return true;
  }
};

std::vector<ProbeResult> results(std::size_t n) {
  std::vector<ProbeResult> out;
  for (std::size_t i = 0; i < n; ++i) {
    ProbeResult r;
    r.probe = "p";
    r.probe += std::to_string(i % 7);
    r.ts = 1'700'000'000'000 + static_cast<TimeMs>(i);
    r.status = Status::up;
    out.push_back(r);
  }
  return out;
}

}  // namespace

TEST_CASE("uplink over TLS: hello, a new epoch, the whole spool sent in order and acknowledged, the assignment answered, a clean stop") {
  Fixture f;
  REQUIRE_MESSAGE(f.init(), "the openssl command could not make the test certificates");
  Spool spool(f.d.file("spool.db"), f.clock);
  spool.append(results(2'500));
  const auto old_epoch = spool.state().epoch;
  Seen seen;
  asio::co_spawn(f.io, collector(f.acceptor, f.server_ctx, seen), asio::detached);
  std::vector<std::string> applied;
  UplinkHooks hooks;
  hooks.assignment_version = [] { return std::string("v-old"); };
  hooks.apply_assignment = [&](const v1::Assignment& a) {
    applied.push_back(a.version());
    return AssignmentOutcome{true, {}};
  };
  UplinkOptions o;
  o.heartbeat_every_ms = 50;
  Uplink up(f.io.get_executor(), f.config, spool, f.clock, f.log, hooks, o);
  up.start();
  REQUIRE(run_until(f.io, [&] { return seen.seqs.size() >= 2'500 && seen.reply && spool.state().entries == 0 && seen.heartbeats >= 2; },
                    std::chrono::seconds(20)));
  REQUIRE(seen.hello);
  CHECK(seen.hello->agent() == "a1");
  CHECK(seen.hello->token() == "t0ken-secret");
  CHECK(seen.hello->spool_epoch() == old_epoch);
  CHECK(seen.hello->spool_first_seq() == 1);
  CHECK(seen.hello->spool_last_seq() == 2'500);
  CHECK(seen.hello->assignment_version() == "v-old");
  // Renumbered in the collector's epoch, sent whole and in order, acknowledged.
  CHECK(spool.state().epoch == seen.epoch);
  REQUIRE(seen.seqs.size() == 2'500);
  for (std::size_t i = 0; i < seen.seqs.size(); ++i) REQUIRE(seen.seqs[i] == i + 1);
  CHECK(seen.probes[8] == "p1");
  CHECK(up.stats().batches_sent >= 3);  // at most 1,000 entries a batch
  CHECK(applied == std::vector<std::string>{"v-test"});
  CHECK(seen.reply->version() == "v-test");
  CHECK(seen.reply->accepted());
  // New results go out as soon as they are committed.
  spool.append(results(3));
  up.notify();
  REQUIRE(run_until(f.io, [&] { return seen.seqs.size() == 2'503 && spool.state().entries == 0; }, std::chrono::seconds(10)));
  CHECK(seen.seqs.back() == 2'503);
  const auto text = f.log_text.str();
  CHECK(text.find(std::string("a1: connected to collector 127.0.0.1:") + std::to_string(f.config.collectors[0].port) + ", TLSv1.") != std::string::npos);
  CHECK(text.find("new spool epoch") != std::string::npos);
  CHECK(text.find("t0ken-secret") == std::string::npos);
  up.stop();
  CHECK(run_until(f.io, [&] { return up.stopped() && seen.closed; }, std::chrono::seconds(5)));
}

TEST_CASE("uplink over TLS: a certificate that does not name the collector is refused, logged, and retried") {
  Fixture f;
  REQUIRE_MESSAGE(f.init(), "the openssl command could not make the test certificates");
  f.config.tls.server_name = "collector.elsewhere.example";
  Spool spool(f.d.file("spool.db"), f.clock);
  Seen seen;
  asio::co_spawn(f.io, collector(f.acceptor, f.server_ctx, seen), asio::detached);
  Uplink up(f.io.get_executor(), f.config, spool, f.clock, f.log, {});
  up.start();
  REQUIRE(run_until(f.io, [&] { return f.log_text.str().find("retrying collector") != std::string::npos; },
                    std::chrono::seconds(10)));
  CHECK_FALSE(seen.hello);
  CHECK(up.stats().sessions == 0);
  const auto text = f.log_text.str();
  CHECK(text.find("a1: cannot connect to collector 127.0.0.1:") != std::string::npos);
  CHECK(text.find("TLS handshake failed") != std::string::npos);
  CHECK(text.find("collector.elsewhere.example") != std::string::npos);
  up.stop();
  CHECK(run_until(f.io, [&] { return up.stopped(); }, std::chrono::seconds(5)));
}

TEST_CASE("uplink over TLS: a collector that stops answering is left after the silence limit, although writes still succeed") {
  Fixture f;
  REQUIRE_MESSAGE(f.init(), "the openssl command could not make the test certificates");
  Spool spool(f.d.file("spool.db"), f.clock);
  Seen seen;
  asio::co_spawn(f.io, collector(f.acceptor, f.server_ctx, seen, true), asio::detached);
  UplinkOptions o;
  o.heartbeat_every_ms = 50;
  o.silence_limit_ms = 400;
  Uplink up(f.io.get_executor(), f.config, spool, f.clock, f.log, {}, o);
  up.start();
  REQUIRE(run_until(f.io, [&] { return f.log_text.str().find("lost (") != std::string::npos; }, std::chrono::seconds(10)));
  CHECK(seen.heartbeats >= 3);  // the agent kept writing meanwhile
  CHECK(f.log_text.str().find(std::string("a1: connection to collector 127.0.0.1:") + std::to_string(f.config.collectors[0].port) +
                              " lost (no message from the collector for 0.4 s)") != std::string::npos);
  CHECK(up.stats().sessions == 1);
  CHECK_FALSE(up.stats().connected);
  up.stop();
  CHECK(run_until(f.io, [&] { return up.stopped(); }, std::chrono::seconds(5)));
}

TEST_CASE("uplink over TLS: a resend request sends again from the collector's mark, batches in flight included") {
  Fixture f;
  REQUIRE_MESSAGE(f.init(), "the openssl command could not make the test certificates");
  Spool spool(f.d.file("spool.db"), f.clock);
  spool.append(results(5'000));
  Seen seen;
  asio::co_spawn(f.io, collector(f.acceptor, f.server_ctx, seen, false, 1'000), asio::detached);
  UplinkHooks hooks;
  hooks.apply_assignment = [](const v1::Assignment&) { return AssignmentOutcome{true, {}}; };
  Uplink up(f.io.get_executor(), f.config, spool, f.clock, f.log, hooks);
  up.start();
  REQUIRE(run_until(f.io, [&] { return spool.state().entries == 0 && spool.state().last_seq == 5'000; }, std::chrono::seconds(20)));
  // Stored: 1..1000; then the refused batch came again from 1001 (those in flight behind it were
  // stored meanwhile and are not sent twice to the store); every number stored once.
  const auto cut = std::find(seen.seqs.begin(), seen.seqs.end(), 0u);
  REQUIRE(cut != seen.seqs.end());
  CHECK(cut - seen.seqs.begin() == 1'000);
  std::vector<std::uint64_t> expected;
  for (std::uint64_t n = 1; n <= 5'000; ++n) expected.push_back(n);
  std::vector<std::uint64_t> stored(seen.seqs.begin(), cut);
  stored.insert(stored.end(), cut + 1, seen.seqs.end());
  std::sort(stored.begin(), stored.end());
  CHECK(stored == expected);
  CHECK(f.log_text.str().find("asked to resend from 1001") != std::string::npos);
  up.stop();
  CHECK(run_until(f.io, [&] { return up.stopped(); }, std::chrono::seconds(5)));
}

TEST_CASE("uplink over TLS: results committed during the session overtake a backlog the collector holds back") {
  Fixture f;
  REQUIRE_MESSAGE(f.init(), "the openssl command could not make the test certificates");
  Spool spool(f.d.file("spool.db"), f.clock);
  spool.append(results(20'000));  // the backlog: 20 batches of 1,000
  Seen seen;
  // No Ack until the live result (20,001 in the new epoch) is stored: with the window full of backlog
  // and no slot kept for live results, it would never be sent.
  asio::co_spawn(f.io, collector(f.acceptor, f.server_ctx, seen, false, 0, 20'001), asio::detached);
  UplinkHooks hooks;
  hooks.apply_assignment = [](const v1::Assignment&) { return AssignmentOutcome{true, {}}; };
  Uplink up(f.io.get_executor(), f.config, spool, f.clock, f.log, hooks);
  up.start();
  const bool filled = run_until(f.io, [&] { return seen.seqs.size() >= 7'000; }, std::chrono::seconds(20));
  INFO(f.log_text.str());
  INFO(seen.seqs.size());
  REQUIRE(filled);
  spool.append(results(1));
  up.notify();
  REQUIRE(run_until(f.io, [&] { return spool.state().entries == 0; }, std::chrono::seconds(20)));
  const auto live = std::find(seen.seqs.begin(), seen.seqs.end(), 20'001u);
  REQUIRE(live != seen.seqs.end());
  CHECK(live - seen.seqs.begin() <= 7'000);  // after at most the 7 backlog batches in flight
  auto sorted = seen.seqs;
  std::sort(sorted.begin(), sorted.end());
  CHECK(std::adjacent_find(sorted.begin(), sorted.end()) == sorted.end());  // each once
  CHECK(sorted.size() == 20'001);
  up.stop();
  CHECK(run_until(f.io, [&] { return up.stopped(); }, std::chrono::seconds(5)));
}

TEST_CASE("uplink over TLS: with several collectors it moves to the next at once on a refused connect and on silence, without a backoff") {
  Fixture f;
  REQUIRE_MESSAGE(f.init(), "the openssl command could not make the test certificates");
  // [a port nobody listens on, a collector that welcomes and then goes silent, a good collector]
  const int dead_port = [] {
    asio::io_context tmp;
    tcp::acceptor a(tmp, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    return static_cast<int>(a.local_endpoint().port());
  }();
  tcp::acceptor good(f.io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  const int quiet_port = f.config.collectors[0].port;
  const int good_port = good.local_endpoint().port();
  f.config.collectors = {{"127.0.0.1", dead_port}, {"127.0.0.1", quiet_port}, {"127.0.0.1", good_port}};
  Spool spool(f.d.file("spool.db"), f.clock);
  spool.append(results(20));
  Seen quiet_seen;
  Seen good_seen;
  asio::co_spawn(f.io, collector(f.acceptor, f.server_ctx, quiet_seen, true), asio::detached);
  asio::co_spawn(f.io, collector(good, f.server_ctx, good_seen), asio::detached);
  UplinkOptions o;
  o.heartbeat_every_ms = 50;
  o.silence_limit_ms = 400;
  o.backoff_initial_ms = 30'000;  // a backoff between these attempts would outlast the test
  Uplink up(f.io.get_executor(), f.config, spool, f.clock, f.log, {}, o, [] { return 0.0; });  // start at the first
  CHECK(up.peer() == "127.0.0.1:" + std::to_string(dead_port));
  up.start();
  REQUIRE(run_until(f.io, [&] { return good_seen.seqs.size() >= 20 && spool.state().entries == 0; }, std::chrono::seconds(10)));
  CHECK(up.peer() == "127.0.0.1:" + std::to_string(good_port));
  CHECK(up.stats().sessions == 2);
  CHECK(quiet_seen.hello);
  const auto text = f.log_text.str();
  INFO(text);
  const auto at = [&](const std::string& s) { return text.find(s); };
  const std::string dead = "127.0.0.1:" + std::to_string(dead_port);
  const std::string quiet = "127.0.0.1:" + std::to_string(quiet_port);
  const std::string good_peer = "127.0.0.1:" + std::to_string(good_port);
  const auto refused = at("a1: cannot connect to collector " + dead + ": TCP connect: Connection refused");
  const auto to_quiet = at("a1: trying collector " + quiet + " next");
  const auto lost = at("a1: connection to collector " + quiet + " lost (no message from the collector for 0.4 s)");
  const auto to_good = at("a1: trying collector " + good_peer + " next");
  const auto connected = at("a1: connected to collector " + good_peer);
  REQUIRE(refused != std::string::npos);
  REQUIRE(to_quiet != std::string::npos);
  REQUIRE(lost != std::string::npos);
  REQUIRE(to_good != std::string::npos);
  REQUIRE(connected != std::string::npos);
  CHECK(refused < to_quiet);
  CHECK(to_quiet < lost);
  CHECK(lost < to_good);
  CHECK(to_good < connected);
  CHECK(at("retrying") == std::string::npos);  // no backoff inside a round
  up.stop();
  CHECK(run_until(f.io, [&] { return up.stopped(); }, std::chrono::seconds(5)));
}

TEST_CASE("uplink over TLS: when every collector fails the backoff comes once per round, the line naming the round") {
  Fixture f;
  REQUIRE_MESSAGE(f.init(), "the openssl command could not make the test certificates");
  std::vector<int> ports;
  {
    asio::io_context tmp;
    tcp::acceptor a(tmp, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    tcp::acceptor b(tmp, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    ports = {a.local_endpoint().port(), b.local_endpoint().port()};
  }
  f.config.collectors = {{"127.0.0.1", ports[0]}, {"127.0.0.1", ports[1]}};
  Spool spool(f.d.file("spool.db"), f.clock);
  UplinkOptions o;
  o.backoff_initial_ms = 100;
  Uplink up(f.io.get_executor(), f.config, spool, f.clock, f.log, {}, o, [] { return 0.5; });  // start at the second
  up.start();
  const auto count = [&](const std::string& s) {
    const auto text = f.log_text.str();
    std::size_t n = 0;
    for (auto p = text.find(s); p != std::string::npos; p = text.find(s, p + 1)) ++n;
    return n;
  };
  REQUIRE(run_until(f.io, [&] { return count("each of the 2 collectors failed") >= 2; }, std::chrono::seconds(10)));
  INFO(f.log_text.str());
  CHECK(count("cannot connect to collector") >= 4);
  CHECK(count("a1: each of the 2 collectors failed; retrying from collector 127.0.0.1:" + std::to_string(ports[1]) + " in ") >= 2);
  CHECK(f.log_text.str().find("a1: cannot connect to collector 127.0.0.1:" + std::to_string(ports[1])) <
        f.log_text.str().find("a1: cannot connect to collector 127.0.0.1:" + std::to_string(ports[0])));
  up.stop();
  CHECK(run_until(f.io, [&] { return up.stopped(); }, std::chrono::seconds(5)));
}
