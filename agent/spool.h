// The agent's spool: every result is committed here, with its sequence number, before it is sent;
// it leaves only when the collector has acknowledged it. A SQLite file (WAL, synchronous=NORMAL by
// default: it survives a crash of the agent; FULL survives power loss too). Limits on size and age
// drop the oldest results, replaced by one gap record that stands for their sequence numbers, so
// the collector learns which probes were blind when. A spool file that cannot be read is moved
// aside and a new one started (with a new epoch). Not thread-safe: one owner calls it.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "agent/stored_batch.h"
#include "common/probe_result.h"
#include "common/sqlite/db.h"
#include "common/time.h"
#include "common/wire/convert.h"

namespace slamon::agent {

struct SpoolOptions {
  // Encoded results held at most (the file is somewhat larger): about a day of 10,000 probes at 60 s.
  std::uint64_t max_bytes = 1024ull * 1024 * 1024;
  // Results older than this are dropped, acknowledged or not.
  DurationMs max_age_ms = 24 * 3600 * 1000;
  bool synchronous_full = false;
};

struct SpoolState {
  std::uint64_t epoch = 0;
  std::uint64_t first_seq = 0;  // oldest number held (0: empty)
  std::uint64_t last_seq = 0;   // newest number given in this epoch (0: none yet)
  std::uint64_t entries = 0;    // rows held (a gap is one)
  std::uint64_t bytes = 0;      // encoded bytes held
  bool operator==(const SpoolState&) const = default;
};

// What enforce_limits() dropped.
struct SpoolDrop {
  std::uint64_t results = 0;  // results replaced by the gap (0: nothing dropped)
  wire::GapRecord gap;        // the record that now stands for them (and any older gap it absorbed)
};

class Spool {
 public:
  // Opens or creates the spool at `path`. A file that is not a readable spool is renamed to
  // PATH.corrupt-<ms> (`moved_aside()` says so) and a new spool with a new epoch takes its place.
  // Throws sqlite::Error when even a new spool cannot be made (no such folder, no permission).
  Spool(std::string path, const Clock& clock, SpoolOptions options = {});

  // Commits `results` in one transaction, numbering them on from last_seq + 1; returns the first
  // number given (0 when `results` is empty).
  std::uint64_t append(std::span<const ProbeResult> results);
  // The entries from `from_seq` on (at most `max_entries`, whole entries only, up to the first hole
  // that acknowledged ranges left) as a batch of the current epoch; no entries when nothing is held
  // from there.
  wire::Batch read(std::uint64_t from_seq, std::size_t max_entries);
  // The same entries as read(), into `out` (its memory reused) as the spool stores them: encoded,
  // for the uplink to send without decoding them.
  void read_stored(std::uint64_t from_seq, std::size_t max_entries, StoredBatch& out);
  // Deletes every entry the collector has stored (up to `committed_seq` of `epoch`; another epoch's
  // acknowledgement is ignored). Returns how many rows went.
  std::uint64_t acknowledge(std::uint64_t epoch, std::uint64_t committed_seq);
  // Deletes the entries the collector has stored above its mark (numbers first_seq..last_seq of
  // `epoch`, live results that overtook the back-fill); a gap that starts inside and ends past them
  // stands, from now on, only for the numbers after them. Returns how many rows went.
  std::uint64_t acknowledge_range(std::uint64_t epoch, std::uint64_t first_seq, std::uint64_t last_seq);
  // Renumbers what is held from 1 in `epoch` (> the current one), consecutively: the collector asked
  // for a new epoch because this spool's numbers went backwards (a restored snapshot).
  void start_epoch(std::uint64_t epoch);
  // Drops the oldest results past the age limit, and past the size limit down to 90 % of it. The gap
  // that replaces them stands for every number from the first dropped to the end of the last, those
  // already acknowledged (and deleted) between them included, so that the numbering stays contiguous.
  SpoolDrop enforce_limits();

  SpoolState state() const { return state_; }
  // The operating system's error (errno) behind the last failed SQLite call, 0 when none is known.
  int system_errno() const;
  const std::optional<std::string>& moved_aside() const { return moved_aside_; }
  const std::string& path() const { return path_; }

 private:
  void open_or_reset();
  void create_schema_if_new();
  void load_state();
  void save_meta(const char* key, std::uint64_t value);

  std::string path_;
  const Clock& clock_;
  SpoolOptions options_;
  std::unique_ptr<sqlite::Db> db_;
  std::optional<std::string> moved_aside_;
  SpoolState state_;
  std::unique_ptr<sqlite::Stmt> insert_, read_stored_, delete_range_, set_meta_;
  std::unique_ptr<sqlite::Stmt> ack_going_, ack_straddle_, first_seq_;  // acknowledge_range(), prepared once
};

}  // namespace slamon::agent
