// The collector's session decisions (see session_logic.h).
#include "collector/session_logic.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include <algorithm>
#include <cctype>
#include <limits>

#include "common/saturating.h"

namespace slamon::collector {
namespace {

namespace v1 = wire::v1;

HelloDecision refuse_hello(v1::Refusal::Reason why, std::string reason) {
  HelloDecision d;
  d.refusal = why;
  d.reason = std::move(reason);
  return d;
}

BatchDecision refuse_batch(v1::Refusal::Reason why, std::string reason) {
  BatchDecision d;
  d.refusal = why;
  d.reason = std::move(reason);
  return d;
}

// The printable start of a name a peer sent, for a log line.
std::string shown(std::string_view s) {
  std::string out;
  for (const char c : s.substr(0, 64)) out += std::isprint(static_cast<unsigned char>(c)) ? c : '?';
  if (s.size() > 64) out += "...";
  return out;
}

}  // namespace

std::string sha256_hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * len);
  for (unsigned int i = 0; i < len; ++i) {
    out += kHex[md[i] >> 4];
    out += kHex[md[i] & 0xf];
  }
  return out;
}

bool token_matches(std::string_view token, std::string_view expected_hex) {
  const std::string got = sha256_hex(token);
  std::string want(expected_hex);
  std::transform(want.begin(), want.end(), want.begin(), [](unsigned char c) { return std::tolower(c); });
  // Always compare 64 bytes, whatever the expected value's length, so timing says nothing.
  want.resize(got.size(), '\0');
  return expected_hex.size() == got.size() && CRYPTO_memcmp(got.data(), want.data(), got.size()) == 0;
}

HelloDecision decide_hello(const v1::Hello& hello, const KnownAgent* agent, const AgentMarks& marks, TimeMs now_ms) {
  const std::string who = "agent '" + shown(hello.agent()) + "'";
  if (hello.protocol_version() != wire::kProtocolVersion)
    return refuse_hello(v1::Refusal::BAD_PROTOCOL_VERSION,
                        who + " speaks protocol version " + std::to_string(hello.protocol_version()) +
                            "; this collector speaks " + std::to_string(wire::kProtocolVersion));
  // The token is hashed even for an unknown agent, so that the answer takes the same time.
  const bool token_ok = token_matches(hello.token(), agent != nullptr ? agent->token_sha256 : std::string(64, '0'));
  if (agent == nullptr) return refuse_hello(v1::Refusal::UNKNOWN_AGENT_OR_TOKEN, who + " is not in the catalogue");
  if (agent->token_sha256.empty())
    return refuse_hello(v1::Refusal::UNKNOWN_AGENT_OR_TOKEN,
                        who + " has no token at the collector (not enrolled or its enrollment revoked, and no "
                              "token_sha256 in the catalogue)");
  if (!token_ok) return refuse_hello(v1::Refusal::UNKNOWN_AGENT_OR_TOKEN, who + " presented a wrong token");
  if (hello.spool_epoch() == 0) return refuse_hello(v1::Refusal::MALFORMED, who + " sent no spool epoch");
  if (hello.spool_first_seq() > hello.spool_last_seq())
    return refuse_hello(v1::Refusal::MALFORMED, who + " holds entries " + std::to_string(hello.spool_first_seq()) +
                                                    ".." + std::to_string(hello.spool_last_seq()) + " (backwards)");

  HelloDecision d;
  d.accepted = true;
  d.clock_offset_ms = saturating_sub(now_ms, hello.agent_clock_ms());
  const std::uint64_t e = hello.spool_epoch();
  const std::uint64_t mark = marks.committed_seq;
  std::string why_new;
  if (e < marks.last_epoch)
    why_new = "its spool is in epoch " + std::to_string(e) + ", older than epoch " + std::to_string(marks.last_epoch) +
              " it already moved to (a restored snapshot?)";
  else if (const std::uint64_t top = std::max(mark, marks.stored.top()); hello.spool_last_seq() < top)
    why_new = "its spool ends at " + std::to_string(hello.spool_last_seq()) + ", below the " +
              std::to_string(top) + " stored for epoch " + std::to_string(e) + " (a restored snapshot or a lost spool?)";
  else if (hello.spool_first_seq() > mark + 1)
    why_new = "entries " + std::to_string(mark + 1) + ".." + std::to_string(hello.spool_first_seq() - 1) + " of epoch " +
              std::to_string(e) + " were acknowledged but are not in the store (restored from a backup?)";
  if (why_new.empty()) {
    d.epoch = e;
    d.committed_seq = mark;
    d.stored = marks.stored;
    d.stored.erase_through(mark);
    d.reason = who + " resumes epoch " + std::to_string(e) + " after " + std::to_string(mark);
    if (!d.stored.empty()) d.reason += " (stored above: " + wire::to_string(d.stored) + ")";
    return d;
  }
  // No epoch above the largest number: the agent could not move to it (its spool takes only a higher
  // epoch) and would come back forever. Its epochs are wall clocks in ms: a corrupt spool.
  constexpr auto kLastEpoch = std::numeric_limits<std::uint64_t>::max();
  if (e == kLastEpoch || marks.last_epoch == kLastEpoch)
    return refuse_hello(v1::Refusal::MALFORMED, who + " needs a new epoch (" + why_new + "), and there is none above " +
                                                    std::to_string(std::max(e, marks.last_epoch)));
  d.new_epoch = true;
  d.epoch = std::max({static_cast<std::uint64_t>(std::max<TimeMs>(now_ms, 1)), marks.last_epoch + 1, e + 1});
  d.committed_seq = 0;
  d.reason = who + " goes on in the new epoch " + std::to_string(d.epoch) + ": " + why_new;
  return d;
}

BatchDecision check_batch(wire::Batch& batch, std::string_view agent, std::uint64_t session_epoch,
                          const std::unordered_set<std::string>& assigned, TimeMs now_ms, DurationMs clock_skew_limit_ms) {
  const std::string who = "agent '" + shown(agent) + "'";
  if (batch.epoch != session_epoch)
    return refuse_batch(v1::Refusal::MALFORMED, who + " sent a batch of epoch " + std::to_string(batch.epoch) +
                                                    " in a session of epoch " + std::to_string(session_epoch));
  BatchDecision d;
  d.accepted = true;
  const TimeMs latest = now_ms + clock_skew_limit_ms;
  auto name = [&](const std::string& probe) {
    const std::string s = shown(probe);
    if (d.first_refused.size() < kRefusedProbesShown &&
        std::find(d.first_refused.begin(), d.first_refused.end(), s) == d.first_refused.end())
      d.first_refused.push_back(s);
  };
  for (auto& entry : batch.entries) {
    if (auto* r = std::get_if<ProbeResult>(&entry)) {
      const bool mine = assigned.count(r->probe) != 0;
      if (mine && r->ts <= latest) continue;
      ++(mine ? d.in_future : d.not_assigned);
      name(r->probe);
      entry = wire::GapRecord{{}, 0, 0, 1};  // a hole: one number, nothing stored
      continue;
    }
    auto& g = std::get<wire::GapRecord>(entry);
    if (g.probes.empty()) continue;
    const std::size_t before = g.probes.size();
    std::erase_if(g.probes, [&](const std::string& p) {
      if (assigned.count(p) != 0) return false;
      name(p);
      return true;
    });
    if (g.probes.empty()) {
      ++d.not_assigned;
      continue;
    }
    d.probes_removed += before - g.probes.size();
    if (g.from_ms > latest) {
      ++d.in_future;
      for (const auto& p : g.probes) name(p);
      g.probes.clear();
    }
  }
  if (d.not_assigned + d.in_future + d.probes_removed == 0) return d;
  std::string why;
  auto add = [&](std::size_t n, const std::string& what) {
    if (n == 0) return;
    why += (why.empty() ? "" : ", ") + std::to_string(n) + " " + what;
  };
  add(d.not_assigned, "for probes not assigned to it");
  add(d.in_future, "stamped more than " + std::to_string(clock_skew_limit_ms) + " ms in the future");
  add(d.probes_removed, "unassigned probe(s) removed from gap records");
  std::string probes;
  for (const auto& p : d.first_refused) probes += (probes.empty() ? "'" : ", '") + p + "'";
  d.refused_summary = who + ": batch " + std::to_string(batch.first_seq) + ".." + std::to_string(batch.last_seq()) +
                      " of epoch " + std::to_string(batch.epoch) + ": refused " +
                      std::to_string(d.not_assigned + d.in_future) + " of " + std::to_string(batch.entries.size()) +
                      " entries (" + why + "); probes " + probes;
  return d;
}

std::int64_t estimate_clock_offset(TimeMs now_ms, TimeMs agent_clock_ms, TimeMs echo_clock_ms, DurationMs max_rtt_ms) {
  // The agent's clocks are whatever it sent: no overflow, whatever they are.
  const std::int64_t one_way = saturating_sub(now_ms, agent_clock_ms);
  if (echo_clock_ms > 0) {
    const std::int64_t rtt = saturating_sub(now_ms, echo_clock_ms);
    if (rtt >= 0 && rtt <= max_rtt_ms) return saturating_sub(one_way, rtt / 2);
  }
  return one_way;
}

SkewWatch::Change SkewWatch::update(std::int64_t offset_ms, DurationMs limit_ms) {
  const bool over = offset_ms > limit_ms || offset_ms < -limit_ms;
  if (over == over_) return Change::none;
  over_ = over;
  return over ? Change::went_over : Change::came_back;
}

AssignmentAnswer judge_assignment_reply(const v1::AssignmentReply& reply, std::string_view sent_version) {
  if (!reply.accepted()) return AssignmentAnswer::refused;
  return reply.version() == sent_version ? AssignmentAnswer::runs : AssignmentAnswer::stale;
}

std::optional<v1::Assignment> make_assignment(
    const AgentAssignment& share, const std::function<std::optional<std::string>(const std::string&)>& read_ca,
    std::string& error) {
  v1::Assignment a;
  for (const auto* p : share.probes) {
    std::optional<std::string> pem;
    if (const auto* h = std::get_if<catalogue::HttpSpec>(&p->spec); h != nullptr && h->tls_ca_file) {
      pem = read_ca(*h->tls_ca_file);
      if (!pem) {
        error = "probe " + p->id + ": cannot read tls.ca_file " + *h->tls_ca_file;
        return std::nullopt;
      }
    }
    wire::to_wire(*p, pem, *a.add_probes());
  }
  // The version is the digest of the probes as sent; deterministic serialisation keeps it stable.
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream raw(&bytes);
    google::protobuf::io::CodedOutputStream out(&raw);
    out.SetSerializationDeterministic(true);
    a.SerializeToCodedStream(&out);
  }
  a.set_version(sha256_hex(bytes));
  return a;
}

}  // namespace slamon::collector
