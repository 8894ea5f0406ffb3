// Fuzz target for the collector's side of a session: what collector/link_server.cpp does with the
// bytes an agent sends, with its pure decisions (collector/session_logic.h, store::plan_ingest) and a
// model of the store in place of the sockets and SQLite. The bytes are cut into chunks whose sizes
// come from the input and fed through wire::FrameDecoder; each frame is an AgentMessage. The first
// must be a Hello (decide_hello against one known agent and the store's fixed marks); then batches
// (decoded, check_batch against a fixed assignment, plan_ingest against the modelled mark and stored
// ranges, which the plan then moves), heartbeats (the clock offset and the skew watch) and assignment replies. Whatever
// would close the session ends the input.
//
// Aborts when: the mark goes down or a stored number is forgotten; a plan stores an entry whose numbers
// were all stored, skips one that was not, or stores a result twice; more than kMaxStoredRanges ranges
// (more than before) lie above the mark; the mark is not the top of the range from 1;
// check_batch changes a sequence width or lets through a result it should refuse; a clock offset is
// not the exact difference clamped; an exception escapes; a reason shows the agent's token.
//
// Input: 4 bytes of chunk sizes (1..256 each, used in turn), then the stream.
#include <google/protobuf/stubs/logging.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <map>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "collector/session_logic.h"
#include "collector/store/store.h"
#include "common/wire/frame.h"

namespace {

using namespace slamon;
using namespace slamon::collector;
namespace v1 = wire::v1;

constexpr std::string_view kToken = "s3cret-token-of-fuzz-agent";  // no quote: see no_token()
constexpr TimeMs kNow = 1'767'225'600'000;                          // 2026-01-01T00:00:00Z
constexpr DurationMs kSkewLimit = 60'000;
constexpr DurationMs kMaxRtt = 30'000;
constexpr std::string_view kSentVersion = "v-fuzz-1";

void check(bool ok) {
  if (!ok) std::abort();
}

const KnownAgent& known() {
  static const KnownAgent a{"fuzz-agent", sha256_hex(kToken)};
  return a;
}

const std::unordered_set<std::string>& assigned() {
  static const std::unordered_set<std::string> s{"web.http", "db.tcp", "dns.a"};
  return s;
}

// a - b, exactly, clamped to int64: what a clock offset must be.
std::int64_t clamped_diff(__int128 a, __int128 b) {
  const __int128 d = a - b;
  if (d > std::numeric_limits<std::int64_t>::max()) return std::numeric_limits<std::int64_t>::max();
  if (d < std::numeric_limits<std::int64_t>::min()) return std::numeric_limits<std::int64_t>::min();
  return static_cast<std::int64_t>(d);
}

// The token never reaches a reason: every string a peer sent is quoted there ('...'), and the token
// has no quote, so it may show only inside one of them (an agent named after the token).
void no_token(std::string_view reason, const std::vector<std::string_view>& peer_strings) {
  if (reason.find(kToken) == std::string_view::npos) return;
  for (const auto s : peer_strings)
    if (s.find(kToken) != std::string_view::npos) return;
  std::abort();
}

// The store as the session sees it: epochs 2 and 3 of the agent, with their marks and ranges.
struct StoreModel {
  std::map<std::uint64_t, std::uint64_t> marks{{2, 40}, {3, 5}};
  std::map<std::uint64_t, wire::SeqRanges> ranges{{3, wire::SeqRanges{{9, 12}, {30, 31}}}};
  std::uint64_t last_epoch() const { return marks.rbegin()->first; }
  AgentMarks for_hello(std::uint64_t epoch) const {
    const auto it = marks.find(epoch);
    const auto r = ranges.find(epoch);
    return {it == marks.end() ? 0 : it->second, last_epoch(), r == ranges.end() ? wire::SeqRanges{} : r->second};
  }
};

class Session {
 public:
  // One frame; false when the session would close.
  bool frame(const std::string& payload) {
    v1::AgentMessage m;
    if (!m.ParseFromString(payload)) return false;
    if (!hello_done_) return m.has_hello() && hello(m.hello());
    switch (m.body_case()) {
      case v1::AgentMessage::kBatch:
        return batch(m.batch());
      case v1::AgentMessage::kHeartbeat:
        heartbeat(m.heartbeat());
        return true;
      case v1::AgentMessage::kAssignmentReply:
        assignment_reply(m.assignment_reply());
        return true;
      default:
        return false;  // a second hello, or no body
    }
  }

 private:
  bool hello(const v1::Hello& h) {
    const KnownAgent* a = h.agent() == known().name ? &known() : nullptr;
    const AgentMarks marks = store_.for_hello(h.spool_epoch());
    const auto d = decide_hello(h, a, marks, kNow);
    no_token(d.reason, {h.agent()});
    if (!d.accepted) {
      check(d.refusal != v1::Refusal::UNSPECIFIED);
      return false;
    }
    check(a != nullptr && token_matches(h.token(), known().token_sha256));
    check(h.spool_epoch() != 0 && h.spool_first_seq() <= h.spool_last_seq());
    check(d.clock_offset_ms == clamped_diff(kNow, h.agent_clock_ms()));
    check(d.epoch != 0);
    if (d.new_epoch) {
      // Above every epoch seen, nothing stored in it yet.
      check(d.epoch > marks.last_epoch && d.epoch > h.spool_epoch() && d.committed_seq == 0);
      check(store_.marks.count(d.epoch) == 0);
    } else {
      // The spool's epoch goes on from the store's mark, and the spool holds what follows it.
      check(d.epoch == h.spool_epoch() && d.committed_seq == marks.committed_seq && d.stored == marks.stored);
      check(h.spool_epoch() >= marks.last_epoch);
      check(h.spool_last_seq() >= std::max(marks.committed_seq, marks.stored.top()) &&
            h.spool_first_seq() <= marks.committed_seq + 1);
    }
    hello_done_ = true;
    agent_ = h.agent();
    epoch_ = d.epoch;
    store_.marks[epoch_] = d.committed_seq;
    store_.ranges[epoch_] = d.stored;
    return true;
  }

  bool batch(const v1::ResultBatch& w) {
    auto decoded = wire::from_wire(w, agent_);
    if (!decoded) return false;
    wire::Batch b = std::move(*decoded.value);
    const wire::Batch sent = b;
    std::vector<std::string_view> peer{agent_};
    for (const auto& e : sent.entries) {
      if (const auto* r = std::get_if<ProbeResult>(&e)) peer.push_back(r->probe);
      else
        for (const auto& p : std::get<wire::GapRecord>(e).probes) peer.push_back(p);
    }

    const auto d = check_batch(b, agent_, epoch_, assigned(), kNow, kSkewLimit);
    no_token(d.reason, peer);
    no_token(d.refused_summary, peer);
    if (!d.accepted) {
      check(sent.epoch != epoch_ && d.refusal != v1::Refusal::UNSPECIFIED);
      return false;
    }
    check(sent.epoch == epoch_);
    // Entries are refused one by one, in place: same count, same numbers, same widths.
    check(b.first_seq == sent.first_seq && b.entries.size() == sent.entries.size());
    const TimeMs latest = kNow + kSkewLimit;
    std::size_t holes = 0;
    for (std::size_t i = 0; i < b.entries.size(); ++i) {
      check(wire::seq_width(b.entries[i]) == wire::seq_width(sent.entries[i]));
      if (const auto* r = std::get_if<ProbeResult>(&b.entries[i])) {
        check(assigned().count(r->probe) != 0 && r->ts <= latest);
        check(std::holds_alternative<ProbeResult>(sent.entries[i]) && *r == std::get<ProbeResult>(sent.entries[i]));
        continue;
      }
      const auto& g = std::get<wire::GapRecord>(b.entries[i]);
      for (const auto& p : g.probes) check(assigned().count(p) != 0);
      if (!g.probes.empty()) check(g.from_ms <= latest);
      const bool had_probes = std::holds_alternative<ProbeResult>(sent.entries[i]) ||
                              !std::get<wire::GapRecord>(sent.entries[i]).probes.empty();
      if (had_probes && g.probes.empty()) ++holes;
    }
    check(holes == d.not_assigned + d.in_future);
    check(d.first_refused.size() <= kRefusedProbesShown);
    check(d.refused_summary.empty() == (d.not_assigned + d.in_future + d.probes_removed == 0));

    // The store's part: which entries go in, and the new mark and ranges.
    std::uint64_t& mark = store_.marks[epoch_];
    wire::SeqRanges& ranges = store_.ranges[epoch_];
    wire::SeqRanges all = ranges;  // every number stored before
    if (mark > 0) all.insert(1, mark);
    const auto plan = store::plan_ingest(mark, ranges, b);
    check(plan.new_mark >= mark);  // the mark never goes down
    if (b.entries.empty()) {
      check(!plan.gap && plan.new_mark == mark && plan.new_ranges == ranges);
      return true;
    }
    check(b.first_seq >= 1);  // from_wire: numbers start at 1
    if (plan.gap) {  // a resend from mark + 1 is asked for; nothing moves
      check(plan.new_mark == mark && plan.new_ranges == ranges && plan.store.empty());
      check(ranges.size() >= wire::kMaxStoredRanges);
      return true;
    }
    check(plan.store.size() == b.entries.size());
    wire::SeqRanges after = all;
    std::uint64_t seq = b.first_seq;
    bool straddles = false;
    std::size_t skipped = 0;
    for (std::size_t i = 0; i < b.entries.size(); ++i) {
      const std::uint64_t last = seq + wire::seq_width(b.entries[i]) - 1;
      check(last >= seq);
      if (!plan.store[i]) {
        check(all.covers(seq, last));  // skipped: stored already
        ++skipped;
      } else {
        check(!all.covers(seq, last));  // stored: never all stored before
        if (all.overlaps(seq, last)) {  // only a gap entry can be partly stored
          check(std::holds_alternative<wire::GapRecord>(b.entries[i]));
          straddles = true;
        }
        after.insert(seq, last);
      }
      seq = last + 1;
    }
    check(skipped == plan.skip && straddles == plan.straddles);
    // The mark is the top of the range from 1; the ranges are the rest; nothing stored is forgotten.
    const std::uint64_t new_mark = after.next_missing(1) - 1;
    check(plan.new_mark == std::max(mark, new_mark));
    wire::SeqRanges above = after;
    above.erase_through(plan.new_mark);
    check(plan.new_ranges == above);
    check(plan.new_ranges.size() <= std::max(wire::kMaxStoredRanges, ranges.size()));
    mark = plan.new_mark;
    ranges = plan.new_ranges;
    return true;
  }

  void heartbeat(const v1::Heartbeat& hb) {
    const auto offset = estimate_clock_offset(kNow, hb.clock_ms(), hb.echo_clock_ms(), kMaxRtt);
    const __int128 rtt = static_cast<__int128>(kNow) - hb.echo_clock_ms();
    if (hb.echo_clock_ms() > 0 && rtt >= 0 && rtt <= kMaxRtt)
      check(offset == clamped_diff(clamped_diff(kNow, hb.clock_ms()), rtt / 2));
    else
      check(offset == clamped_diff(kNow, hb.clock_ms()));
    const bool was = skew_.over();
    const auto change = skew_.update(offset, kSkewLimit);
    const bool over = offset > kSkewLimit || offset < -kSkewLimit;
    check(skew_.over() == over);
    check(change == (was == over ? SkewWatch::Change::none
                                 : over ? SkewWatch::Change::went_over : SkewWatch::Change::came_back));
  }

  void assignment_reply(const v1::AssignmentReply& r) {
    switch (judge_assignment_reply(r, kSentVersion)) {
      case AssignmentAnswer::runs:
        check(r.accepted() && r.version() == kSentVersion);
        break;
      case AssignmentAnswer::stale:
        check(r.accepted() && r.version() != kSentVersion);
        break;
      case AssignmentAnswer::refused:
        check(!r.accepted());
        break;
    }
  }

  StoreModel store_;
  bool hello_done_ = false;
  std::string agent_;
  std::uint64_t epoch_ = 0;
  SkewWatch skew_;
};

void run(const std::uint8_t* data, std::size_t size) {
  if (size < 4) return;
  const std::uint8_t* chunks = data;
  const std::string_view stream(reinterpret_cast<const char*>(data + 4), size - 4);
  wire::FrameDecoder decoder;
  Session session;
  std::size_t at = 0;
  for (std::size_t n = 0; at < stream.size(); ++n) {
    const std::size_t chunk = std::min<std::size_t>(1 + chunks[n % 4], stream.size() - at);
    at += decoder.feed(stream.substr(at, chunk));
    while (auto f = decoder.next())
      if (!session.frame(*f)) return;
    if (decoder.error() != wire::FrameError::none) return;
  }
}

}  // namespace

// Strings that are not UTF-8 are refused by the parser, which also logs each one: not here.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  google::protobuf::SetLogHandler(nullptr);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    run(data, size);
  } catch (...) {
    std::abort();  // nothing a peer sends may throw
  }
  return 0;
}
