// The collector's store, behind one interface so that the engine, the sessions and the CLI never see
// which database holds the results (SQLite: store/sqlite/; PostgreSQL, for several collectors:
// store/postgres/). It keeps every result an agent sent exactly once: a batch's rows and what is
// stored of the (agent, epoch) commit in one transaction (the mark, below which everything is stored,
// and the ranges stored above it: live results that overtook a back-fill), and numbers stored once are
// never stored again.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "common/probe_result.h"
#include "common/time.h"
#include "common/wire/convert.h"
#include "common/wire/seq_ranges.h"

namespace slamon::store {

// What append() did with a batch.
struct AppendOutcome {
  enum class Kind : std::uint8_t {
    stored,     // the entries not stored yet are stored (maybe none: a full resend)
    gap,        // storing it would leave more than wire::kMaxStoredRanges ranges above the mark:
                // nothing stored, ask for a resend from mark + 1 (the holes first)
  };
  Kind kind = Kind::stored;
  std::uint64_t committed_seq = 0;  // the (agent, epoch) mark after the call
  std::size_t stored = 0;           // entries stored by this call
  std::size_t duplicates = 0;       // entries whose numbers were all stored already, ignored
  std::size_t resends = 0;          // of the stored: results identical to a stored run (same probe, ts, agent)
  wire::SeqRanges stored_above{};   // the ranges stored above the mark after the call
  bool operator==(const AppendOutcome&) const = default;
};

// Which results to read back; every bound optional. [from_ms, to_ms) on the result's ts.
struct ResultQuery {
  std::optional<TimeMs> from_ms;
  std::optional<TimeMs> to_ms;
  std::optional<std::string> agent;
  std::optional<std::string> probe;
};

struct StoredGap {
  std::string agent;
  std::string probe;
  TimeMs from_ms = 0;
  TimeMs to_ms = 0;
  std::uint64_t dropped = 0;
  bool operator==(const StoredGap&) const = default;
};

// One batch of a group commit: `agent` is the authenticated sender.
struct AgentBatch {
  std::string_view agent;
  const wire::Batch* batch = nullptr;
};

// What the collector knows of an agent's link, kept in the store for `slamon status --db` and the API.
struct AgentRecord {
  std::string name;
  bool connected = false;
  std::string peer;                     // the address it last connected from ("" : never)
  TimeMs last_seen_ms = 0;              // the last message received from it (0: never)
  std::optional<std::int64_t> clock_offset_ms;  // collector clock minus agent clock (heartbeats)
  std::uint64_t backlog = 0;            // entries in its spool not yet acknowledged (its last heartbeat)
  std::string assignment_version;       // the assignment it runs ("" : none accepted yet)
  std::uint64_t epoch = 0;              // its current spool epoch
  std::uint64_t committed_seq = 0;      // the mark of (agent, epoch)
  bool operator==(const AgentRecord&) const = default;
};

class Store {
 public:
  virtual ~Store() = default;

  // Stores the batch's entries that are not stored yet and moves the (agent, epoch) mark and ranges,
  // in one transaction (plan_ingest); returns once it is durable. A store failure throws StoreFailure: nothing of the batch is kept.
  virtual AppendOutcome append(std::string_view agent, const wire::Batch& batch) = 0;
  // Group commit: every batch as append() would store it, in order, all in one transaction (batches of
  // one agent and epoch see each other's marks); one outcome per batch. A failure throws StoreFailure
  // and nothing of the group is kept.
  virtual std::vector<AppendOutcome> append_group(std::span<const AgentBatch> group) = 0;
  // The mark of (agent, epoch): every entry up to it is stored. 0 when nothing is.
  virtual std::uint64_t committed_seq(std::string_view agent, std::uint64_t epoch) = 0;
  // What is stored of (agent, epoch) above its mark (at most wire::kMaxStoredRanges ranges).
  virtual wire::SeqRanges stored_ranges(std::string_view agent, std::uint64_t epoch) = 0;
  // The highest epoch this agent has stored anything under (0: none).
  virtual std::uint64_t last_epoch(std::string_view agent) = 0;

  // Calls `on_result` for every matching result, ordered by ts, then probe, then agent.
  virtual void for_each_result(const ResultQuery& q, const std::function<void(const ProbeResult&)>& on_result) = 0;
  // Gap records (results an agent dropped from a full spool), per probe, ordered by from_ms.
  virtual std::vector<StoredGap> gaps(const ResultQuery& q) = 0;

  // One probe's results from an instant on, lazily (what a report needs around its period):
  // forward, ts >= from_ms in ts order; backward, ts < from_ms latest first. Within one ts, agents in
  // name order either way. `on_result` returns false to stop. (The default reads through
  // for_each_result: correct, not lazy; implementations override it.)
  enum class Direction : std::uint8_t { forward, backward };
  virtual void walk_probe_results(std::string_view probe, TimeMs from_ms, Direction direction,
                                  const std::function<bool(const ProbeResult&)>& on_result);
  // The stored result of this run (probe, ts, agent), if any (slamon import: added, identical, replaced).
  // (The default reads through for_each_result.)
  virtual std::optional<ProbeResult> find_result(std::string_view probe, TimeMs ts, std::string_view agent);
  // Deletes raw results with ts before `before_ms` (retention), except those of `keep_probes` (a
  // response-time objective needs their latencies) and those the live engine may still need: rows it
  // has not applied, and of each probe it follows, the results after its latest checkpoint before the
  // bound (and before the probe's pending replay). Returns how many.
  virtual std::uint64_t prune_results(TimeMs before_ms, std::span<const std::string> keep_probes) = 0;
  // The latest bound prune_results was called with: raw results before it may be gone.
  virtual std::optional<TimeMs> pruned_before() = 0;

  // Creates or replaces the records of these agents (by name), in one transaction.
  virtual void record_agents(std::span<const AgentRecord> records) = 0;
  // Marks every agent disconnected (a collector starting: no link survived its predecessor).
  virtual void disconnect_all() = 0;
  // Every agent record, by name.
  virtual std::vector<AgentRecord> agent_records() = 0;
};

// A failure of the database itself (disk full, corruption, lost connection): the caller stops
// acknowledging; nothing was committed.
class StoreFailure : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Which entries of a batch to store, given what is stored of its (agent, epoch): the mark (every
// number up to it) and the ranges above it. The pure part of append().
//
// An entry whose numbers are all stored is a duplicate and skipped; any other entry is stored, and its
// numbers join the stored set; the mark then moves to the top of the range that starts at 1. So a
// batch above the mark (live results overtaking a back-fill) is stored, and becomes a range above it.
//
// A gap entry partly stored already (it straddles the mark or a range) is stored whole. It happens
// when the collector stored results whose acknowledgement was lost and the agent's full spool then
// folded them into a gap: the gap says truthfully that the agent no longer holds them; the results
// already stored stay, and the gap marks its probes unknown from its start only until their next
// stored result.
//
// A batch after which more than wire::kMaxStoredRanges ranges (more than before) would lie above the
// mark is not stored at all (`gap`): the agent is asked to send from mark + 1, holes first. This
// bounds what the store keeps per epoch whatever an agent sends.
struct IngestPlan {
  bool gap = false;          // too many ranges: store nothing, ask from mark + 1
  bool straddles = false;    // a gap entry partly stored already is stored
  std::size_t skip = 0;      // entries whose numbers are all stored already (duplicates)
  std::vector<bool> store;   // per entry: stored by this batch (empty when gap)
  std::uint64_t new_mark = 0;
  wire::SeqRanges new_ranges;  // the ranges above new_mark after the batch
  bool operator==(const IngestPlan&) const = default;
};
IngestPlan plan_ingest(std::uint64_t mark, const wire::SeqRanges& stored, const wire::Batch& batch);

}  // namespace slamon::store
