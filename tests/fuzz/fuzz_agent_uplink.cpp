// Fuzz target for the agent's side of the link: what agent/uplink.cpp does with the bytes a collector
// sends, with its pure decisions (agent/uplink_logic.h) and a model of the spool in place of the
// socket and SQLite. The bytes are cut into chunks whose sizes come from the input and fed through
// wire::FrameDecoder; each frame is a CollectorMessage for UplinkSession::on_message (Welcome, Ack,
// ResendRequest, AssignmentUpdate, Heartbeat, Refusal), applied as the uplink applies a Reaction: the
// new epoch renumbers the spool, the acknowledgement (the mark and the stored ranges) deletes from it,
// an assignment is decoded. Between messages the spool grows, its oldest entries may be dropped into a
// gap, and the sender sends what SendWindow::next says while it says something. A message that closes
// the session starts the next one (the agent reconnects).
//
// Aborts when: a batch is sent past the spool's last number, of numbers the window knows are stored,
// or overlapping another in flight; a live batch starts below live_from or a back-fill batch ends at or
// past it; the back-fill takes the last free slot while there is a live lane; more batches are in
// flight than the window's cap; the acknowledged mark goes back within a session's epoch;
// decode_assignment throws or returns a half-decoded assignment; any exception escapes.
//
// Input: 4 bytes of chunk sizes (1..256 each, used in turn), 4 bytes of agent actions (one per
// message, in turn), then the stream.
#include <google/protobuf/stubs/logging.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_set>

#include "agent/uplink_logic.h"
#include "common/wire/frame.h"

namespace {

using namespace slamon;
using namespace slamon::agent;
namespace v1 = wire::v1;

constexpr std::size_t kMaxInFlight = 4;
constexpr TimeMs kNow = 1'767'225'600'000;  // 2026-01-01T00:00:00Z

void check(bool ok) {
  if (!ok) std::abort();
}

// The spool as the uplink sees it (agent/spool.h): the numbers it holds in an epoch, up to `last` (the
// newest given), with holes where ranges were acknowledged out of order. Dropping the oldest entries
// folds them into one gap that keeps their numbers (and spans the holes between them).
struct SpoolModel {
  std::uint64_t epoch = 3;
  std::uint64_t last = 20;
  wire::SeqRanges held{{1, 20}};

  std::uint64_t first() const { return held.empty() ? 0 : held.ranges().front().first; }
  SpoolMarks marks() const { return {epoch, first(), last}; }
  void append(std::uint64_t n) {
    if (n == 0) return;
    held.insert(last + 1, last + n);
    last += n;
  }
  // Spool::acknowledge and acknowledge_range.
  void acknowledge(std::uint64_t e, std::uint64_t committed) {
    if (e == epoch) held.erase_through(committed);
  }
  void acknowledge_range(std::uint64_t e, std::uint64_t f, std::uint64_t l) {
    if (e == epoch) held = held.minus(wire::SeqRanges{{f, l}});
  }
  // Spool::start_epoch (numbered again from 1, consecutively): false when the epoch is not above.
  bool start_epoch(std::uint64_t e) {
    if (e <= epoch) return false;
    std::uint64_t n = 0;
    for (const auto& r : held.ranges()) n += r.last - r.first + 1;
    epoch = e;
    last = n;
    held = n == 0 ? wire::SeqRanges{} : wire::SeqRanges{{1, n}};
    return true;
  }
};

class Agent {
 public:
  void message(const v1::CollectorMessage& m, std::uint8_t action) {
    // The spool meanwhile: new results, maybe the oldest dropped into a gap.
    spool_.append(action & 7);
    if ((action & 8) != 0 && spool_.first() != 0 && session_ && session_->established()) {
      const std::uint64_t first = spool_.first();
      const std::uint64_t gap_last = std::min(spool_.last, first + ((action >> 4) & 3));
      spool_.held.insert(first, gap_last);
      session_->window().on_dropped(first, gap_last);
      invariants();
    }
    if (!session_) new_session();

    auto r = session_->on_message(m, spool_.marks(), kNow);
    if (m.has_heartbeat()) check(session_->last_collector_clock_ms() == m.heartbeat().clock_ms());
    if (r.close) {
      check(!r.log.empty());
      session_.reset();  // the agent reconnects: the next message is the next session's
      return;
    }
    if (r.welcome) {
      check(session_->established());
      acked_epoch_ = session_->window().epoch();
      acked_ = session_->window().committed_seq();
    }
    if (r.new_epoch && !spool_.start_epoch(*r.new_epoch)) {
      session_.reset();  // a collector's epoch not above the spool's: the uplink ends the session
      return;
    }
    if (r.acknowledge) {
      // Only numbers the spool gave are acknowledged (on_message closes on anything else).
      check(r.acknowledge->first != spool_.epoch || r.acknowledge->second <= spool_.last);
      check(r.acknowledge->first != spool_.epoch || r.acknowledge_ranges.top() <= spool_.last);
      spool_.acknowledge(r.acknowledge->first, r.acknowledge->second);
      for (const auto& a : r.acknowledge_ranges.ranges()) spool_.acknowledge_range(r.acknowledge->first, a.first, a.last);
    }
    if (r.assignment != nullptr) assignment(*r.assignment);
    invariants();
    if (session_->established()) send((action >> 6) + 1);
  }

 private:
  void new_session() {
    session_ = std::make_unique<UplinkSession>("collector.test:7443", kMaxInFlight);
    acked_epoch_ = 0;
    acked_ = 0;
  }

  // The uplink's write loop: what the window says, read from the spool (up to `max_entries`, up to a
  // hole), until it says nothing.
  void send(std::uint64_t max_entries) {
    auto& w = session_->window();
    for (int guard = 0; guard < 64; ++guard) {
      const auto next = w.next(spool_.last);
      if (!next) break;
      check(next->from_seq <= next->until_seq && next->until_seq <= spool_.last);
      if (next->live) {
        check(w.live_from() != 0 && next->from_seq >= w.live_from());
      } else {
        check(w.live_from() == 0 || next->until_seq < w.live_from());
        check(w.live_from() == 0 || w.backfill_in_flight() + 1 < kMaxInFlight);  // the last slot is live's
      }
      // Never what the window knows is stored, nor what is in flight.
      check(next->from_seq > w.committed_seq() && !w.stored().overlaps(next->from_seq, next->until_seq));
      for (const auto& b : w.batches()) check(b.last_seq < next->from_seq || b.first_seq > next->until_seq);
      const auto present = spool_.held.next_present(next->from_seq);
      if (!present || *present > next->until_seq) {
        w.not_held(next->from_seq, next->until_seq);
        continue;
      }
      if (*present > next->from_seq) w.not_held(next->from_seq, *present - 1);
      const std::uint64_t end = std::min({next->until_seq, spool_.held.next_missing(*present) - 1, *present + max_entries - 1});
      w.sent(*present, end, next->live);
      invariants();
    }
  }

  void assignment(const v1::Assignment& a) {
    DecodedAssignment d;
    try {
      d = decode_assignment(a, "fuzz-agent");
    } catch (...) {
      std::abort();  // decoding never throws
    }
    if (!d.error.empty()) {
      check(d.probes.empty());  // all or nothing
      return;
    }
    check(d.probes.size() == static_cast<std::size_t>(a.probes_size()));
    std::unordered_set<std::string> ids;
    for (const auto& p : d.probes) {
      check(ids.insert(p.probe.id).second);
      check(p.probe.id != "." && p.probe.id != ".." && p.probe.id.find('/') == std::string::npos);
      check(p.probe.agent == "fuzz-agent");
    }
  }

  void invariants() {
    const auto& w = session_->window();
    if (!session_->established()) return;
    check(w.in_flight() <= kMaxInFlight);
    // Batches in flight never overlap each other, nor what the window knows is stored.
    wire::SeqRanges seen;
    for (const auto& b : w.batches()) {
      check(b.first_seq <= b.last_seq && b.last_seq <= spool_.last);
      check(!seen.overlaps(b.first_seq, b.last_seq));
      seen.insert(b.first_seq, b.last_seq);
      check(b.last_seq > w.committed_seq() && !w.stored().covers(b.first_seq, b.last_seq));
    }
    check(w.stored().empty() || w.stored().ranges().front().first > w.committed_seq() + 1);
    // The acknowledged mark never goes back within the session's epoch.
    if (w.epoch() == acked_epoch_) check(w.committed_seq() >= acked_);
    acked_epoch_ = w.epoch();
    acked_ = w.committed_seq();
  }

  SpoolModel spool_;
  std::unique_ptr<UplinkSession> session_;
  std::uint64_t acked_epoch_ = 0;
  std::uint64_t acked_ = 0;
};

void run(const std::uint8_t* data, std::size_t size) {
  if (size < 8) return;
  const std::uint8_t* chunks = data;
  const std::uint8_t* actions = data + 4;
  const std::string_view stream(reinterpret_cast<const char*>(data + 8), size - 8);
  wire::FrameDecoder decoder;
  Agent agent;
  std::size_t at = 0, messages = 0;
  for (std::size_t n = 0; at < stream.size(); ++n) {
    const std::size_t chunk = std::min<std::size_t>(1 + chunks[n % 4], stream.size() - at);
    at += decoder.feed(stream.substr(at, chunk));
    while (auto f = decoder.next()) {
      v1::CollectorMessage m;
      if (!m.ParseFromString(*f)) return;  // the uplink ends the session on a frame it cannot read
      agent.message(m, actions[messages++ % 4]);
    }
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
