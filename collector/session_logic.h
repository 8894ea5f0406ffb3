// What the collector decides about an agent's session, as pure functions over plain data (the
// session coroutine only moves frames and calls these): whether a hello is accepted and in which
// epoch the agent goes on, whether a batch may be stored (its epoch, its probes, its clocks), and the
// assignment message an agent is handed, with a version that changes exactly when its probes do.
// Never logs and never sees a socket or the store; the reasons it returns name the agent and what
// was wrong, never a token.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "collector/assignment.h"
#include "common/time.h"
#include "common/wire/convert.h"
#include "common/wire/seq_ranges.h"

namespace slamon::collector {

// Lower-case hex SHA-256 of `data` (the catalogue keeps an agent's token only as this).
std::string sha256_hex(std::string_view data);
// Whether SHA-256(token) equals `expected_hex` (64 hex digits, either case), compared in constant time.
bool token_matches(std::string_view token, std::string_view expected_hex);

// An agent the catalogue names, as the collector checks it at hello.
struct KnownAgent {
  std::string name;
  std::string token_sha256;  // hex, from the catalogue or the enrolled agents; empty: none (every hello refused)
};

// What the store says about the agent named in a hello.
struct AgentMarks {
  std::uint64_t committed_seq = 0;  // the mark of (agent, hello's epoch)
  std::uint64_t last_epoch = 0;     // the highest epoch stored for the agent (0: none)
  wire::SeqRanges stored{};         // what is stored of (agent, hello's epoch) above the mark
};

struct HelloDecision {
  bool accepted = false;
  wire::v1::Refusal::Reason refusal = wire::v1::Refusal::UNSPECIFIED;  // when not accepted
  std::string reason;               // for the log line: names the agent and the cause, never the token
  std::uint64_t epoch = 0;          // the epoch the agent goes on in
  std::uint64_t committed_seq = 0;  // every number up to it is stored
  wire::SeqRanges stored;           // and these above it (Welcome.stored): the agent sends the rest
  bool new_epoch = false;           // the agent renumbers what it holds from 1 in `epoch`
  std::int64_t clock_offset_ms = 0; // collector clock minus agent clock at hello (one-way delay included)
};

// `agent` is the catalogue's entry for hello.agent(), or nullptr when there is none.
//
// Epochs: the agent keeps its spool's epoch unless the store disagrees with it: an epoch older than
// one the agent already moved to, or a spool whose last number is below the highest number stored (a
// restored snapshot or a lost spool: numbers would be reused), or whose oldest number is past mark + 1 (the
// entries between were acknowledged but are not in the store: a store restored from a backup). Then
// the agent goes on in a new epoch, above every epoch seen, renumbering what it holds from 1; results
// it sends again are stored once (the store keeps one row per run). When no epoch is above (2^64 - 1
// seen), the hello is refused MALFORMED.
HelloDecision decide_hello(const wire::v1::Hello& hello, const KnownAgent* agent, const AgentMarks& marks,
                           TimeMs now_ms);

struct BatchDecision {
  bool accepted = false;  // false: the whole batch is refused (refusal, reason) and the session closed
  wire::v1::Refusal::Reason refusal = wire::v1::Refusal::UNSPECIFIED;
  std::string reason;  // names the agent and the epochs
  // Entries refused one by one (the batch goes on without them; see check_batch).
  std::size_t not_assigned = 0;  // results for a probe not assigned to the agent, gaps left with no probe
  std::size_t in_future = 0;     // results (or gaps) stamped past the clock skew limit
  std::size_t probes_removed = 0;       // unassigned probe ids removed from gap entries that kept others
  std::vector<std::string> first_refused;  // the first few refused probe ids (printable), for the log line
  std::string refused_summary;   // one line for the log, naming the agent; empty when nothing was refused
};

// How many refused probe ids a BatchDecision names.
constexpr std::size_t kRefusedProbesShown = 5;

// A batch in another epoch than the session's is refused whole (the session is then closed). Otherwise
// its entries are checked one by one, and the refused ones become holes, so that a legitimate agent
// is never wedged after an assignment change or a clock jump: a result for a probe not in `assigned`,
// or stamped more than `clock_skew_limit_ms` after `now_ms`, is replaced in `batch` by a GapRecord
// with no probes and `dropped` = 1 (the store moves the mark over it and stores nothing); a gap entry
// loses its unassigned probes, and one left with none (or starting past the limit) keeps its width
// with no probes. Sequence numbers are unchanged.
BatchDecision check_batch(wire::Batch& batch, std::string_view agent, std::uint64_t session_epoch,
                          const std::unordered_set<std::string>& assigned, TimeMs now_ms,
                          DurationMs clock_skew_limit_ms);

// The agent's clock offset (collector clock minus agent clock, ms) from one of its heartbeats
// received at `now_ms`: with the echo of the collector's clock, offset = now - (agent_clock + rtt/2),
// rtt = now - echo, when that round trip is plausible (0 <= rtt <= max_rtt_ms: the agent echoes the
// clock of the collector's last heartbeat, which it may have held for up to a heartbeat interval);
// otherwise now - agent_clock (one-way delay included).
std::int64_t estimate_clock_offset(TimeMs now_ms, TimeMs agent_clock_ms, TimeMs echo_clock_ms, DurationMs max_rtt_ms);

// Whether an agent's clock offset is past the limit, reported once per crossing (not every heartbeat).
class SkewWatch {
 public:
  enum class Change : unsigned char { none, went_over, came_back };
  Change update(std::int64_t offset_ms, DurationMs limit_ms);
  bool over() const { return over_; }

 private:
  bool over_ = false;
};

// What an agent's AssignmentReply means, given the version of the last assignment sent to it.
enum class AssignmentAnswer : unsigned char {
  runs,     // it runs `sent_version` now
  stale,    // it accepted another version (an older update, a newer one is on its way; or one never sent)
  refused,  // it keeps running its previous assignment (reply.reason() says why)
};
AssignmentAnswer judge_assignment_reply(const wire::v1::AssignmentReply& reply, std::string_view sent_version);

// The assignment message for one agent: its probes (secrets included; an HTTP probe's tls.ca_file
// read through `read_ca` and sent as PEM) and a version, the SHA-256 of the probes' encoding (equal
// probes give an equal version, whatever else changed in the catalogue). `read_ca` returns nullopt
// when a file cannot be read: then there is no assignment, and `error` names the probe and the file
// (the caller keeps the previous assignment; a probe never goes out without the CA it names).
std::optional<wire::v1::Assignment> make_assignment(
    const AgentAssignment& share, const std::function<std::optional<std::string>(const std::string&)>& read_ca,
    std::string& error);

}  // namespace slamon::collector
