// The agent's spool (see spool.h): schema, numbering, batches, acknowledgements, epochs, limits.
#include "agent/spool.h"

#include <algorithm>
#include <filesystem>
#include <set>
#include <sqlite3.h>

namespace slamon::agent {
namespace {

using sqlite::Stmt;
using sqlite::Transaction;

// Schema version 1: one row per entry (a result, or a gap standing for `width` numbers).
constexpr std::string_view kSchemaV1 = R"sql(
CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE entries (
  seq INTEGER PRIMARY KEY,
  width INTEGER NOT NULL,
  ts_ms INTEGER NOT NULL,
  entry BLOB NOT NULL
);
PRAGMA user_version = 1;
)sql";

wire::BatchEntry decode_entry(std::string_view bytes, const std::string& path) {
  wire::v1::Entry e;
  if (!e.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
    throw sqlite::Error("spool " + path + ": an entry does not decode", 0);
  if (e.has_result()) {
    auto r = wire::from_wire(e.result(), "");
    if (!r) throw sqlite::Error("spool " + path + ": " + r.error, 0);
    return std::move(*r.value);
  }
  if (e.has_gap()) {
    const auto& g = e.gap();
    return wire::GapRecord{{g.probes().begin(), g.probes().end()}, g.from_ms(), g.to_ms(), g.dropped()};
  }
  throw sqlite::Error("spool " + path + ": an entry is neither a result nor a gap", 0);
}

std::string encode_gap(const wire::GapRecord& g) {
  wire::v1::Entry e;
  auto* w = e.mutable_gap();
  for (const auto& p : g.probes) w->add_probes(p);
  w->set_from_ms(g.from_ms);
  w->set_to_ms(g.to_ms);
  w->set_dropped(g.dropped);
  return e.SerializeAsString();
}

}  // namespace

Spool::Spool(std::string path, const Clock& clock, SpoolOptions options)
    : path_(std::move(path)), clock_(clock), options_(options) {
  try {
    open_or_reset();
  } catch (const sqlite::Error&) {
    std::error_code ec;
    if (!std::filesystem::exists(path_, ec)) throw;  // nothing to move aside: the folder is the problem
    db_.reset();
    const std::string aside = path_ + ".corrupt-" + std::to_string(clock_.now_ms());
    for (const char* suffix : {"", "-wal", "-shm"}) {
      if (std::filesystem::exists(path_ + suffix, ec)) std::filesystem::rename(path_ + suffix, aside + suffix, ec);
    }
    moved_aside_ = aside;
    open_or_reset();
  }
}

void Spool::open_or_reset() {
  db_ = std::make_unique<sqlite::Db>(path_);
  db_->exec("PRAGMA journal_mode=WAL");
  db_->exec(options_.synchronous_full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
  {
    Stmt check(*db_, "PRAGMA quick_check");
    std::string verdict = check.step() ? std::string(check.text(0)) : "no answer";
    check.reset();
    if (verdict != "ok") throw sqlite::Error("spool " + path_ + ": " + verdict, 0);
  }
  create_schema_if_new();
  insert_ = std::make_unique<Stmt>(*db_, "INSERT INTO entries (seq, width, ts_ms, entry) VALUES (?1, ?2, ?3, ?4)");
  // "seq BETWEEN" first: a range on the primary key, not a scan of the table.
  delete_range_ =
      std::make_unique<Stmt>(*db_, "DELETE FROM entries WHERE seq >= ?1 AND seq <= ?2 AND seq + width - 1 <= ?2");
  read_stored_ = std::make_unique<Stmt>(*db_, "SELECT seq, width, entry FROM entries WHERE seq >= ?1 ORDER BY seq LIMIT ?2");
  set_meta_ = std::make_unique<Stmt>(*db_, "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)");
  ack_going_ = std::make_unique<Stmt>(
      *db_,
      "SELECT COUNT(*), COALESCE(SUM(LENGTH(entry)), 0) FROM entries WHERE seq >= ?1 AND seq <= ?2 AND seq + width - 1 <= ?2");
  ack_straddle_ = std::make_unique<Stmt>(
      *db_, "SELECT seq, width, entry FROM entries WHERE seq >= ?1 AND seq <= ?2 AND seq + width - 1 > ?2");
  first_seq_ = std::make_unique<Stmt>(*db_, "SELECT MIN(seq) FROM entries");
  load_state();
}

void Spool::create_schema_if_new() {
  Stmt v(*db_, "PRAGMA user_version");
  const std::int64_t version = v.step() ? v.int64(0) : 0;
  v.reset();
  if (version == 1) return;
  if (version != 0) throw sqlite::Error("spool " + path_ + ": unknown schema version " + std::to_string(version), 0);
  Stmt tables(*db_, "SELECT COUNT(*) FROM sqlite_schema");
  const bool empty = tables.step() && tables.int64(0) == 0;
  tables.reset();
  if (!empty) throw sqlite::Error("spool " + path_ + ": not a slamon spool", 0);
  Transaction t(*db_);
  db_->exec(kSchemaV1);
  t.commit();
}

void Spool::load_state() {
  state_ = SpoolState{};
  Stmt meta(*db_, "SELECT key, value FROM meta");
  while (meta.step()) {
    if (meta.text(0) == "epoch") state_.epoch = static_cast<std::uint64_t>(meta.int64(1));
    if (meta.text(0) == "last_seq") state_.last_seq = static_cast<std::uint64_t>(meta.int64(1));
  }
  Stmt held(*db_, "SELECT MIN(seq), COUNT(*), COALESCE(SUM(LENGTH(entry)), 0), MAX(seq + width - 1) FROM entries");
  if (held.step()) {
    state_.first_seq = held.is_null(0) ? 0 : static_cast<std::uint64_t>(held.int64(0));
    state_.entries = static_cast<std::uint64_t>(held.int64(1));
    state_.bytes = static_cast<std::uint64_t>(held.int64(2));
    const std::uint64_t newest = held.is_null(3) ? 0 : static_cast<std::uint64_t>(held.int64(3));
    held.reset();
    if (newest > state_.last_seq) throw sqlite::Error("spool " + path_ + ": entries past the last number given", 0);
  }
  if (state_.epoch == 0) {
    // A new spool: its epoch is the wall clock in ms, so that a spool started again after its file
    // was lost or moved aside does not reuse an epoch the collector has marks for.
    state_.epoch = static_cast<std::uint64_t>(std::max<TimeMs>(clock_.now_ms(), 1));
    save_meta("epoch", state_.epoch);
  }
}

void Spool::save_meta(const char* key, std::uint64_t value) {
  set_meta_->bind(1, std::string_view(key)).bind(2, static_cast<std::int64_t>(value)).run();
}

int Spool::system_errno() const { return db_ ? sqlite3_system_errno(db_->handle()) : 0; }

std::uint64_t Spool::append(std::span<const ProbeResult> results) {
  if (results.empty()) return 0;
  const SpoolState before = state_;
  try {
    Transaction t(*db_);
    wire::v1::Entry e;
    std::string bytes;
    for (const auto& r : results) {
      e.Clear();
      wire::to_wire(r, *e.mutable_result());
      bytes.clear();
      e.SerializeToString(&bytes);
      const std::uint64_t seq = ++state_.last_seq;
      insert_->bind(1, static_cast<std::int64_t>(seq)).bind(2, std::int64_t{1}).bind(3, std::int64_t{r.ts});
      insert_->bind_blob(4, bytes).run();
      state_.bytes += bytes.size();
    }
    save_meta("last_seq", state_.last_seq);
    t.commit();
    if (state_.first_seq == 0) state_.first_seq = before.last_seq + 1;
    state_.entries += results.size();
    return before.last_seq + 1;
  } catch (...) {
    state_ = before;
    throw;
  }
}

wire::Batch Spool::read(std::uint64_t from_seq, std::size_t max_entries) {
  // The entries read_stored() reads, decoded.
  StoredBatch stored;
  read_stored(from_seq, max_entries, stored);
  wire::Batch b;
  b.epoch = stored.epoch;
  b.first_seq = stored.first_seq;
  const std::string_view bytes(stored.bytes);
  std::size_t at = 0;
  for (const auto& e : stored.entries) {
    b.entries.push_back(decode_entry(bytes.substr(at, e.size), path_));
    at += e.size;
  }
  return b;
}

void Spool::read_stored(std::uint64_t from_seq, std::size_t max_entries, StoredBatch& out) {
  out.clear();
  out.epoch = state_.epoch;
  read_stored_->bind(1, static_cast<std::int64_t>(std::min<std::uint64_t>(from_seq, INT64_MAX)))
      .bind(2, static_cast<std::int64_t>(std::min<std::size_t>(max_entries, INT64_MAX)));
  std::uint64_t next = 0;  // the number the next entry must have: a batch has no hole
  while (read_stored_->step()) {
    const auto seq = static_cast<std::uint64_t>(read_stored_->int64(0));
    if (out.entries.empty()) {
      out.first_seq = seq;
    } else if (seq != next) {  // numbers acknowledged out of order (deleted) lie between
      read_stored_->reset();
      break;
    }
    const auto width = static_cast<std::uint64_t>(read_stored_->int64(1));
    next = seq + width;
    out.add(read_stored_->blob(2), width);
  }
}

std::uint64_t Spool::acknowledge(std::uint64_t epoch, std::uint64_t committed_seq) {
  return acknowledge_range(epoch, 1, committed_seq);
}

std::uint64_t Spool::acknowledge_range(std::uint64_t epoch, std::uint64_t first_seq, std::uint64_t last_seq) {
  if (epoch != state_.epoch || first_seq == 0 || first_seq > last_seq || state_.first_seq == 0 ||
      last_seq < state_.first_seq || first_seq > state_.last_seq)
    return 0;
  const auto from = static_cast<std::int64_t>(first_seq);
  const auto upto = static_cast<std::int64_t>(std::min(last_seq, state_.last_seq));
  Transaction t(*db_);
  Stmt& going = *ack_going_;
  going.bind(1, from).bind(2, upto);
  std::uint64_t rows = 0, bytes = 0;
  if (going.step()) {
    rows = static_cast<std::uint64_t>(going.int64(0));
    bytes = static_cast<std::uint64_t>(going.int64(1));
    going.reset();
  }
  delete_range_->bind(1, from).bind(2, upto).run();
  // A gap that began inside the range stands, from now on, only for the numbers after it.
  Stmt& straddle = *ack_straddle_;
  straddle.bind(1, from).bind(2, upto);
  std::int64_t new_gap_bytes = -1, old_gap_bytes = 0;
  if (straddle.step()) {
    const auto seq = straddle.int64(0);
    const auto width = straddle.int64(1);
    const std::string raw(straddle.blob(2));
    straddle.reset();  // before anything may throw: the statement is kept for the next call
    old_gap_bytes = static_cast<std::int64_t>(raw.size());
    auto entry = decode_entry(raw, path_);
    auto& g = std::get<wire::GapRecord>(entry);
    g.dropped = static_cast<std::uint64_t>(width - (upto + 1 - seq));
    Stmt del(*db_, "DELETE FROM entries WHERE seq = ?1");
    del.bind(1, seq).run();
    const std::string encoded = encode_gap(g);
    insert_->bind(1, upto + 1).bind(2, static_cast<std::int64_t>(g.dropped));
    insert_->bind(3, std::int64_t{g.from_ms}).bind_blob(4, encoded).run();
    new_gap_bytes = static_cast<std::int64_t>(encoded.size());
  }
  Stmt& first = *first_seq_;
  const std::uint64_t first_held = first.step() && !first.is_null(0) ? static_cast<std::uint64_t>(first.int64(0)) : 0;
  first.reset();
  t.commit();
  state_.entries -= rows;
  state_.bytes -= bytes;
  if (new_gap_bytes >= 0) state_.bytes = state_.bytes - static_cast<std::uint64_t>(old_gap_bytes) + static_cast<std::uint64_t>(new_gap_bytes);
  state_.first_seq = first_held;
  return rows;
}

void Spool::start_epoch(std::uint64_t epoch) {
  if (epoch <= state_.epoch) throw std::invalid_argument("spool: a new epoch must be above the current one");
  Transaction t(*db_);
  // Numbered again from 1, consecutively: numbers acknowledged out of order (deleted) leave no hole in
  // the new epoch. Two steps so that no intermediate number collides with one not yet moved.
  db_->exec(
      "UPDATE entries SET seq = -r.n FROM (SELECT seq AS old, SUM(width) OVER (ORDER BY seq) - width + 1 AS n "
      "FROM entries) AS r WHERE r.old = entries.seq");
  db_->exec("UPDATE entries SET seq = -seq");
  Stmt held(*db_, "SELECT COALESCE(SUM(width), 0) FROM entries");
  const std::uint64_t held_numbers = held.step() ? static_cast<std::uint64_t>(held.int64(0)) : 0;
  held.reset();
  save_meta("epoch", epoch);
  save_meta("last_seq", held_numbers);
  t.commit();
  load_state();
}

SpoolDrop Spool::enforce_limits() {
  SpoolDrop drop;
  if (state_.entries == 0) return drop;
  const TimeMs too_old = clock_.now_ms() - options_.max_age_ms;
  const bool over_size = state_.bytes > options_.max_bytes;
  const std::uint64_t target_bytes = over_size ? options_.max_bytes / 10 * 9 : state_.bytes;
  // Walk the oldest rows while they are too old or the spool is still above its target.
  Stmt oldest(*db_, "SELECT seq, width, ts_ms, entry FROM entries ORDER BY seq");
  std::uint64_t bytes = state_.bytes;
  std::uint64_t first = 0, end = 0, rows = 0;  // the dropped rows span numbers first..end
  std::set<std::string> probes;
  wire::GapRecord& g = drop.gap;
  g.from_ms = INT64_MAX;
  g.to_ms = INT64_MIN;
  while (oldest.step()) {
    const TimeMs ts = oldest.int64(2);
    if (!(ts < too_old || bytes > target_bytes)) break;
    const std::string_view raw = oldest.blob(3);
    const auto entry = decode_entry(raw, path_);
    if (rows == 0) first = static_cast<std::uint64_t>(oldest.int64(0));
    ++rows;
    end = static_cast<std::uint64_t>(oldest.int64(0) + oldest.int64(1) - 1);
    bytes -= raw.size();
    if (const auto* r = std::get_if<ProbeResult>(&entry)) {
      probes.insert(r->probe);
      g.from_ms = std::min(g.from_ms, r->ts);
      g.to_ms = std::max(g.to_ms, r->ts + 1);
      ++drop.results;
    } else {
      const auto& old = std::get<wire::GapRecord>(entry);
      probes.insert(old.probes.begin(), old.probes.end());
      g.from_ms = std::min(g.from_ms, old.from_ms);
      g.to_ms = std::max(g.to_ms, old.to_ms);
    }
  }
  oldest.reset();
  if (drop.results == 0) return SpoolDrop{};  // nothing but an old gap: it stays as it is
  g.probes.assign(probes.begin(), probes.end());
  // Numbers acknowledged out of order (deleted) between the dropped rows are spanned too: the gap
  // keeps the numbering contiguous, and the collector skips nothing it stored (plan_ingest).
  const std::uint64_t width = end - first + 1;
  g.dropped = width;
  Transaction t(*db_);
  Stmt del(*db_, "DELETE FROM entries WHERE seq >= ?1 AND seq < ?2");
  del.bind(1, static_cast<std::int64_t>(first)).bind(2, static_cast<std::int64_t>(first + width)).run();
  const std::string bytes_gap = encode_gap(g);
  insert_->bind(1, static_cast<std::int64_t>(first)).bind(2, static_cast<std::int64_t>(width));
  insert_->bind(3, std::int64_t{g.from_ms}).bind_blob(4, bytes_gap).run();
  t.commit();
  load_state();
  return drop;
}

}  // namespace slamon::agent
