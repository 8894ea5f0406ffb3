// The uplink's decisions (see uplink_logic.h).
#include "agent/uplink_logic.h"

#include <algorithm>
#include <cmath>
#include <unordered_set>

#include "common/saturating.h"

namespace slamon::agent {

namespace v1 = wire::v1;

// ---- SendWindow ----

void SendWindow::reset(std::uint64_t epoch, std::uint64_t committed_seq, wire::SeqRanges stored,
                       std::uint64_t spool_last_seq) {
  epoch_ = epoch;
  committed_ = committed_seq;
  stored_ = std::move(stored);
  absorb_into_mark();
  not_held_ = {};
  in_flight_.clear();
  live_from_ = stored_.size() < kLiveRangesLimit ? spool_last_seq + 1 : 0;
}

wire::SeqRanges SendWindow::covered() const {
  wire::SeqRanges c = stored_;
  if (committed_ > 0) c.insert(1, committed_);
  c.insert(not_held_);
  for (const auto& b : in_flight_) c.insert(b.first_seq, b.last_seq);
  return c;
}

std::size_t SendWindow::backfill_in_flight() const {
  return static_cast<std::size_t>(std::count_if(in_flight_.begin(), in_flight_.end(), [](const Sent& s) { return !s.live; }));
}

std::optional<SendWindow::Next> SendWindow::next(std::uint64_t spool_last_seq) const {
  if (!can_send() || spool_last_seq == 0) return std::nullopt;
  const wire::SeqRanges c = covered();
  // The first missing number from `from`, and where the lane's run of missing numbers ends.
  const auto lane = [&](std::uint64_t from, std::uint64_t hi, bool live) -> std::optional<Next> {
    const std::uint64_t n = c.next_missing(from);
    if (n > hi || n < from) return std::nullopt;  // n < from: the set reaches 2^64 - 1
    const auto present = c.next_present(n);
    return Next{n, present && *present - 1 < hi ? *present - 1 : hi, live};
  };
  if (live_from_ != 0) {
    if (auto live = lane(std::max(live_from_, committed_ + 1), spool_last_seq, true)) return live;
    // The back-fill leaves the last free slot to live results.
    if (max_in_flight_ > 1 && backfill_in_flight() + 1 >= max_in_flight_) return std::nullopt;
    return lane(committed_ + 1, std::min(live_from_ - 1, spool_last_seq), false);
  }
  return lane(committed_ + 1, spool_last_seq, false);
}

void SendWindow::sent(std::uint64_t first_seq, std::uint64_t last_seq, bool live) {
  in_flight_.push_back({first_seq, last_seq, live});
}

void SendWindow::not_held(std::uint64_t first_seq, std::uint64_t last_seq) { not_held_.insert(first_seq, last_seq); }

void SendWindow::absorb_into_mark() {
  // A range that reaches the mark is part of it (a range known from an older Ack, say).
  while (!stored_.empty() && stored_.ranges().front().first <= committed_ + 1)
    committed_ = std::max(committed_, stored_.ranges().front().last), stored_.erase_through(committed_);
  stored_.erase_through(committed_);
}

void SendWindow::free_stored() {
  std::erase_if(in_flight_, [&](const Sent& s) { return s.last_seq <= committed_ || stored_.covers(s.first_seq, s.last_seq); });
  not_held_.erase_through(committed_);
}

bool SendWindow::on_ack(std::uint64_t epoch, std::uint64_t committed_seq, const wire::SeqRanges& stored,
                        wire::SeqRanges* newly) {
  if (epoch != epoch_) return false;
  const wire::SeqRanges before = stored_;
  const std::uint64_t before_mark = committed_;
  committed_ = std::max(committed_, committed_seq);
  stored_.insert(stored);
  absorb_into_mark();
  if (newly != nullptr) {
    wire::SeqRanges known = before;
    if (before_mark > 0) known.insert(1, before_mark);
    *newly = stored_.minus(known);
  }
  free_stored();
  return true;
}

bool SendWindow::on_resend(std::uint64_t epoch, std::uint64_t from_seq) {
  if (epoch != epoch_) return false;
  std::erase_if(in_flight_, [&](const Sent& s) { return s.last_seq >= from_seq; });
  live_from_ = 0;
  return true;
}

void SendWindow::on_dropped(std::uint64_t first_seq, std::uint64_t last_seq) {
  std::erase_if(in_flight_, [&](const Sent& s) { return s.last_seq >= first_seq && s.first_seq <= last_seq; });
  not_held_ = not_held_.minus(wire::SeqRanges{{first_seq, last_seq}});
  if (live_from_ != 0 && live_from_ <= last_seq) live_from_ = last_seq + 1;
}

void clip_batch(wire::Batch& batch, std::uint64_t until_seq) {
  std::uint64_t seq = batch.first_seq;
  std::size_t keep = 0;
  while (keep < batch.entries.size() && seq <= until_seq) seq += wire::seq_width(batch.entries[keep++]);
  batch.entries.resize(keep);
}

// ---- Backoff ----

Backoff::Backoff(UniformRandom random, DurationMs initial_ms, DurationMs max_ms)
    : random_(std::move(random)),
      initial_ms_(std::max<DurationMs>(initial_ms, 1)),
      max_ms_(std::max(max_ms, initial_ms_)),
      bound_ms_(initial_ms_) {}

DurationMs Backoff::next() {
  const DurationMs d = bound_ms_;
  double u = random_ ? random_() : 1.0;
  if (!(u >= 0.0)) u = 0.0;  // NaN too
  if (u > 1.0) u = 1.0;
  const auto half = static_cast<double>(d) / 2.0;
  const auto delay = static_cast<DurationMs>(std::llround(half + u * half));
  bound_ms_ = std::min(max_ms_, d > max_ms_ / 2 ? max_ms_ : d * 2);
  return std::clamp(delay, d / 2, d);
}

// ---- CollectorChoice ----

CollectorChoice::CollectorChoice(std::size_t count, const UniformRandom& random) : count_(std::max<std::size_t>(count, 1)) {
  double u = random ? random() : 0.0;
  if (!(u >= 0.0)) u = 0.0;  // NaN too
  if (u >= 1.0) u = 0.0;
  current_ = std::min(count_ - 1, static_cast<std::size_t>(u * static_cast<double>(count_)));
}

bool CollectorChoice::failed() {
  current_ = (current_ + 1) % count_;
  if (++failed_in_round_ < count_) return false;
  failed_in_round_ = 0;
  return true;
}

// ---- messages ----

v1::AgentMessage make_hello(const std::string& agent, const std::string& token, TimeMs now_ms, const SpoolMarks& spool,
                            const std::string& assignment_version) {
  v1::AgentMessage m;
  auto* h = m.mutable_hello();
  h->set_protocol_version(wire::kProtocolVersion);
  h->set_agent(agent);
  h->set_token(token);
  h->set_agent_clock_ms(now_ms);
  h->set_spool_epoch(spool.epoch);
  h->set_spool_first_seq(spool.first_seq);
  h->set_spool_last_seq(spool.last_seq);
  h->set_assignment_version(assignment_version);
  return m;
}

v1::AgentMessage make_heartbeat(TimeMs now_ms, TimeMs echo_clock_ms, std::uint64_t backlog) {
  v1::AgentMessage m;
  auto* h = m.mutable_heartbeat();
  h->set_clock_ms(now_ms);
  h->set_echo_clock_ms(echo_clock_ms);
  h->set_backlog(backlog);
  return m;
}

v1::AgentMessage make_assignment_reply(const std::string& version, bool accepted, const std::string& reason) {
  v1::AgentMessage m;
  auto* r = m.mutable_assignment_reply();
  r->set_version(version);
  r->set_accepted(accepted);
  r->set_reason(reason);
  return m;
}

std::optional<std::string> encode_batch(wire::Batch& batch, std::size_t max_payload_bytes) {
  v1::AgentMessage m;
  std::string out;
  while (!batch.entries.empty()) {
    m.Clear();
    wire::to_wire(batch, *m.mutable_batch());
    if (m.ByteSizeLong() <= max_payload_bytes) {
      m.SerializeToString(&out);
      return out;
    }
    // Too large: keep the share that should fit, at least one entry fewer.
    const double ratio = static_cast<double>(max_payload_bytes) / static_cast<double>(m.ByteSizeLong());
    const auto keep = std::min(batch.entries.size() - 1,
                               static_cast<std::size_t>(static_cast<double>(batch.entries.size()) * ratio * 0.95));
    batch.entries.resize(keep);
  }
  return std::nullopt;
}

// ---- collector messages ----

std::string refusal_name(int reason) {
  if (v1::Refusal::Reason_IsValid(reason)) return v1::Refusal::Reason_Name(static_cast<v1::Refusal::Reason>(reason));
  return "UNKNOWN_REASON_" + std::to_string(reason);
}

Reaction UplinkSession::on_message(const v1::CollectorMessage& m, const SpoolMarks& spool, TimeMs now_ms) {
  Reaction r;
  const std::uint64_t spool_epoch = spool.epoch;
  // A collector that acknowledges or asks for numbers this spool never gave breaks the protocol: the
  // window would move past the spool's end and what comes next would never be sent.
  const auto beyond_spool = [&](const std::string& what) {
    r.close = true;
    r.level = LogLevel::error;
    r.log = "collector " + collector_ + " sent " + what + ", past the spool's last entry " +
            std::to_string(spool.last_seq) + " of epoch " + std::to_string(spool_epoch) + "; closing";
  };
  const auto expected_welcome = [&](const char* what) {
    r.close = true;
    r.level = LogLevel::error;
    r.log = "collector " + collector_ + " sent " + what + " before Welcome; closing";
  };
  switch (m.body_case()) {
    case v1::CollectorMessage::kWelcome: {
      const auto& w = m.welcome();
      if (established_) {
        r.close = true;
        r.level = LogLevel::error;
        r.log = "collector " + collector_ + " sent a second Welcome; closing";
        break;
      }
      if (w.epoch() == 0) {
        r.close = true;
        r.level = LogLevel::error;
        r.log = "collector " + collector_ + " sent a Welcome with epoch 0; closing";
        break;
      }
      std::string error;
      auto stored = wire::ranges_from_wire(w.stored(), w.committed_seq(), error);
      if (!stored) {
        r.close = true;
        r.level = LogLevel::error;
        r.log = "collector " + collector_ + " sent a Welcome with " + error + "; closing";
        break;
      }
      // A new epoch starts from nothing stored (decide_hello); in the spool's own epoch the mark and
      // the ranges are at most the spool's last number.
      const bool new_epoch = w.epoch() != spool_epoch;
      if (new_epoch ? w.committed_seq() != 0 || !stored->empty()
                    : std::max(w.committed_seq(), stored->top()) > spool.last_seq) {
        beyond_spool("a Welcome of epoch " + std::to_string(w.epoch()) + " committed up to " +
                     std::to_string(w.committed_seq()) + ", stored above: " + wire::to_string(*stored));
        break;
      }
      established_ = true;
      r.welcome = true;
      r.wake_sender = true;
      if (new_epoch) {
        r.new_epoch = w.epoch();
        r.level = LogLevel::warn;
        r.log = "collector " + collector_ + " starts a new spool epoch " + std::to_string(w.epoch()) +
                " (the spool had epoch " + std::to_string(spool_epoch) +
                "): what the spool holds is numbered again from 1 and sent again";
      }
      // A new epoch renumbers what the spool holds from 1 (Spool::start_epoch) before anything is read.
      const std::uint64_t last = !new_epoch ? spool.last_seq
                                 : spool.first_seq == 0 ? 0
                                                        : spool.last_seq - spool.first_seq + 1;
      window_.reset(w.epoch(), w.committed_seq(), *stored, last);
      r.acknowledge = std::make_pair(w.epoch(), w.committed_seq());
      r.acknowledge_ranges = window_.stored();
      if (w.has_assignment()) r.assignment = &w.assignment();
      break;
    }
    case v1::CollectorMessage::kAck: {
      if (!established_) {
        expected_welcome("an Ack");
        break;
      }
      const auto& a = m.ack();
      std::string error;
      const auto stored = wire::ranges_from_wire(a.stored(), a.committed_seq(), error);
      if (!stored) {
        r.close = true;
        r.level = LogLevel::error;
        r.log = "collector " + collector_ + " sent an Ack with " + error + "; closing";
        break;
      }
      if (a.epoch() == window_.epoch() && std::max(a.committed_seq(), stored->top()) > spool.last_seq) {
        beyond_spool("an Ack up to " + std::to_string(a.committed_seq()) + ", stored above: " + wire::to_string(*stored));
        break;
      }
      if (!window_.on_ack(a.epoch(), a.committed_seq(), *stored, &r.acknowledge_ranges)) {
        r.log = "collector " + collector_ + " acknowledged epoch " + std::to_string(a.epoch()) + " (ours is " +
                std::to_string(window_.epoch()) + "); ignored";
        break;
      }
      r.acknowledge = std::make_pair(a.epoch(), window_.committed_seq());  // with the ranges that reach it
      r.wake_sender = true;
      break;
    }
    case v1::CollectorMessage::kResend: {
      if (!established_) {
        expected_welcome("a ResendRequest");
        break;
      }
      const auto& q = m.resend();
      if (q.epoch() == window_.epoch() && q.from_seq() > spool.last_seq + 1) {
        beyond_spool("a ResendRequest from " + std::to_string(q.from_seq()));
        break;
      }
      if (!window_.on_resend(q.epoch(), q.from_seq())) {
        r.log = "collector " + collector_ + " asked to resend epoch " + std::to_string(q.epoch()) + " (ours is " +
                std::to_string(window_.epoch()) + "); ignored";
        break;
      }
      r.level = LogLevel::info;
      r.log = "collector " + collector_ + " asked to resend from " + std::to_string(q.from_seq());
      r.wake_sender = true;
      break;
    }
    case v1::CollectorMessage::kAssignment:
      if (!established_) {
        expected_welcome("an AssignmentUpdate");
        break;
      }
      r.assignment = &m.assignment().assignment();
      break;
    case v1::CollectorMessage::kHeartbeat: {
      const auto& h = m.heartbeat();
      last_clock_ms_ = h.clock_ms();
      if (h.echo_clock_ms() != 0)
        r.log = "collector " + collector_ + " heartbeat: round trip " +
                std::to_string(saturating_sub(now_ms, h.echo_clock_ms())) + " ms";
      break;
    }
    case v1::CollectorMessage::kRefusal: {
      const auto& f = m.refusal();
      r.close = true;
      r.level = f.reason() == v1::Refusal::SHUTTING_DOWN ? LogLevel::warn : LogLevel::error;
      r.log = "collector " + collector_ + " refused us: " + refusal_name(f.reason()) + ": " + f.detail();
      break;
    }
    case v1::CollectorMessage::BODY_NOT_SET:
      r.close = true;
      r.level = LogLevel::error;
      r.log = "collector " + collector_ + " sent a message of a kind this agent does not know (a newer protocol?); closing";
      break;
  }
  return r;
}

// ---- assignments ----

DecodedAssignment decode_assignment(const v1::Assignment& a, const std::string& agent) {
  DecodedAssignment out;
  std::unordered_set<std::string> ids;
  out.probes.reserve(static_cast<std::size_t>(a.probes_size()));
  for (const auto& p : a.probes()) {
    auto d = wire::from_wire(p, agent);
    if (!d) {
      out.error = d.error;
      out.probes.clear();
      return out;
    }
    const std::string& id = d.value->probe.id;
    // The id names a file of the state folder (an HTTP probe's CA): no path of its own.
    if (id == "." || id == ".." || id.find('/') != std::string::npos || id.find('\0') != std::string::npos) {
      out.error = "probe '" + id + "': an id that cannot name a file";
      out.probes.clear();
      return out;
    }
    if (!ids.insert(id).second) {
      out.error = "probe " + id + ": assigned twice";
      out.probes.clear();
      return out;
    }
    out.probes.push_back(std::move(*d.value));
  }
  return out;
}

}  // namespace slamon::agent
