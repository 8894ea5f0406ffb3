// Tests for agent/uplink_logic.h (pure): the send window (live results first, the back-fill in the
// other slots, acks with stored ranges, resends, drops), the backoff's bounds with a seeded random source, the choice among several collectors, the batch encoding under
// the frame cap, and what each collector message means for the session.
#include "agent/uplink_logic.h"

#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <random>
#include <set>

using namespace slamon;
using namespace slamon::agent;
namespace v1 = slamon::wire::v1;

using wire::SeqRanges;
using Next = SendWindow::Next;

TEST_CASE("send window: at most N batches in flight; acks free the batches they store; in order without a backlog") {
  SendWindow w(3);
  w.reset(7, 10, {}, 10);  // nothing held past the mark: every later result is live
  CHECK(w.live_from() == 11);
  CHECK_FALSE(w.next(10));  // nothing to send
  CHECK(w.next(35) == Next{11, 35, true});
  w.sent(11, 20, true);
  CHECK(w.next(35) == Next{21, 35, true});
  w.sent(21, 30, true);
  w.sent(31, 35, true);
  CHECK_FALSE(w.can_send());
  CHECK_FALSE(w.next(40));
  CHECK(w.in_flight() == 3);
  CHECK(w.on_ack(7, 25, {}));  // frees 11..20 only: 21..30 is not wholly stored
  CHECK(w.in_flight() == 2);
  CHECK(w.committed_seq() == 25);
  CHECK(w.next(40) == Next{36, 40, true});
  CHECK(w.on_ack(7, 20, {}));  // an older ack changes nothing
  CHECK(w.committed_seq() == 25);
  CHECK_FALSE(w.on_ack(6, 35, {}));  // another epoch: ignored
  CHECK(w.in_flight() == 2);
  CHECK(w.on_ack(7, 35, {}));
  CHECK(w.in_flight() == 0);
  // An ack past what was sent (stored by an earlier session): go on after it.
  CHECK(w.on_ack(7, 50, {}));
  CHECK(w.next(60) == Next{51, 60, true});
}

TEST_CASE("send window: live results go first, the back-fill takes the other slots but never the last free one") {
  SendWindow w(4);
  w.reset(1, 100, {}, 10'000);  // 101..10000 are the backlog; live from 10001
  CHECK(w.live_from() == 10'001);
  // No live result yet: the back-fill from the mark, in sequence order, up to 3 of the 4 slots.
  CHECK(w.next(10'000) == Next{101, 10'000, false});
  w.sent(101, 1'100, false);
  CHECK(w.next(10'000) == Next{1'101, 10'000, false});
  w.sent(1'101, 2'100, false);
  w.sent(2'101, 3'100, false);
  CHECK(w.backfill_in_flight() == 3);
  CHECK_FALSE(w.next(10'000));  // the last slot waits for live results
  // A live result is committed: it goes at once, ahead of the rest of the backlog.
  CHECK(w.next(10'001) == Next{10'001, 10'001, true});
  w.sent(10'001, 10'001, true);
  CHECK_FALSE(w.can_send());
  // The collector stores the live batch first (it arrived in a lighter lane of its queue, say): the
  // Ack carries it as a range above the mark, and the spool may delete it.
  SeqRanges newly;
  CHECK(w.on_ack(1, 100, SeqRanges{{10'001, 10'001}}, &newly));
  CHECK(newly == SeqRanges{{10'001, 10'001}});
  CHECK(w.stored() == SeqRanges{{10'001, 10'001}});
  CHECK(w.in_flight() == 3);
  // More live results: they take the free slot, from after what is stored.
  CHECK(w.next(10'050) == Next{10'002, 10'050, true});
  // Then the back-fill goes on where it was, and stops below the live numbers.
  CHECK(w.on_ack(1, 3'100, SeqRanges{{10'001, 10'001}}, &newly));
  CHECK(newly.empty());  // 101..3100 is the mark's part; the range was known
  CHECK(w.in_flight() == 0);
  CHECK(w.next(10'000) == Next{3'101, 10'000, false});
  // The back-fill reaches the live range: the mark merges with it.
  CHECK(w.on_ack(1, 10'001, {}, &newly));
  CHECK(newly.empty());
  CHECK(w.stored().empty());
  CHECK(w.next(10'050) == Next{10'002, 10'050, true});
}

TEST_CASE("send window: after a reconnect only what the collector does not hold is sent, holes first in the back-fill") {
  SendWindow w(8);
  // The collector holds up to 10, and 21..30 and 41..50 above; the spool ends at 60.
  w.reset(2, 10, SeqRanges{{21, 30}, {41, 50}}, 60);
  CHECK(w.live_from() == 61);
  CHECK(w.next(60) == Next{11, 20, false});
  w.sent(11, 20, false);
  CHECK(w.next(60) == Next{31, 40, false});
  w.sent(31, 40, false);
  CHECK(w.next(60) == Next{51, 60, false});
  w.sent(51, 60, false);
  CHECK_FALSE(w.next(60));
  CHECK(w.next(61) == Next{61, 61, true});
  // Numbers the spool turned out not to hold are not asked for again.
  SendWindow v(8);
  v.reset(2, 0, {}, 30);
  v.not_held(1, 4);
  CHECK(v.next(30) == Next{5, 30, false});
}

TEST_CASE("send window: a known range that the mark reaches becomes part of the mark") {
  SendWindow w(8);
  w.reset(1, 2, SeqRanges{{6, 8}, {15, 16}}, 30);
  SeqRanges newly;
  CHECK(w.on_ack(1, 5, SeqRanges{{15, 18}}, &newly));  // the collector's mark moved to 5: 6..8 follows it
  CHECK(w.committed_seq() == 8);
  CHECK(w.stored() == SeqRanges{{15, 18}});
  CHECK(newly == SeqRanges{{17, 18}});
}

TEST_CASE("send window: too many stored ranges: no live lane, everything in sequence order") {
  SeqRanges many;
  for (std::uint64_t i = 0; i < SendWindow::kLiveRangesLimit; ++i) many.insert(10 + 3 * i, 10 + 3 * i);
  SendWindow w(8);
  w.reset(1, 0, many, 1'000);
  CHECK(w.live_from() == 0);
  CHECK(w.next(2'000) == Next{1, 9, false});
  for (int i = 0; i < 7; ++i) w.sent(100 + i, 100 + i, false);
  CHECK(w.next(2'000));  // in sequence order the back-fill takes every slot
}

TEST_CASE("send window: a resend forgets the batches from there and switches to sequence order; another epoch is ignored") {
  SendWindow w(8);
  w.reset(3, 0, {}, 30);
  w.sent(1, 10, false);
  w.sent(11, 20, false);
  w.sent(31, 40, true);
  CHECK_FALSE(w.on_resend(2, 1));
  CHECK(w.in_flight() == 3);
  CHECK(w.on_resend(3, 11));
  REQUIRE(w.in_flight() == 1);
  CHECK(w.batches().front() == SendWindow::Sent{1, 10, false});
  CHECK(w.live_from() == 0);
  CHECK(w.next(40) == Next{11, 40, false});
}

TEST_CASE("send window: a drop that turns sent entries into a gap sends the gap from its start, with the back-fill") {
  SendWindow w(8);
  w.reset(1, 0, {}, 20);
  w.sent(1, 10, false);
  w.sent(11, 20, false);
  w.on_dropped(1, 15);  // the spool's oldest 15 numbers are one gap now
  CHECK(w.in_flight() == 0);
  CHECK(w.next(20) == Next{1, 20, false});
  // A gap that reaches into the live numbers: the live lane starts after it.
  SendWindow v(8);
  v.reset(1, 5, {}, 10);
  v.sent(11, 12, true);
  v.on_dropped(6, 12);
  CHECK(v.in_flight() == 0);
  CHECK(v.live_from() == 13);
  CHECK(v.next(12) == Next{6, 12, false});
}

TEST_CASE("clip_batch keeps the entries that start at most at the bound; a gap that starts there stays whole") {
  wire::Batch b;
  b.first_seq = 5;
  b.entries.emplace_back(ProbeResult{});
  b.entries.emplace_back(wire::GapRecord{{"p"}, 0, 1, 4});  // 6..9
  b.entries.emplace_back(ProbeResult{});                     // 10
  auto c = b;
  clip_batch(c, 6);
  CHECK(c.entries.size() == 2);
  CHECK(c.last_seq() == 9);
  c = b;
  clip_batch(c, 100);
  CHECK(c.entries.size() == 3);
  c = b;
  clip_batch(c, 4);
  CHECK(c.entries.empty());
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

TEST_CASE("collector choice: a random start, then list order wrapping; a round of failures asks for the backoff") {
  // The start is the random draw scaled to the list: 0.0 -> first, 0.5 -> second of three, ~1 -> last.
  CHECK(CollectorChoice(3, [] { return 0.0; }).current() == 0);
  CHECK(CollectorChoice(3, [] { return 0.5; }).current() == 1);
  CHECK(CollectorChoice(3, [] { return 0.9999999; }).current() == 2);
  CHECK(CollectorChoice(3, [] { return 1.0; }).current() == 0);  // out of [0, 1): the first
  CHECK(CollectorChoice(3, [] { return std::nan(""); }).current() == 0);
  CHECK(CollectorChoice(3, {}).current() == 0);
  // Failures move to the next at once; the third failure (one attempt at each) ends the round.
  CollectorChoice c(3, [] { return 0.5; });
  CHECK_FALSE(c.failed());
  CHECK(c.current() == 2);
  CHECK_FALSE(c.failed());
  CHECK(c.current() == 0);
  CHECK(c.failed());
  CHECK(c.current() == 1);  // the next round starts where the last one did
  CHECK_FALSE(c.failed());
  CHECK_FALSE(c.failed());
  CHECK(c.failed());
  // Spread: many agents drawing their start land on every collector.
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::set<std::size_t> starts;
  for (int i = 0; i < 50; ++i) starts.insert(CollectorChoice(4, [&] { return u(rng); }).current());
  CHECK(starts == std::set<std::size_t>{0, 1, 2, 3});
}

TEST_CASE("collector choice: the agent stays with the collector it reached; losing it starts a round there") {
  CollectorChoice c(3, [] { return 0.0; });
  CHECK_FALSE(c.failed());  // 0 refused
  CHECK(c.current() == 1);
  c.connected();  // 1 welcomed us: we stay there
  CHECK(c.current() == 1);
  // 1 dies: 2 and 0 are tried at once; only when 1 failed again is the round over.
  CHECK_FALSE(c.failed());
  CHECK(c.current() == 2);
  CHECK_FALSE(c.failed());
  CHECK(c.current() == 0);
  CHECK(c.failed());
  CHECK(c.current() == 1);
}

TEST_CASE("collector choice: with one collector every failure is a round (the backoff as before)") {
  CollectorChoice c(1, [] { return 0.7; });
  CHECK(c.current() == 0);
  CHECK(c.failed());
  CHECK(c.current() == 0);
  c.connected();
  CHECK(c.failed());
  CHECK(CollectorChoice(0, {}).count() == 1);
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
  CHECK(s.window().committed_seq() == 40);
  CHECK(s.window().live_from() == 101);
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
  CHECK(t.window().committed_seq() == 0);
  CHECK(t.window().live_from() == 101);  // the spool's 1..100, renumbered from 1, are the backlog
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
  s.window().sent(1, 10, false);
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
  s.window().sent(11, 20, false);
  r = s.on_message(resend, held(3), 0);
  CHECK(r.wake_sender);
  CHECK(s.window().in_flight() == 0);
  CHECK(s.window().next(100) == SendWindow::Next{11, 100, false});
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
  s.window().sent(11, 40, false);
  v1::CollectorMessage ack;
  ack.mutable_ack()->set_epoch(9);
  ack.mutable_ack()->set_committed_seq(41);
  r = s.on_message(ack, held(9, 40), 0);
  CHECK(r.close);
  CHECK_FALSE(r.acknowledge);
  CHECK(s.window().committed_seq() == 10);
  CHECK(s.window().in_flight() == 1);
  v1::CollectorMessage resend;
  resend.mutable_resend()->set_epoch(9);
  resend.mutable_resend()->set_from_seq(42);
  CHECK(s.on_message(resend, held(9, 40), 0).close);
  CHECK(s.window().in_flight() == 1);
  resend.mutable_resend()->set_from_seq(41);
  CHECK_FALSE(s.on_message(resend, held(9, 40), 0).close);
  ack.mutable_ack()->set_committed_seq(40);
  r = s.on_message(ack, held(9, 40), 0);
  CHECK_FALSE(r.close);
  CHECK_FALSE(s.window().next(40));
}

namespace {
void add_range(google::protobuf::RepeatedPtrField<v1::SeqRange>& out, std::uint64_t first, std::uint64_t last) {
  auto* r = out.Add();
  r->set_first_seq(first);
  r->set_last_seq(last);
}
}  // namespace

TEST_CASE("session: the stored ranges of a welcome and an ack are acknowledged to the spool, each only once") {
  UplinkSession s("c:1");
  auto w = welcome(9, 10);
  add_range(*w.mutable_welcome()->mutable_stored(), 50, 60);
  auto r = s.on_message(w, held(9, 100), 0);
  REQUIRE_FALSE(r.close);
  CHECK(r.acknowledge == std::make_pair<std::uint64_t, std::uint64_t>(9, 10));
  CHECK(r.acknowledge_ranges == wire::SeqRanges{{50, 60}});
  CHECK(s.window().next(100) == SendWindow::Next{11, 49, false});
  v1::CollectorMessage ack;
  ack.mutable_ack()->set_epoch(9);
  ack.mutable_ack()->set_committed_seq(20);
  add_range(*ack.mutable_ack()->mutable_stored(), 50, 60);
  add_range(*ack.mutable_ack()->mutable_stored(), 100, 100);
  r = s.on_message(ack, held(9, 100), 0);
  REQUIRE_FALSE(r.close);
  CHECK(r.acknowledge_ranges == wire::SeqRanges{{100, 100}});  // 50..60 was known
  CHECK(s.window().stored() == wire::SeqRanges{{50, 60}, {100, 100}});
}

TEST_CASE("session: stored ranges that are backwards, overlapping, touch the mark or pass the spool close the session") {
  const auto closes = [](std::vector<std::pair<std::uint64_t, std::uint64_t>> ranges, std::uint64_t mark = 10) {
    UplinkSession s("c:1");
    auto w = welcome(9, mark);
    for (auto [f, l] : ranges) add_range(*w.mutable_welcome()->mutable_stored(), f, l);
    return s.on_message(w, held(9, 100), 0).close;
  };
  CHECK_FALSE(closes({{12, 20}, {22, 30}}));
  CHECK(closes({{20, 12}}));             // backwards
  CHECK(closes({{12, 20}, {15, 30}}));   // overlapping
  CHECK(closes({{12, 20}, {21, 30}}));   // adjacent: one range
  CHECK(closes({{11, 20}}));             // starts right after the mark: part of it
  CHECK(closes({{5, 20}}));              // below the mark
  CHECK(closes({{90, 101}}));            // past the spool's last number
  std::vector<std::pair<std::uint64_t, std::uint64_t>> many;
  for (std::uint64_t i = 0; i <= wire::kMaxStoredRanges; ++i) many.emplace_back(12 + 2 * i, 12 + 2 * i);
  CHECK(closes(many));                   // more than the collector ever keeps
  UplinkSession s("c:1");
  auto w = welcome(12, 0);               // a new epoch with something stored
  add_range(*w.mutable_welcome()->mutable_stored(), 5, 6);
  CHECK(s.on_message(w, held(9, 100), 0).close);
}

TEST_CASE("session: a heartbeat echoing any clock gives a round trip without overflow") {
  UplinkSession s("c:1");
  v1::CollectorMessage hb;
  hb.mutable_heartbeat()->set_clock_ms(1);
  hb.mutable_heartbeat()->set_echo_clock_ms(std::numeric_limits<std::int64_t>::min());
  const auto r = s.on_message(hb, held(1), 1'000);
  CHECK(r.log.find("round trip " + std::to_string(std::numeric_limits<std::int64_t>::max())) != std::string::npos);
}
