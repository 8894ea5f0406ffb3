// Tests for collector/session_logic.h: tokens in constant time, every way a hello is refused, the
// epoch decisions (resume, restored snapshot, lost spool, store restored from a backup, an older
// epoch), batch authorisation and clock skew, and assignment versions that change exactly when an
// agent's probes do.
#include "collector/session_logic.h"

#include <doctest/doctest.h>

#include <limits>

#include "common/catalogue/parser.h"
#include "tests/common/catalogue_test_util.h"

using namespace slamon;
using namespace slamon::collector;
namespace v1 = slamon::wire::v1;

namespace {

constexpr TimeMs kNow = 1'800'000'000'000;

KnownAgent agent_a1() { return KnownAgent{"a1", sha256_hex("tok-123")}; }

v1::Hello hello(std::uint64_t epoch, std::uint64_t first, std::uint64_t last) {
  v1::Hello h;
  h.set_protocol_version(wire::kProtocolVersion);
  h.set_agent("a1");
  h.set_token("tok-123");
  h.set_agent_clock_ms(kNow - 250);
  h.set_spool_epoch(epoch);
  h.set_spool_first_seq(first);
  h.set_spool_last_seq(last);
  return h;
}

ProbeResult result(const char* probe, TimeMs ts) {
  ProbeResult r;
  r.probe = probe;
  r.ts = ts;
  r.status = Status::up;
  return r;
}

}  // namespace

TEST_CASE("sha256_hex is SHA-256 in lower-case hex; token_matches takes either case and nothing else") {
  CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(token_matches("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
  CHECK(token_matches("abc", "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD"));
  CHECK_FALSE(token_matches("abd", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
  CHECK_FALSE(token_matches("abc", "ba7816bf"));  // a truncated hash never matches
  CHECK_FALSE(token_matches("abc", ""));
}

TEST_CASE("a hello is refused for another protocol version, an unknown agent, a wrong token or a malformed spool state") {
  const KnownAgent a = agent_a1();
  auto h = hello(5, 1, 10);
  h.set_protocol_version(wire::kProtocolVersion + 1);
  auto d = decide_hello(h, &a, {}, kNow);
  CHECK_FALSE(d.accepted);
  CHECK(d.refusal == v1::Refusal::BAD_PROTOCOL_VERSION);
  CHECK(d.reason.find("protocol version " + std::to_string(wire::kProtocolVersion + 1)) != std::string::npos);
  h.set_protocol_version(1);  // before the stored ranges: not spoken any more
  CHECK(decide_hello(h, &a, {}, kNow).refusal == v1::Refusal::BAD_PROTOCOL_VERSION);

  d = decide_hello(hello(5, 1, 10), nullptr, {}, kNow);
  CHECK(d.refusal == v1::Refusal::UNKNOWN_AGENT_OR_TOKEN);
  CHECK(d.reason.find("not in the catalogue") != std::string::npos);

  h = hello(5, 1, 10);
  h.set_token("tok-124");
  d = decide_hello(h, &a, {}, kNow);
  CHECK(d.refusal == v1::Refusal::UNKNOWN_AGENT_OR_TOKEN);
  CHECK(d.reason.find("wrong token") != std::string::npos);
  CHECK(d.reason.find("tok-12") == std::string::npos);  // never the token

  CHECK(decide_hello(hello(0, 0, 0), &a, {}, kNow).refusal == v1::Refusal::MALFORMED);
  CHECK(decide_hello(hello(5, 9, 3), &a, {}, kNow).refusal == v1::Refusal::MALFORMED);
}

TEST_CASE("an agent whose spool agrees with the store resumes its epoch after the mark") {
  const KnownAgent a = agent_a1();
  auto d = decide_hello(hello(5, 8, 20), &a, AgentMarks{7, 5}, kNow);
  REQUIRE(d.accepted);
  CHECK_FALSE(d.new_epoch);
  CHECK(d.epoch == 5);
  CHECK(d.committed_seq == 7);
  CHECK(d.clock_offset_ms == 250);
  // A new agent with an empty spool; one whose spool is empty because all of it was acknowledged.
  CHECK(decide_hello(hello(9, 0, 0), &a, AgentMarks{0, 0}, kNow).epoch == 9);
  d = decide_hello(hello(5, 0, 7), &a, AgentMarks{7, 5}, kNow);
  CHECK_FALSE(d.new_epoch);
  CHECK(d.committed_seq == 7);
}

TEST_CASE("a spool behind the store's mark, past mark + 1, or in an older epoch goes on in a new epoch above all") {
  const KnownAgent a = agent_a1();
  // A restored snapshot: the spool ends at 40, the store has 100 of this epoch.
  auto d = decide_hello(hello(5, 30, 40), &a, AgentMarks{100, 5}, kNow);
  REQUIRE(d.accepted);
  CHECK(d.new_epoch);
  CHECK(d.epoch == static_cast<std::uint64_t>(kNow));
  CHECK(d.committed_seq == 0);
  CHECK(d.reason.find("below the 100 stored") != std::string::npos);
  // The store restored from a backup: it has 10, the agent deleted up to 50 on acknowledgements.
  d = decide_hello(hello(5, 51, 60), &a, AgentMarks{10, 5}, kNow);
  CHECK(d.new_epoch);
  CHECK(d.reason.find("entries 11..50") != std::string::npos);
  // An epoch older than one the agent already moved to.
  d = decide_hello(hello(5, 1, 200), &a, AgentMarks{0, 7}, kNow);
  CHECK(d.new_epoch);
  // The new epoch is above every epoch seen, even with a clock behind them.
  d = decide_hello(hello(5, 1, 2), &a, AgentMarks{100, static_cast<std::uint64_t>(kNow) + 50}, kNow);
  CHECK(d.epoch == static_cast<std::uint64_t>(kNow) + 51);
}

TEST_CASE("an agent resumes with the ranges stored above the mark; a spool that ends below the top range needs a new epoch") {
  const KnownAgent a = agent_a1();
  auto d = decide_hello(hello(5, 8, 60), &a, AgentMarks{7, 5, wire::SeqRanges{{20, 30}, {50, 55}}}, kNow);
  REQUIRE(d.accepted);
  CHECK_FALSE(d.new_epoch);
  CHECK(d.committed_seq == 7);
  CHECK(d.stored == wire::SeqRanges{{20, 30}, {50, 55}});
  CHECK(d.reason.find("stored above: 20..30, 50..55") != std::string::npos);
  // The live results 50..55 are stored, the spool ends at 52: a restored snapshot reusing numbers.
  d = decide_hello(hello(5, 8, 52), &a, AgentMarks{7, 5, wire::SeqRanges{{50, 55}}}, kNow);
  CHECK(d.new_epoch);
  CHECK(d.stored.empty());
  CHECK(d.reason.find("below the 55 stored") != std::string::npos);
}

TEST_CASE("a batch of another epoch is refused whole; a good batch passes unchanged") {
  const std::unordered_set<std::string> assigned{"web.http", "db.tcp"};
  wire::Batch b;
  b.epoch = 5;
  b.first_seq = 8;
  b.entries = {result("web.http", kNow - 1000), wire::GapRecord{{"db.tcp"}, kNow - 9000, kNow - 5000, 3},
               result("db.tcp", kNow + 1999)};
  auto same = b;
  auto d = check_batch(same, "a1", 5, assigned, kNow, 2000);
  CHECK(d.accepted);
  CHECK(same == b);
  CHECK(d.refused_summary.empty());
  CHECK(d.not_assigned + d.in_future + d.probes_removed == 0);

  d = check_batch(same, "a1", 6, assigned, kNow, 2000);
  CHECK_FALSE(d.accepted);
  CHECK(d.refusal == v1::Refusal::MALFORMED);
  CHECK(d.reason.find("epoch 5 in a session of epoch 6") != std::string::npos);
}

TEST_CASE("entries for unassigned probes or stamped past the skew limit become holes; the rest stays") {
  const std::unordered_set<std::string> assigned{"web.http", "db.tcp"};
  const wire::GapRecord hole{{}, 0, 0, 1};
  wire::Batch b;
  b.epoch = 5;
  b.first_seq = 8;
  b.entries = {result("web.http", kNow - 1000), wire::GapRecord{{"db.tcp", "x.icmp"}, kNow - 9000, kNow - 5000, 3},
               result("core-sw.snmp", kNow), result("db.tcp", kNow + 2001), result("db.tcp", kNow + 2000),
               wire::GapRecord{{"y.icmp"}, kNow - 9000, kNow - 5000, 4}};
  const std::uint64_t last = b.last_seq();
  auto d = check_batch(b, "a1", 5, assigned, kNow, 2000);
  REQUIRE(d.accepted);
  CHECK(b.last_seq() == last);  // the numbers are kept: a hole stands for what it replaced
  REQUIRE(b.entries.size() == 6);
  CHECK(std::get<ProbeResult>(b.entries[0]).probe == "web.http");
  CHECK(std::get<wire::GapRecord>(b.entries[1]) == wire::GapRecord{{"db.tcp"}, kNow - 9000, kNow - 5000, 3});
  CHECK(std::get<wire::GapRecord>(b.entries[2]) == hole);
  CHECK(std::get<wire::GapRecord>(b.entries[3]) == hole);
  CHECK(std::get<ProbeResult>(b.entries[4]).ts == kNow + 2000);  // at the limit: kept
  CHECK(std::get<wire::GapRecord>(b.entries[5]).probes.empty());
  CHECK(std::get<wire::GapRecord>(b.entries[5]).dropped == 4);
  CHECK(d.not_assigned == 2);  // core-sw.snmp, the y.icmp gap
  CHECK(d.in_future == 1);
  CHECK(d.probes_removed == 1);  // x.icmp from the db.tcp gap
  CHECK(d.first_refused == std::vector<std::string>{"x.icmp", "core-sw.snmp", "db.tcp", "y.icmp"});
  CHECK(d.refused_summary.find("agent 'a1'") != std::string::npos);
  CHECK(d.refused_summary.find("refused 3 of 6 entries") != std::string::npos);
  CHECK(d.refused_summary.find("2 for probes not assigned to it") != std::string::npos);
  CHECK(d.refused_summary.find("1 stamped more than 2000 ms in the future") != std::string::npos);
  CHECK(d.refused_summary.find("'core-sw.snmp'") != std::string::npos);

  // A gap starting past the limit keeps its width and loses its probes.
  wire::Batch g;
  g.epoch = 5;
  g.first_seq = 1;
  g.entries = {wire::GapRecord{{"db.tcp"}, kNow + 3'600'000, kNow + 3'700'000, 2}};
  d = check_batch(g, "a1", 5, assigned, kNow, 2000);
  CHECK(d.in_future == 1);
  CHECK(std::get<wire::GapRecord>(g.entries[0]).probes.empty());
  CHECK(g.last_seq() == 2);

  // Only the first few probe ids are named.
  wire::Batch many;
  many.epoch = 5;
  many.first_seq = 1;
  for (int i = 0; i < 20; ++i) {
    std::string id = "p";  // (not "p" + ...: g++ 12's -Wrestrict false positive)
    id += std::to_string(i);
    many.entries.emplace_back(result(id.c_str(), kNow));
  }
  d = check_batch(many, "a1", 5, assigned, kNow, 2000);
  CHECK(d.not_assigned == 20);
  CHECK(d.first_refused.size() == kRefusedProbesShown);
}

TEST_CASE("the clock offset uses half a plausible round trip, and a skew is reported once per crossing") {
  // Echo 40 ms ago: rtt 40, the agent stamped its clock 20 ms ago by our clock; its clock reads 500 ms ahead.
  CHECK(estimate_clock_offset(kNow, kNow - 20 + 500, kNow - 40, 1000) == -500);
  // No echo, or an implausible round trip (held for seconds, or from the future): one-way.
  CHECK(estimate_clock_offset(kNow, kNow - 3000, 0, 1000) == 3000);
  CHECK(estimate_clock_offset(kNow, kNow - 3000, kNow - 5000, 1000) == 3000);
  CHECK(estimate_clock_offset(kNow, kNow - 3000, kNow + 10, 1000) == 3000);

  SkewWatch w;
  CHECK(w.update(100, 2000) == SkewWatch::Change::none);
  CHECK(w.update(2500, 2000) == SkewWatch::Change::went_over);
  CHECK(w.update(2600, 2000) == SkewWatch::Change::none);
  CHECK(w.over());
  CHECK(w.update(-1000, 2000) == SkewWatch::Change::came_back);
  CHECK(w.update(-2001, 2000) == SkewWatch::Change::went_over);
}

TEST_CASE("an assignment carries the agent's probes with the CA's PEM; its version changes exactly when they do") {
  catalogue::DiskFileSource disk;
  auto loaded = catalogue::load_catalogue(catalogue::test::source_dir() + "/config/demo.yaml", disk);
  REQUIRE_MESSAGE(loaded.catalogue, catalogue::test::all_errors(loaded));
  auto cat = *loaded.catalogue;
  // The demo's HTTPS probe does not verify; give one HTTP probe a CA file, as a catalogue may.
  bool set_ca = false;
  for (auto& ci : cat.cis)
    for (auto& p : ci.probes)
      if (auto* h = std::get_if<catalogue::HttpSpec>(&p.spec); h && !set_ca) {
        h->tls_ca_file = "/etc/slamon/ca.pem";
        set_ca = true;
      }
  REQUIRE(set_ca);
  const auto read_ca = [](const std::string& path) -> std::optional<std::string> { return "PEM of " + path; };
  auto shares = assign_probes(cat);
  REQUIRE_FALSE(shares.empty());
  const auto& share = shares.front();
  REQUIRE_FALSE(share.probes.empty());
  std::string error;
  const auto a = make_assignment(share, read_ca, error);
  REQUIRE_MESSAGE(a, error);
  CHECK(static_cast<std::size_t>(a->probes_size()) == share.probes.size());
  CHECK(a->version().size() == 64);
  bool saw_ca = false;
  for (std::size_t i = 0; i < share.probes.size(); ++i) {
    const auto back = wire::from_wire(a->probes(static_cast<int>(i)), share.agent);
    REQUIRE_MESSAGE(back, back.error);
    CHECK(back.value->probe.id == share.probes[i]->id);
    if (const auto* h = std::get_if<catalogue::HttpSpec>(&share.probes[i]->spec); h && h->tls_ca_file) {
      CHECK(back.value->ca_pem == std::optional<std::string>("PEM of " + *h->tls_ca_file));
      saw_ca = true;
    }
  }
  CHECK(saw_ca);

  // The same probes: the same version. Another catalogue field (an SLA target): still the same.
  CHECK(make_assignment(assign_probes(cat).front(), read_ca, error)->version() == a->version());
  cat.slas.front().versions.front().terms.target = Decimal4{990000};
  CHECK(make_assignment(assign_probes(cat).front(), read_ca, error)->version() == a->version());
  // A probe's interval changes: a new version.
  for (auto& ci : cat.cis)
    for (auto& p : ci.probes)
      if (p.id == share.probes.front()->id) p.interval_ms += 1000;
  CHECK(make_assignment(assign_probes(cat).front(), read_ca, error)->version() != a->version());

  // A CA that cannot be read: no assignment, and the error names the probe and the file.
  const auto none = [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
  CHECK_FALSE(make_assignment(assign_probes(cat).front(), none, error));
  CHECK(error.find("cannot read tls.ca_file") != std::string::npos);
}

TEST_CASE("an assignment reply runs the version sent, answers an older one, or refuses") {
  wire::v1::AssignmentReply r;
  r.set_version("v2");
  r.set_accepted(true);
  CHECK(judge_assignment_reply(r, "v2") == AssignmentAnswer::runs);
  CHECK(judge_assignment_reply(r, "v3") == AssignmentAnswer::stale);
  r.set_accepted(false);
  r.set_reason("probe x: bad");
  CHECK(judge_assignment_reply(r, "v2") == AssignmentAnswer::refused);
}

TEST_CASE("clock offsets from any clock an agent sends saturate instead of overflowing") {
  constexpr auto lo = std::numeric_limits<std::int64_t>::min();
  constexpr auto hi = std::numeric_limits<std::int64_t>::max();
  CHECK(estimate_clock_offset(1'000, lo, 0, 5'000) == hi);
  CHECK(estimate_clock_offset(1'000, hi, 0, 5'000) == -hi + 1'000);
  CHECK(estimate_clock_offset(-1'000, hi, 0, 5'000) == lo);
  CHECK(estimate_clock_offset(10'000, lo, 9'000, 5'000) == hi - 500);  // a plausible round trip
  CHECK(estimate_clock_offset(10'000, 4'000, lo, 5'000) == 6'000);  // implausible echo: one way
  wire::v1::Hello h;
  h.set_protocol_version(wire::kProtocolVersion);
  h.set_agent("a1");
  h.set_token("t");
  h.set_agent_clock_ms(lo);
  h.set_spool_epoch(1);
  const KnownAgent a{"a1", sha256_hex("t")};
  const auto d = decide_hello(h, &a, AgentMarks{}, 1'000);
  REQUIRE(d.accepted);
  CHECK(d.clock_offset_ms == hi);
}

TEST_CASE("a hello that needs a new epoch when none is above 2^64 - 1 is refused, not sent to an epoch below") {
  constexpr auto top = std::numeric_limits<std::uint64_t>::max();
  const auto a = agent_a1();
  // A spool in the last epoch that must move (its oldest entry past mark + 1).
  auto d = decide_hello(hello(top, 5, 9), &a, AgentMarks{0, 3}, kNow);
  CHECK_FALSE(d.accepted);
  CHECK(d.refusal == v1::Refusal::MALFORMED);
  std::string none_above = "there is none above ";
  none_above += std::to_string(top);
  CHECK(d.reason.find(none_above) != std::string::npos);
  // The store already moved it to the last epoch.
  d = decide_hello(hello(7, 1, 9), &a, AgentMarks{0, top}, kNow);
  CHECK_FALSE(d.accepted);
  // In the last epoch, with nothing to renumber, it simply resumes.
  d = decide_hello(hello(top, 1, 9), &a, AgentMarks{0, top}, kNow);
  CHECK(d.accepted);
  CHECK(d.epoch == top);
}
