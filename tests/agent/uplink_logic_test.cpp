// Tests for agent/uplink_logic.h (pure): the send window (in flight, cumulative acks, resends, a
// drop under the cursor), the backoff's bounds with a seeded random source, the batch encoding under
// the frame cap, and what each collector message means for the session.
#include "agent/uplink_logic.h"

#include <doctest/doctest.h>

#include <limits>
#include <random>
#include <set>

using namespace slamon;
using namespace slamon::agent;
namespace v1 = slamon::wire::v1;

TEST_CASE("send window: at most N batches in flight; cumulative acks free them; the cursor follows what was sent") {
  SendWindow w(3);
  w.reset(7, 10);
  CHECK(w.cursor() == 11);
  CHECK(w.can_send());
  w.sent(11, 20);
  w.sent(21, 30);
  w.sent(31, 35);
  CHECK(w.cursor() == 36);
  CHECK_FALSE(w.can_send());
  CHECK(w.in_flight() == 3);
  CHECK(w.on_ack(7, 25));  // frees 11..20 only: 21..30 is not wholly stored
  CHECK(w.in_flight() == 2);
  CHECK(w.can_send());
  CHECK(w.committed_seq() == 25);
  CHECK(w.on_ack(7, 20));  // an older ack changes nothing
  CHECK(w.committed_seq() == 25);
  CHECK_FALSE(w.on_ack(6, 35));  // another epoch: ignored
  CHECK(w.in_flight() == 2);
  CHECK(w.on_ack(7, 35));
  CHECK(w.in_flight() == 0);
  CHECK(w.cursor() == 36);
  // An ack past the cursor (stored by an earlier session): go on after it.
  CHECK(w.on_ack(7, 50));
  CHECK(w.cursor() == 51);
}

TEST_CASE("send window: a resend moves the cursor back and forgets the batches above it; another epoch is ignored") {
  SendWindow w(8);
  w.reset(3, 0);
  CHECK(w.cursor() == 1);
  w.sent(1, 10);
  w.sent(11, 20);
  w.sent(21, 30);
  CHECK_FALSE(w.on_resend(2, 1));
  CHECK(w.cursor() == 31);
  CHECK(w.on_resend(3, 11));
  CHECK(w.cursor() == 11);
  REQUIRE(w.in_flight() == 1);
  CHECK(w.batches().front() == SendWindow::Sent{1, 10});
  // Never below what is stored.
  CHECK(w.on_ack(3, 10));
  CHECK(w.on_resend(3, 4));
  CHECK(w.cursor() == 11);
  CHECK(w.in_flight() == 0);
}

TEST_CASE("send window: a drop that turns sent entries into a gap sends the gap from its start") {
  SendWindow w(8);
  w.reset(1, 0);
  w.sent(1, 10);
  w.sent(11, 20);
  w.on_dropped(1, 15);  // the spool's oldest 15 numbers are one gap now
  CHECK(w.cursor() == 21);  // the cursor is past the gap: nothing to resend
  w.on_dropped(1, 30);
  CHECK(w.cursor() == 1);
  CHECK(w.in_flight() == 0);
  // Above the collector's mark only.
  SendWindow v(8);
  v.reset(1, 5);
  v.sent(6, 10);
  v.on_dropped(1, 12);
  CHECK(v.cursor() == 6);
}

TEST_CASE("backoff: doubles from 1 s to 60 s, each delay in [bound/2, bound], reset after a welcome") {
  std::mt19937_64 rng(12345);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  Backoff b([&] { return u(rng); });
  const std::vector<DurationMs> bounds = {1'000, 2'000, 4'000, 8'000, 16'000, 32'000, 60'000, 60'000, 60'000};
  for (const auto bound : bounds) {
    CHECK(b.bound_ms() == bound);
    const auto d = b.next();
    CHECK(d >= bound / 2);
    CHECK(d <= bound);
  }
  b.reset();
  CHECK(b.bound_ms() == 1'000);
  // The extremes of the random source give the extremes of the range.
  Backoff lo([] { return 0.0; });
  Backoff hi([] { return 0.9999999; });
  CHECK(lo.next() == 500);
  CHECK(hi.next() == 1'000);
  // Jitter spreads: many draws at 60 s are not all equal.
  std::set<DurationMs> seen;
  for (int i = 0; i < 20; ++i) seen.insert(b.next());
  CHECK(seen.size() > 10);
}

TEST_CASE("hello carries the spool's marks, the cached assignment version and the protocol version") {
  const auto m = make_hello("a1", "s3cret", 1'700'000'000'123, SpoolMarks{42, 5, 9}, "v17");
  REQUIRE(m.has_hello());
  CHECK(m.hello().protocol_version() == wire::kProtocolVersion);
  CHECK(m.hello().agent() == "a1");
  CHECK(m.hello().token() == "s3cret");
  CHECK(m.hello().agent_clock_ms() == 1'700'000'000'123);
  CHECK(m.hello().spool_epoch() == 42);
  CHECK(m.hello().spool_first_seq() == 5);
  CHECK(m.hello().spool_last_seq() == 9);
  CHECK(m.hello().assignment_version() == "v17");
  const auto h = make_heartbeat(10, 7, 3);
  CHECK(h.heartbeat().clock_ms() == 10);
  CHECK(h.heartbeat().echo_clock_ms() == 7);
  CHECK(h.heartbeat().backlog() == 3);
}

TEST_CASE("encode_batch: a batch over the frame cap keeps only the entries that fit, in order") {
  wire::Batch b;
  b.epoch = 1;
  b.first_seq = 100;
  for (int i = 0; i < 1000; ++i) {
    ProbeResult r;
    r.probe = "p";
    r.probe += std::to_string(i);
    r.ts = 1'700'000'000'000 + i;
    r.status = Status::up;
    r.message = std::string(200, 'x');
    b.entries.push_back(r);
  }
  auto whole = b;
  const auto all = encode_batch(whole, wire::kDefaultMaxFrameBytes);
  REQUIRE(all);
  CHECK(whole.entries.size() == 1000);
  auto part = b;
  const auto payload = encode_batch(part, 50'000);
  REQUIRE(payload);
  CHECK(payload->size() <= 50'000);
  CHECK(part.entries.size() < 1000);
  CHECK(part.entries.size() > 100);
  v1::AgentMessage m;
  REQUIRE(m.ParseFromString(*payload));
  CHECK(m.batch().first_seq() == 100);
  CHECK(m.batch().last_seq() == 100 + part.entries.size() - 1);
  CHECK(m.batch().entries(0).result().probe() == "p0");
  auto tiny = b;
  CHECK_FALSE(encode_batch(tiny, 10));
}

namespace {
v1::CollectorMessage welcome(std::uint64_t epoch, std::uint64_t committed, bool with_assignment = false) {
  v1::CollectorMessage m;
  auto* w = m.mutable_welcome();
  w->set_protocol_version(1);
  w->set_epoch(epoch);
  w->set_committed_seq(committed);
  w->set_collector_clock_ms(5'000);
  if (with_assignment) w->mutable_assignment()->set_version("v2");
  return m;
}
// A spool of `epoch` holding 1..last.
SpoolMarks held(std::uint64_t epoch, std::uint64_t last = 100) { return {epoch, 1, last}; }
}  // namespace

TEST_CASE("session: a welcome resets the window at the collector's mark; a new epoch is announced with a warning") {
  UplinkSession s("c:7443");
  CHECK_FALSE(s.established());
  auto r = s.on_message(welcome(9, 40), held(9), 6'000);
  CHECK(r.welcome);
  CHECK_FALSE(r.new_epoch);
  CHECK_FALSE(r.close);
  CHECK(r.acknowledge == std::make_pair<std::uint64_t, std::uint64_t>(9, 40));
  CHECK(s.window().cursor() == 41);
  CHECK(s.last_collector_clock_ms() == 0);  // only a Heartbeat's clock is echoed
  CHECK(r.assignment == nullptr);

  UplinkSession t("c:7443");
  const auto m = welcome(12, 0, true);
  r = t.on_message(m, held(9), 6'000);
  REQUIRE(r.new_epoch);
  CHECK(*r.new_epoch == 12);
  CHECK(r.level == LogLevel::warn);
  CHECK(r.log.find("new spool epoch 12") != std::string::npos);
  REQUIRE(r.assignment != nullptr);
  CHECK(r.assignment->version() == "v2");
  CHECK(t.window().cursor() == 1);
  // A second welcome is a protocol error.
  CHECK(t.on_message(m, held(12), 6'000).close);
}

TEST_CASE("session: acks and resends before the welcome close; of another epoch they are ignored with a debug line") {
  UplinkSession s("c:1");
  v1::CollectorMessage ack;
  ack.mutable_ack()->set_epoch(3);
  ack.mutable_ack()->set_committed_seq(10);
  auto r = s.on_message(ack, held(3), 0);
  CHECK(r.close);
  CHECK(r.level == LogLevel::error);
  s = UplinkSession("c:1");
  s.on_message(welcome(3, 0), held(3), 0);
  s.window().sent(1, 10);
  r = s.on_message(ack, held(3), 0);
  CHECK_FALSE(r.close);
  CHECK(r.acknowledge == std::make_pair<std::uint64_t, std::uint64_t>(3, 10));
  CHECK(r.wake_sender);
  CHECK(s.window().in_flight() == 0);
  ack.mutable_ack()->set_epoch(2);
  r = s.on_message(ack, held(3), 0);
  CHECK_FALSE(r.acknowledge);
  CHECK(r.level == LogLevel::debug);
  CHECK(r.log.find("ignored") != std::string::npos);
  v1::CollectorMessage resend;
  resend.mutable_resend()->set_epoch(3);
  resend.mutable_resend()->set_from_seq(11);
  s.window().sent(11, 20);
  r = s.on_message(resend, held(3), 0);
  CHECK(r.wake_sender);
  CHECK(s.window().cursor() == 11);
}

TEST_CASE("session: a refusal closes, with its reason and detail; SHUTTING_DOWN is a warning, the others errors") {
  UplinkSession s("collector.example:7443");
  v1::CollectorMessage m;
  m.mutable_refusal()->set_reason(v1::Refusal::UNKNOWN_AGENT_OR_TOKEN);
  m.mutable_refusal()->set_detail("agent a1: wrong token");
  auto r = s.on_message(m, held(1), 0);
  CHECK(r.close);
  CHECK(r.level == LogLevel::error);
  CHECK(r.log == "collector collector.example:7443 refused us: UNKNOWN_AGENT_OR_TOKEN: agent a1: wrong token");
  m.mutable_refusal()->set_reason(v1::Refusal::SHUTTING_DOWN);
  r = s.on_message(m, held(1), 0);
  CHECK(r.level == LogLevel::warn);
  CHECK(refusal_name(99) == "UNKNOWN_REASON_99");
  v1::CollectorMessage hb;
  hb.mutable_heartbeat()->set_clock_ms(777);
  hb.mutable_heartbeat()->set_echo_clock_ms(900);
  r = s.on_message(hb, held(1), 1'000);
  CHECK(s.last_collector_clock_ms() == 777);
  CHECK(r.log.find("round trip 100 ms") != std::string::npos);
  CHECK(s.on_message(v1::CollectorMessage{}, held(1), 0).close);
}

TEST_CASE("decode_assignment: all probes or the first error naming the probe") {
  v1::Assignment a;
  a.set_version("v1");
  auto add = [&](const std::string& id) {
    auto* p = a.add_probes();
    p->set_id(id);
    p->set_interval_ms(60'000);
    p->set_timeout_ms(5'000);
    p->set_stale_after_ms(180'000);
    p->set_confirm(1);
    p->set_weight(1);
    p->mutable_tcp()->set_host("127.0.0.1");
    p->mutable_tcp()->set_port(22);
    return p;
  };
  add("a.tcp");
  add("b.tcp");
  auto d = decode_assignment(a, "agent-1");
  CHECK(d.error.empty());
  REQUIRE(d.probes.size() == 2);
  CHECK(d.probes[1].probe.id == "b.tcp");
  CHECK(d.probes[1].probe.agent == "agent-1");
  add("c.tcp")->mutable_tcp()->set_port(70'000);
  d = decode_assignment(a, "agent-1");
  CHECK(d.probes.empty());
  CHECK(d.error.find("c.tcp") != std::string::npos);
  a.mutable_probes()->RemoveLast();
  add("a.tcp");
  d = decode_assignment(a, "agent-1");
  CHECK(d.error == "probe a.tcp: assigned twice");
  a.mutable_probes()->RemoveLast();
  add("../x");
  CHECK_FALSE(decode_assignment(a, "agent-1").error.empty());
}

TEST_CASE("session: a collector that acknowledges or asks for numbers the spool never gave is closed on") {
  // A Welcome in the spool's epoch past its last number, or a new epoch with something stored.
  UplinkSession s("c:1");
  auto r = s.on_message(welcome(9, 41), held(9, 40), 0);
  CHECK(r.close);
  CHECK(r.level == LogLevel::error);
  CHECK(r.log.find("past the spool's last entry 40 of epoch 9") != std::string::npos);
  CHECK_FALSE(s.established());
  CHECK_FALSE(r.acknowledge);
  CHECK(UplinkSession("c:1").on_message(welcome(12, 3), held(9, 40), 0).close);
  CHECK_FALSE(UplinkSession("c:1").on_message(welcome(9, 40), held(9, 40), 0).close);
  CHECK_FALSE(UplinkSession("c:1").on_message(welcome(12, 0), held(9, 40), 0).close);

  // An Ack past the last number; a ResendRequest past the next one.
  REQUIRE_FALSE(s.on_message(welcome(9, 10), held(9, 40), 0).close);
  s.window().sent(11, 40);
  v1::CollectorMessage ack;
  ack.mutable_ack()->set_epoch(9);
  ack.mutable_ack()->set_committed_seq(41);
  r = s.on_message(ack, held(9, 40), 0);
  CHECK(r.close);
  CHECK_FALSE(r.acknowledge);
  CHECK(s.window().committed_seq() == 10);
  CHECK(s.window().cursor() == 41);
  v1::CollectorMessage resend;
  resend.mutable_resend()->set_epoch(9);
  resend.mutable_resend()->set_from_seq(42);
  CHECK(s.on_message(resend, held(9, 40), 0).close);
  CHECK(s.window().cursor() == 41);
  resend.mutable_resend()->set_from_seq(41);
  CHECK_FALSE(s.on_message(resend, held(9, 40), 0).close);
  ack.mutable_ack()->set_committed_seq(40);
  r = s.on_message(ack, held(9, 40), 0);
  CHECK_FALSE(r.close);
  CHECK(s.window().cursor() == 41);
}

TEST_CASE("session: a heartbeat echoing any clock gives a round trip without overflow") {
  UplinkSession s("c:1");
  v1::CollectorMessage hb;
  hb.mutable_heartbeat()->set_clock_ms(1);
  hb.mutable_heartbeat()->set_echo_clock_ms(std::numeric_limits<std::int64_t>::min());
  const auto r = s.on_message(hb, held(1), 1'000);
  CHECK(r.log.find("round trip " + std::to_string(std::numeric_limits<std::int64_t>::max())) != std::string::npos);
}
