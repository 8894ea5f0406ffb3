// What the agent's uplink decides, as pure functions and small classes over plain data (no Asio, no
// SQLite: they run under the sanitizers): the send window (which sequence numbers go next, which
// batches are in flight until the collector acknowledges them), the reconnect backoff (with an
// injected random source), the messages the agent sends, and what each collector message means for
// the session. The uplink coroutine (agent/uplink.h) only moves frames and applies these decisions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/time.h"
#include "common/wire/convert.h"
#include "common/wire/frame.h"
#include "common/wire/seq_ranges.h"
#include "common/wire/slamon.pb.h"

namespace slamon::agent {

// What the spool holds: its epoch and numbers (0: none).
struct SpoolMarks {
  std::uint64_t epoch = 0;
  std::uint64_t first_seq = 0;
  std::uint64_t last_seq = 0;  // the newest number given in the epoch
};

// ---- the send window ----

// Sequence numbers in flight (sent, not yet stored), what the collector has stored (its mark and the
// ranges above it), and which numbers go next. Two lanes: *live*, the numbers committed to the spool
// after the session's Welcome (from live_from() on), and the *back-fill*, everything older, from the
// mark up. Live goes first whenever it has something, so the newest results never wait behind a
// backlog; the back-fill uses the other slots, never the last free one (kept for live). Each lane
// sends in sequence order, skipping what the collector holds; the collector stores what it gets and
// tells the ranges it holds (Ack, Welcome), so every number is stored once whatever the order.
class SendWindow {
 public:
  struct Sent {
    std::uint64_t first_seq = 0;
    std::uint64_t last_seq = 0;
    bool live = false;
    bool operator==(const Sent&) const = default;
  };
  // What to send next: the spool's entries from `from_seq`, those that start at most at `until_seq`
  // (a gap entry that starts there may end past it).
  struct Next {
    std::uint64_t from_seq = 0;
    std::uint64_t until_seq = 0;
    bool live = false;
    bool operator==(const Next&) const = default;
  };

  explicit SendWindow(std::size_t max_in_flight = 8) : max_in_flight_(max_in_flight < 1 ? 1 : max_in_flight) {}

  // A session starts (Welcome): every number of `epoch` up to `committed_seq` is stored, and `stored`
  // above it; nothing in flight. Live results are those numbered after `spool_last_seq` (the spool's
  // last number now). With kLiveRangesLimit stored ranges or more, there is no live lane this session:
  // everything goes in sequence order (a new live range would fragment the collector's set further).
  void reset(std::uint64_t epoch, std::uint64_t committed_seq, wire::SeqRanges stored, std::uint64_t spool_last_seq);
  // What to send next, the spool's last number being `spool_last_seq`; nullopt: nothing, or no slot.
  std::optional<Next> next(std::uint64_t spool_last_seq) const;
  // A batch [first_seq, last_seq] of that lane was sent.
  void sent(std::uint64_t first_seq, std::uint64_t last_seq, bool live);
  // The spool holds nothing at [first_seq, last_seq] (a read found no entry starting there): not asked
  // for again this session.
  void not_held(std::uint64_t first_seq, std::uint64_t last_seq);
  // An Ack (the collector's mark and the whole set stored above it): true when it is of this
  // session's epoch. Batches now stored are freed; `newly` (when given) gets the numbers above the mark
  // the collector holds and this window did not know of (the spool deletes them).
  bool on_ack(std::uint64_t epoch, std::uint64_t committed_seq, const wire::SeqRanges& stored,
              wire::SeqRanges* newly = nullptr);
  // A ResendRequest: true when it is of this session's epoch. Batches in flight that end at or above
  // `from_seq` are forgotten (they go again unless stored meanwhile), and the rest of the session
  // sends in sequence order from the mark (the collector holds too many ranges: holes first).
  bool on_resend(std::uint64_t epoch, std::uint64_t from_seq);
  // The spool's oldest entries became one gap [first_seq, last_seq]: batches overlapping it are
  // forgotten; the gap goes with the back-fill (the live lane starts after it when it reached there).
  void on_dropped(std::uint64_t first_seq, std::uint64_t last_seq);

  std::uint64_t epoch() const { return epoch_; }
  std::uint64_t committed_seq() const { return committed_; }
  const wire::SeqRanges& stored() const { return stored_; }  // above the mark
  std::uint64_t live_from() const { return live_from_; }      // 0: no live lane (sequence order)
  std::size_t in_flight() const { return in_flight_.size(); }
  std::size_t backfill_in_flight() const;
  bool can_send() const { return in_flight_.size() < max_in_flight_; }
  const std::deque<Sent>& batches() const { return in_flight_; }

  // Stored ranges at or past which a session has no live lane.
  static constexpr std::size_t kLiveRangesLimit = wire::kMaxStoredRanges / 2;

 private:
  wire::SeqRanges covered() const;  // stored (mark included), in flight, not held
  void absorb_into_mark();
  void free_stored();

  std::size_t max_in_flight_;
  std::uint64_t epoch_ = 0;
  std::uint64_t committed_ = 0;
  wire::SeqRanges stored_;    // above committed_
  wire::SeqRanges not_held_;  // numbers the spool has no entry for (acknowledged earlier)
  std::uint64_t live_from_ = 0;
  std::deque<Sent> in_flight_;  // in send order
};

// Drops the entries of `batch` that start past `until_seq` (a read from the spool, cut to a lane).
void clip_batch(wire::Batch& batch, std::uint64_t until_seq);

// ---- reconnecting ----

// A uniform number in [0, 1); std::mt19937_64 seeded from std::random_device in the agent, seeded
// by hand in tests.
using UniformRandom = std::function<double()>;

// Exponential backoff: the bound starts at `initial_ms` and doubles up to `max_ms`; each delay is
// drawn in [bound / 2, bound] (full jitter, halved floor, so agents restarted together spread out).
class Backoff {
 public:
  Backoff(UniformRandom random, DurationMs initial_ms = 1'000, DurationMs max_ms = 60'000);
  // The delay before the next attempt; the bound then doubles.
  DurationMs next();
  // After a Welcome: the next failure waits about `initial_ms` again.
  void reset() { bound_ms_ = initial_ms_; }
  DurationMs bound_ms() const { return bound_ms_; }

 private:
  UniformRandom random_;
  DurationMs initial_ms_;
  DurationMs max_ms_;
  DurationMs bound_ms_;
};

// Which collector of `collectors: [...]` to connect to. The agent starts at a random one (agents
// sharing one list then spread over the collectors instead of all loading the first), tries them in
// list order from there (wrapping), and stays with the one it reached: it moves on only when that one
// fails (connect, TLS, refusal, silence, a lost session), so it returns to an earlier collector only
// once the later ones failed too. A *round* is one attempt at each collector; the backoff's delay
// comes between rounds, never between the collectors of one round.
class CollectorChoice {
 public:
  // `count` collectors (at least 1); the start is `random()` scaled to [0, count).
  CollectorChoice(std::size_t count, const UniformRandom& random);
  // The collector to try now (an index into the list).
  std::size_t current() const { return current_; }
  // The attempt at current() failed, or its session ended: moves to the next collector. True when
  // that completed a round (every collector failed since the round began): wait the backoff first.
  bool failed();
  // A Welcome from current(): the next failure starts a new round there.
  void connected() { failed_in_round_ = 0; }
  std::size_t count() const { return count_; }

 private:
  std::size_t count_;
  std::size_t current_ = 0;
  std::size_t failed_in_round_ = 0;
};

// ---- what the agent sends ----

// The first message of a session. `token` is a secret: it goes into the message, never into a log.
wire::v1::AgentMessage make_hello(const std::string& agent, const std::string& token, TimeMs now_ms,
                                  const SpoolMarks& spool, const std::string& assignment_version);
wire::v1::AgentMessage make_heartbeat(TimeMs now_ms, TimeMs echo_clock_ms, std::uint64_t backlog);
wire::v1::AgentMessage make_assignment_reply(const std::string& version, bool accepted, const std::string& reason);

// Encodes `batch` as an AgentMessage payload of at most `max_payload_bytes`, dropping entries from its
// end until it fits (they go in the next batch). nullopt when not even its first entry fits (an
// entry larger than a frame: a broken invariant, the spool never holds one that large).
std::optional<std::string> encode_batch(wire::Batch& batch, std::size_t max_payload_bytes = wire::kDefaultMaxFrameBytes);

// ---- what the collector says ----

enum class LogLevel : unsigned char { debug, info, warn, error };

// What the session does about one collector message. The uplink applies it in this order: the new
// epoch, the acknowledgement, the assignment, then the log line, then closing.
struct Reaction {
  bool welcome = false;                  // the session is established (window reset, backoff reset)
  std::optional<std::uint64_t> new_epoch;  // the spool renumbers in this epoch (Welcome)
  std::optional<std::pair<std::uint64_t, std::uint64_t>> acknowledge;  // (epoch, committed_seq) for the spool
  wire::SeqRanges acknowledge_ranges;    // of the same epoch, stored above the mark: the spool deletes them too
  const wire::v1::Assignment* assignment = nullptr;  // to apply, then reply to
  bool wake_sender = false;              // the window changed: more may be sent
  bool close = false;                    // end the session (refused, or a protocol error)
  LogLevel level = LogLevel::debug;
  std::string log;                       // the line after the agent name ("" for none); no secret
};

// The session's view of the collector: which phase, the window, the collector's clock. Pure.
class UplinkSession {
 public:
  UplinkSession(std::string collector, std::size_t max_in_flight = 8) : collector_(std::move(collector)), window_(max_in_flight) {}

  // `spool` is the spool when the message arrived; `now_ms` the agent's wall clock. A Welcome, Ack or
  // ResendRequest for numbers past the spool's last one, or with stored ranges that are not ascending,
  // disjoint and above the mark, closes the session (a broken collector).
  Reaction on_message(const wire::v1::CollectorMessage& m, const SpoolMarks& spool, TimeMs now_ms);

  bool established() const { return established_; }
  SendWindow& window() { return window_; }
  const SendWindow& window() const { return window_; }
  // The clock_ms of the collector's last Heartbeat (0: none yet), echoed in ours for its round trip.
  TimeMs last_collector_clock_ms() const { return last_clock_ms_; }

 private:
  std::string collector_;  // host:port, for log lines
  SendWindow window_;
  bool established_ = false;
  TimeMs last_clock_ms_ = 0;
};

// "CLOCK_SKEW" for Refusal::CLOCK_SKEW, and so on.
std::string refusal_name(int reason);

// ---- assignments ----

// Every probe of an assignment decoded, or the first error, naming the probe.
struct DecodedAssignment {
  std::vector<wire::WireProbe> probes;
  std::string error;  // set exactly when the assignment is refused
};
DecodedAssignment decode_assignment(const wire::v1::Assignment& a, const std::string& agent);

}  // namespace slamon::agent
