// SqliteStore: schema, migrations, exactly-once append, queries (see sqlite_store.h).
#include "collector/store/sqlite/sqlite_store.h"

#include <simdjson.h>

#include <algorithm>
#include <limits>
#include <set>

#include "common/json_writer.h"

namespace slamon::store::sqlite {
namespace {

using slamon::sqlite::Stmt;
using slamon::sqlite::Transaction;

// Runs `f`, turning a failure of the database into the store's own StoreFailure.
template <class F>
auto guarded(F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const slamon::sqlite::Error& e) {
    throw StoreFailure(e.what());
  }
}

// Schema version 1. Results are keyed by (agent, epoch, seq): the de-duplication key.
constexpr std::string_view kSchemaV1 = R"sql(
CREATE TABLE agents (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE probes (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE marks (
  agent_id INTEGER NOT NULL REFERENCES agents(id),
  epoch INTEGER NOT NULL,
  committed_seq INTEGER NOT NULL,
  PRIMARY KEY (agent_id, epoch)
) WITHOUT ROWID;
CREATE TABLE results (
  agent_id INTEGER NOT NULL,
  epoch INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  probe_id INTEGER NOT NULL,
  ts_ms INTEGER NOT NULL,
  status INTEGER NOT NULL,
  latency_ms REAL,
  message TEXT NOT NULL,
  metrics TEXT,
  PRIMARY KEY (agent_id, epoch, seq)
);
CREATE INDEX results_ts ON results (ts_ms);
-- One row per run: the same probe, ts and agent again (a resend under another epoch, a restored
-- snapshot, an import) replaces the row when it differs (the later one wins, semantics.md 1) and is
-- a no-op when it is identical.
CREATE UNIQUE INDEX results_run ON results (probe_id, ts_ms, agent_id);
CREATE TABLE gaps (
  agent_id INTEGER NOT NULL,
  epoch INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  probe_id INTEGER NOT NULL,
  from_ms INTEGER NOT NULL,
  to_ms INTEGER NOT NULL,
  dropped INTEGER NOT NULL,
  PRIMARY KEY (agent_id, epoch, seq, probe_id)
);
CREATE INDEX gaps_probe_from ON gaps (probe_id, from_ms);
)sql";

// Schema version 2: what the collector knows of each agent's link (slamon status, the API).
constexpr std::string_view kSchemaV2 = R"sql(
CREATE TABLE agent_status (
  name TEXT PRIMARY KEY,
  connected INTEGER NOT NULL,
  peer TEXT NOT NULL,
  last_seen_ms INTEGER NOT NULL,
  clock_offset_ms INTEGER,
  backlog INTEGER NOT NULL,
  assignment_version TEXT NOT NULL,
  epoch INTEGER NOT NULL,
  committed_seq INTEGER NOT NULL
) WITHOUT ROWID;
)sql";

// Schema version 3: the live engine's bookkeeping (store/engine_store.h). Results keep their rowid as
// their arrival number: set explicitly, above every row the engine has applied, and moved up when a
// run's content is replaced, so that the engine sees every change by reading rows after its position.
constexpr std::string_view kSchemaV3 = R"sql(
CREATE TABLE engine_position (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  result_row INTEGER NOT NULL,
  gap_row INTEGER NOT NULL
);
INSERT INTO engine_position (id, result_row, gap_row) VALUES (1, 0, 0);
CREATE TABLE engine_probes (
  probe_id INTEGER PRIMARY KEY REFERENCES probes(id),
  stale_after_ms INTEGER NOT NULL,
  confirm INTEGER NOT NULL,
  confirmed INTEGER NOT NULL,
  pending INTEGER NOT NULL,
  pending_count INTEGER NOT NULL,
  pending_start INTEGER NOT NULL,
  has_prev INTEGER NOT NULL,
  prev_ts INTEGER NOT NULL,
  horizon INTEGER,
  dirty_from INTEGER
);
CREATE TABLE engine_changes (
  probe_id INTEGER NOT NULL,
  t INTEGER NOT NULL,
  status INTEGER NOT NULL,
  PRIMARY KEY (probe_id, t)
) WITHOUT ROWID;
CREATE TABLE store_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE engine_checkpoints (
  probe_id INTEGER NOT NULL,
  ts INTEGER NOT NULL,
  confirmed INTEGER NOT NULL,
  pending INTEGER NOT NULL,
  pending_count INTEGER NOT NULL,
  pending_start INTEGER NOT NULL,
  has_prev INTEGER NOT NULL,
  prev_ts INTEGER NOT NULL,
  PRIMARY KEY (probe_id, ts)
) WITHOUT ROWID;
)sql";

// Schema version 4, "stored ranges" (from version 3): what is stored of an (agent, epoch) above its mark,
// as disjoint ranges that are not adjacent to each other nor to the mark (marks.committed_seq keeps
// its meaning: everything up to it is stored). A range that reaches the mark is merged into it and
// deleted. At most wire::kMaxStoredRanges rows per (agent, epoch). Existing stores have nothing
// stored above their marks: the table starts empty.
constexpr int kStoredRangesVersion = 4;
constexpr std::string_view kSchemaStoredRanges = R"sql(
CREATE TABLE stored_ranges (
  agent_id INTEGER NOT NULL REFERENCES agents(id),
  epoch INTEGER NOT NULL,
  first_seq INTEGER NOT NULL,
  last_seq INTEGER NOT NULL,
  PRIMARY KEY (agent_id, epoch, first_seq)
) WITHOUT ROWID;
)sql";

// The "stored ranges" step, in its own transaction: `db` is at kStoredRangesVersion - 1.
void migrate_stored_ranges(slamon::sqlite::Db& db) {
  Transaction t(db);
  db.exec(kSchemaStoredRanges);
  db.exec("PRAGMA user_version = " + std::to_string(kStoredRangesVersion));
  t.commit();
}

// Schema version 5, "maintenance" (from version 4): maintenance windows created through the API and
// their history (store/maintenance_store.h). A window's id is "mw-" + its row id; targets are CI or
// service ids, one per line (ids never hold a line break).
constexpr int kMaintenanceVersion = 5;
constexpr std::string_view kSchemaMaintenance = R"sql(
CREATE TABLE maintenance_windows (
  id INTEGER PRIMARY KEY,
  targets TEXT NOT NULL,
  from_ms INTEGER NOT NULL,
  to_ms INTEGER NOT NULL,
  planned_to_ms INTEGER NOT NULL,
  who TEXT NOT NULL,
  why TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  ended_ms INTEGER,
  ended_by TEXT NOT NULL DEFAULT '',
  end_reason TEXT NOT NULL DEFAULT ''
);
CREATE TABLE maintenance_events (
  seq INTEGER PRIMARY KEY,
  window_id INTEGER NOT NULL REFERENCES maintenance_windows(id),
  action TEXT NOT NULL,
  at_ms INTEGER NOT NULL,
  who TEXT NOT NULL,
  why TEXT NOT NULL,
  from_ms INTEGER NOT NULL,
  to_ms INTEGER NOT NULL
);
CREATE INDEX maintenance_events_window ON maintenance_events (window_id, seq);
)sql";

// Schema version 6, "notifications" (from version 5): the subjects whose opening was told and the
// delivery log (store/notification_store.h), one row per (dedup_key, target).
constexpr int kNotificationsVersion = 6;
constexpr std::string_view kSchemaNotifications = R"sql(
CREATE TABLE notification_open (key TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE notification_log (
  id INTEGER PRIMARY KEY,
  dedup_key TEXT NOT NULL,
  target TEXT NOT NULL,
  kind TEXT NOT NULL,
  subject TEXT NOT NULL,
  sla TEXT NOT NULL,
  at_ms INTEGER NOT NULL,
  payload TEXT NOT NULL,
  state TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  created_ms INTEGER NOT NULL,
  next_attempt_ms INTEGER NOT NULL,
  last_error TEXT NOT NULL,
  delivered_ms INTEGER,
  UNIQUE (dedup_key, target)
);
CREATE INDEX notification_log_due ON notification_log (state, next_attempt_ms);
)sql";

// The "notifications" step, in its own transaction: `db` is at kNotificationsVersion - 1.
void migrate_notifications(slamon::sqlite::Db& db) {
  Transaction t(db);
  db.exec(kSchemaNotifications);
  db.exec("PRAGMA user_version = " + std::to_string(kNotificationsVersion));
  t.commit();
}

constexpr auto kMaxSql = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());

// Metrics as a JSON array of [name, value] pairs, in the order the probe produced them.
std::string encode_metrics(const std::vector<Metric>& metrics) {
  JsonWriter w;
  w.begin_array();
  for (const auto& m : metrics) w.begin_array().value(m.name).value(m.value).end_array();
  w.end_array();
  return w.take();
}

std::vector<Metric> decode_metrics(std::string_view text, const std::string& path) {
  std::vector<Metric> out;
  simdjson::padded_string padded(text);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(padded).get(doc) != simdjson::SUCCESS) throw StoreFailure("store " + path + ": corrupt metrics");
  simdjson::dom::array arr;
  if (doc.get_array().get(arr) != simdjson::SUCCESS) throw StoreFailure("store " + path + ": corrupt metrics");
  for (simdjson::dom::element pair : arr) {
    simdjson::dom::array kv;
    std::string_view name;
    double value = 0;
    if (pair.get_array().get(kv) != simdjson::SUCCESS || kv.size() != 2 || kv.at(0).get_string().get(name) != simdjson::SUCCESS ||
        kv.at(1).get_double().get(value) != simdjson::SUCCESS)
      throw StoreFailure("store " + path + ": corrupt metrics");
    out.push_back(Metric{std::string(name), value});
  }
  return out;
}

// The WHERE clause of a ResultQuery over results r joined with agents a and probes p; parameters
// ?1 from, ?2 to, ?3 agent, ?4 probe (NULL: no bound). The text is fixed: no user string in SQL.
constexpr std::string_view kQueryWhere =
    " WHERE (?1 IS NULL OR r.ts_ms >= ?1) AND (?2 IS NULL OR r.ts_ms < ?2)"
    " AND (?3 IS NULL OR a.name = ?3) AND (?4 IS NULL OR p.name = ?4)";

void bind_query(Stmt& s, const ResultQuery& q) {
  if (q.from_ms) s.bind(1, static_cast<std::int64_t>(*q.from_ms)); else s.bind_null(1);
  if (q.to_ms) s.bind(2, static_cast<std::int64_t>(*q.to_ms)); else s.bind_null(2);
  if (q.agent) s.bind(3, std::string_view(*q.agent)); else s.bind_null(3);
  if (q.probe) s.bind(4, std::string_view(*q.probe)); else s.bind_null(4);
}

}  // namespace

SqliteStore::SqliteStore(const std::string& path, SqliteOptions options) try : db_(path, options.create) {
  if (!options.create) migrate(false);  // before anything writes to a file that may not be a store
  db_.exec("PRAGMA journal_mode=WAL");
  db_.exec(options.synchronous_full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
  db_.exec("PRAGMA foreign_keys=ON");
  migrate(options.create);
  find_agent_ = Stmt(db_, "SELECT id FROM agents WHERE name = ?1");
  add_agent_ = Stmt(db_, "INSERT INTO agents (name) VALUES (?1)");
  find_probe_ = Stmt(db_, "SELECT id FROM probes WHERE name = ?1");
  add_probe_ = Stmt(db_, "INSERT INTO probes (name) VALUES (?1)");
  get_mark_ = Stmt(db_, "SELECT committed_seq FROM marks WHERE agent_id = ?1 AND epoch = ?2");
  set_mark_ = Stmt(db_,
                   "INSERT INTO marks (agent_id, epoch, committed_seq) VALUES (?1, ?2, ?3)"
                   " ON CONFLICT (agent_id, epoch) DO UPDATE SET committed_seq = excluded.committed_seq");
  last_epoch_ = Stmt(db_, "SELECT MAX(epoch) FROM marks WHERE agent_id = ?1");
  get_ranges_ = Stmt(db_,
                     "SELECT first_seq, last_seq FROM stored_ranges WHERE agent_id = ?1 AND epoch = ?2 ORDER BY first_seq");
  clear_ranges_ = Stmt(db_, "DELETE FROM stored_ranges WHERE agent_id = ?1 AND epoch = ?2");
  add_range_ = Stmt(db_, "INSERT INTO stored_ranges (agent_id, epoch, first_seq, last_seq) VALUES (?1, ?2, ?3, ?4)");
  insert_result_ = Stmt(db_,
                        "INSERT INTO results (rowid, agent_id, epoch, seq, probe_id, ts_ms, status, latency_ms, message, metrics)"
                        " VALUES (?10, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
                        " ON CONFLICT (probe_id, ts_ms, agent_id) DO UPDATE SET rowid = excluded.rowid, status = excluded.status,"
                        " latency_ms = excluded.latency_ms, message = excluded.message, metrics = excluded.metrics"
                        " WHERE status IS NOT excluded.status OR latency_ms IS NOT excluded.latency_ms"
                        " OR message IS NOT excluded.message OR metrics IS NOT excluded.metrics");
  set_agent_status_ = Stmt(db_,
                           "INSERT INTO agent_status (name, connected, peer, last_seen_ms, clock_offset_ms, backlog,"
                           " assignment_version, epoch, committed_seq) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
                           " ON CONFLICT (name) DO UPDATE SET connected = excluded.connected, peer = excluded.peer,"
                           " last_seen_ms = excluded.last_seen_ms, clock_offset_ms = excluded.clock_offset_ms,"
                           " backlog = excluded.backlog, assignment_version = excluded.assignment_version,"
                           " epoch = excluded.epoch, committed_seq = excluded.committed_seq");
  constexpr std::string_view kResultColumns =
      "SELECT p.name, r.ts_ms, r.status, r.latency_ms, r.message, a.name, r.metrics"
      " FROM results r JOIN agents a ON a.id = r.agent_id JOIN probes p ON p.id = r.probe_id";
  walk_forward_ = Stmt(db_, std::string(kResultColumns) + " WHERE r.probe_id = ?1 AND r.ts_ms >= ?2 ORDER BY r.ts_ms");
  walk_backward_ = Stmt(db_, std::string(kResultColumns) + " WHERE r.probe_id = ?1 AND r.ts_ms < ?2 ORDER BY r.ts_ms DESC");
  find_result_ = Stmt(db_, std::string(kResultColumns) + " WHERE p.name = ?1 AND r.ts_ms = ?2 AND a.name = ?3");
  change_before_ = Stmt(db_,
                        "SELECT c.t, c.status FROM engine_changes c JOIN probes p ON p.id = c.probe_id"
                        " WHERE p.name = ?1 AND c.t < ?2 ORDER BY c.t DESC LIMIT 1");
  change_range_ = Stmt(db_,
                       "SELECT c.t, c.status FROM engine_changes c JOIN probes p ON p.id = c.probe_id"
                       " WHERE p.name = ?1 AND c.t >= ?2 AND c.t < ?3 ORDER BY c.t");
  insert_gap_ = Stmt(db_,
                     "INSERT INTO gaps (agent_id, epoch, seq, probe_id, from_ms, to_ms, dropped)"
                     " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
                     // A wider gap at the same number (the spool folded more into it): the later wins, as a
                     // new arrival (a row number above every other: the engine applies it again).
                     " ON CONFLICT (agent_id, epoch, seq, probe_id) DO UPDATE SET"
                     " rowid = (SELECT MAX(rowid) FROM gaps) + 1, from_ms = excluded.from_ms,"
                     " to_ms = excluded.to_ms, dropped = excluded.dropped");
} catch (const slamon::sqlite::Error& e) {
  throw StoreFailure(e.what());
}

void SqliteStore::migrate(bool create) {
  Stmt v(db_, "PRAGMA user_version");
  int version = 0;
  if (v.step()) version = static_cast<int>(v.int64(0));
  v.reset();
  if (version > kSchemaVersion)
    throw StoreFailure("store " + db_.path() + ": schema version " + std::to_string(version) +
                       " was written by a newer slamon (this one reads up to " + std::to_string(kSchemaVersion) + ")");
  if (version == 0) {
    Stmt tables(db_, "SELECT COUNT(*) FROM sqlite_schema");
    const bool empty = tables.step() && tables.int64(0) == 0;
    tables.reset();
    if (!empty) throw StoreFailure("store " + db_.path() + ": not a slamon store (it has tables but no schema version)");
    if (!create) throw StoreFailure("store " + db_.path() + ": not a slamon store (an empty database)");
    Transaction t(db_);
    db_.exec(kSchemaV1);
    db_.exec("PRAGMA user_version = 1");
    t.commit();
    version = 1;
  }
  // Later versions migrate here, one step at a time, each in its own transaction.
  if (version == 1) {
    Transaction t(db_);
    db_.exec(kSchemaV2);
    db_.exec("PRAGMA user_version = 2");
    t.commit();
    version = 2;
  }
  if (version == 2) {
    Transaction t(db_);
    db_.exec(kSchemaV3);
    db_.exec("PRAGMA user_version = 3");
    t.commit();
    version = 3;
  }
  if (version == kStoredRangesVersion - 1) {
    migrate_stored_ranges(db_);
    version = kStoredRangesVersion;
  }
  if (version == kMaintenanceVersion - 1) {
    Transaction t(db_);
    db_.exec(kSchemaMaintenance);
    db_.exec("PRAGMA user_version = " + std::to_string(kMaintenanceVersion));
    t.commit();
    version = kMaintenanceVersion;
  }
  if (version == kNotificationsVersion - 1) {
    migrate_notifications(db_);
    version = kNotificationsVersion;
  }
}

std::int64_t SqliteStore::id_of(std::unordered_map<std::string, std::int64_t>& cache, Stmt& find, Stmt& add,
                                std::string_view name) {
  if (const auto it = cache.find(std::string(name)); it != cache.end()) return it->second;
  std::int64_t id = 0;
  find.bind(1, name);
  if (find.step()) {
    id = find.int64(0);
    find.reset();
  } else {
    add.bind(1, name).run();
    id = sqlite3_last_insert_rowid(db_.handle());
    // Made inside the open transaction: forgotten again if it rolls back.
    made_.emplace_back(&cache, std::string(name));
  }
  cache.emplace(std::string(name), id);
  return id;
}

std::optional<std::int64_t> SqliteStore::find_agent(std::string_view agent) {
  if (const auto it = agent_ids_.find(std::string(agent)); it != agent_ids_.end()) return it->second;
  find_agent_.bind(1, agent);
  if (!find_agent_.step()) return std::nullopt;
  const std::int64_t id = find_agent_.int64(0);
  find_agent_.reset();
  return id;
}

AppendOutcome SqliteStore::append(std::string_view agent, const wire::Batch& batch) {
  const AgentBatch one{agent, &batch};
  return append_group(std::span<const AgentBatch>(&one, 1)).front();
}

std::vector<AppendOutcome> SqliteStore::append_group(std::span<const AgentBatch> group) {
  return guarded([&]() -> std::vector<AppendOutcome> {
    for (const auto& [agent, batch] : group)
      if (batch->epoch > kMaxSql || batch->last_seq() > kMaxSql)
        throw StoreFailure("store " + db_.path() + ": epoch or sequence number past 2^63 from agent " + std::string(agent));
    // Ids made inside a transaction that does not commit must not stay cached.
    made_.clear();
    try {
      std::vector<AppendOutcome> out;
      out.reserve(group.size());
      Transaction t(db_);
      next_row_ = next_result_row();
      for (const auto& [agent, batch] : group) out.push_back(append_in_transaction(agent, *batch));
      t.commit();
      made_.clear();
      return out;
    } catch (...) {
      for (auto& [cache, name] : made_) cache->erase(name);
      made_.clear();
      throw;
    }
  });
}

AppendOutcome SqliteStore::append_in_transaction(std::string_view agent, const wire::Batch& batch) {
  if (batch.entries.empty()) {
    AppendOutcome out;
    out.committed_seq = mark_of(agent, batch.epoch);
    if (const auto id = find_agent(agent); id && batch.epoch <= kMaxSql)
      out.stored_above = ranges_by_id(*id, static_cast<std::int64_t>(batch.epoch));
    return out;
  }
  const std::int64_t agent_id = id_of(agent_ids_, find_agent_, add_agent_, agent);
  const auto epoch = static_cast<std::int64_t>(batch.epoch);
  const wire::SeqRanges ranges = ranges_by_id(agent_id, epoch);
  const IngestPlan plan = plan_ingest(mark_by_id(agent_id, epoch), ranges, batch);
  AppendOutcome out;
  out.committed_seq = plan.new_mark;
  out.stored_above = plan.new_ranges;
  if (plan.gap) {
    out.kind = AppendOutcome::Kind::gap;
    return out;  // nothing to store
  }
  out.duplicates = plan.skip;
  std::uint64_t next_seq = batch.first_seq;
  for (std::size_t i = 0; i < batch.entries.size(); ++i) {
    const auto seq = static_cast<std::int64_t>(next_seq);
    next_seq += wire::seq_width(batch.entries[i]);
    if (!plan.store[i]) continue;
    if (const auto* r = std::get_if<ProbeResult>(&batch.entries[i])) {
      const std::int64_t probe_id = id_of(probe_ids_, find_probe_, add_probe_, r->probe);
      insert_result_.bind(1, agent_id).bind(2, epoch).bind(3, seq).bind(4, probe_id).bind(5, std::int64_t{r->ts});
      insert_result_.bind(6, static_cast<std::int64_t>(r->status)).bind(10, next_row_++);
      if (r->latency_ms) insert_result_.bind(7, *r->latency_ms); else insert_result_.bind_null(7);
      insert_result_.bind(8, std::string_view(r->message));
      if (r->metrics.empty()) insert_result_.bind_null(9); else insert_result_.bind(9, std::string_view(encode_metrics(r->metrics)));
      insert_result_.run();
      if (db_.changes() == 0) ++out.resends;  // the same run, already stored as it is
    } else {
      // A gap without probes stands for sequence numbers that hold nothing to store (entries the
      // collector refused): it moves the mark (or a range) only.
      const auto& g = std::get<wire::GapRecord>(batch.entries[i]);
      for (const auto& probe : g.probes) {
        const std::int64_t probe_id = id_of(probe_ids_, find_probe_, add_probe_, probe);
        insert_gap_.bind(1, agent_id).bind(2, epoch).bind(3, seq).bind(4, probe_id).bind(5, std::int64_t{g.from_ms});
        insert_gap_.bind(6, std::int64_t{g.to_ms}).bind(7, static_cast<std::int64_t>(std::min(g.dropped, kMaxSql)));
        insert_gap_.run();
      }
    }
    ++out.stored;
  }
  if (out.stored > 0) {
    // The marks row also when the mark stays (a batch above it): last_epoch() finds the epoch.
    set_mark_.bind(1, agent_id).bind(2, epoch).bind(3, static_cast<std::int64_t>(plan.new_mark)).run();
    if (plan.new_ranges != ranges) {
      clear_ranges_.bind(1, agent_id).bind(2, epoch).run();
      for (const auto& r : plan.new_ranges.ranges()) {
        add_range_.bind(1, agent_id).bind(2, epoch).bind(3, static_cast<std::int64_t>(r.first));
        add_range_.bind(4, static_cast<std::int64_t>(r.last)).run();
      }
    }
  }
  return out;
}

wire::SeqRanges SqliteStore::ranges_by_id(std::int64_t agent_id, std::int64_t epoch) {
  wire::SeqRanges out;
  get_ranges_.bind(1, agent_id).bind(2, epoch);
  while (get_ranges_.step())
    out.insert(static_cast<std::uint64_t>(get_ranges_.int64(0)), static_cast<std::uint64_t>(get_ranges_.int64(1)));
  return out;
}

wire::SeqRanges SqliteStore::stored_ranges(std::string_view agent, std::uint64_t epoch) {
  return guarded([&]() -> wire::SeqRanges {
    const auto agent_id = find_agent(agent);
    if (!agent_id || epoch > kMaxSql) return {};
    return ranges_by_id(*agent_id, static_cast<std::int64_t>(epoch));
  });
}

std::uint64_t SqliteStore::mark_of(std::string_view agent, std::uint64_t epoch) {
  const auto agent_id = find_agent(agent);
  if (!agent_id || epoch > kMaxSql) return 0;
  return mark_by_id(*agent_id, static_cast<std::int64_t>(epoch));
}

std::uint64_t SqliteStore::mark_by_id(std::int64_t agent_id, std::int64_t epoch) {
  get_mark_.bind(1, agent_id).bind(2, epoch);
  if (!get_mark_.step()) return 0;
  const auto mark = static_cast<std::uint64_t>(get_mark_.int64(0));
  get_mark_.reset();
  return mark;
}

std::uint64_t SqliteStore::committed_seq(std::string_view agent, std::uint64_t epoch) {
  return guarded([&]() -> std::uint64_t { return mark_of(agent, epoch); });
}

std::uint64_t SqliteStore::last_epoch(std::string_view agent) {
  return guarded([&]() -> std::uint64_t {
    const auto agent_id = find_agent(agent);
    if (!agent_id) return 0;
    last_epoch_.bind(1, *agent_id);
    std::uint64_t epoch = 0;
    if (last_epoch_.step()) {
      if (!last_epoch_.is_null(0)) epoch = static_cast<std::uint64_t>(last_epoch_.int64(0));
      last_epoch_.reset();
    }
    return epoch;
  });
}

// Columns p.name, ts_ms, status, latency_ms, message, a.name, metrics from `first`.
ProbeResult SqliteStore::read_result(Stmt& s, int first) {
  ProbeResult r;
  r.probe.assign(s.text(first));
  r.ts = s.int64(first + 1);
  const auto st = s.int64(first + 2);
  if (st < 0 || st > 3) throw StoreFailure("store " + db_.path() + ": corrupt status " + std::to_string(st));
  r.status = static_cast<Status>(st);
  r.latency_ms = s.is_null(first + 3) ? std::nullopt : std::optional<double>(s.real(first + 3));
  r.message.assign(s.text(first + 4));
  r.agent.assign(s.text(first + 5));
  r.metrics = s.is_null(first + 6) ? std::vector<Metric>{} : decode_metrics(s.text(first + 6), db_.path());
  return r;
}

void SqliteStore::for_each_result(const ResultQuery& q, const std::function<void(const ProbeResult&)>& on_result) {
  return guarded([&]() -> void {
    Stmt s(db_, std::string("SELECT p.name, r.ts_ms, r.status, r.latency_ms, r.message, a.name, r.metrics"
                            " FROM results r JOIN agents a ON a.id = r.agent_id JOIN probes p ON p.id = r.probe_id") +
                    std::string(kQueryWhere) + " ORDER BY r.ts_ms, p.name, a.name, r.epoch, r.seq");
    bind_query(s, q);
    while (s.step()) on_result(read_result(s, 0));
  });
}

void SqliteStore::walk_probe_results(std::string_view probe, TimeMs from_ms, Direction direction,
                                     const std::function<bool(const ProbeResult&)>& on_result) {
  guarded([&] {
    find_probe_.bind(1, probe);
    if (!find_probe_.step()) return;  // no result was ever stored for it
    const std::int64_t probe_id = find_probe_.int64(0);
    find_probe_.reset();
    Stmt& s = direction == Direction::forward ? walk_forward_ : walk_backward_;
    struct ResetOnExit {
      Stmt& s;
      ~ResetOnExit() { s.reset(); }  // stopped early, or a callback threw
    } reset_on_exit{s};
    s.bind(1, probe_id).bind(2, std::int64_t{from_ms});
    // The index gives ts order; the rows of one ts (one per agent) are put in agent name order here.
    std::vector<ProbeResult> same_ts;
    auto flush = [&]() -> bool {
      std::sort(same_ts.begin(), same_ts.end(), [](const ProbeResult& a, const ProbeResult& b) { return a.agent < b.agent; });
      for (const auto& r : same_ts)
        if (!on_result(r)) return false;
      same_ts.clear();
      return true;
    };
    while (s.step()) {
      ProbeResult r = read_result(s, 0);
      if (!same_ts.empty() && same_ts.front().ts != r.ts && !flush()) return;
      same_ts.push_back(std::move(r));
    }
    flush();
  });
}

std::optional<ProbeResult> SqliteStore::find_result(std::string_view probe, TimeMs ts, std::string_view agent) {
  return guarded([&]() -> std::optional<ProbeResult> {
    find_result_.bind(1, probe).bind(2, std::int64_t{ts}).bind(3, agent);
    if (!find_result_.step()) return std::nullopt;
    ProbeResult r = read_result(find_result_, 0);
    find_result_.reset();
    return r;
  });
}

std::vector<StoredGap> SqliteStore::gaps(const ResultQuery& q) {
  return guarded([&]() -> std::vector<StoredGap> {
    // The query's time bounds select gaps that overlap [from, to).
    Stmt s(db_,
           "SELECT a.name, p.name, r.from_ms, r.to_ms, r.dropped FROM gaps r JOIN agents a ON a.id = r.agent_id"
           " JOIN probes p ON p.id = r.probe_id"
           " WHERE (?2 IS NULL OR r.from_ms < ?2) AND (?1 IS NULL OR r.to_ms > ?1)"
           " AND (?3 IS NULL OR a.name = ?3) AND (?4 IS NULL OR p.name = ?4)"
           " ORDER BY p.name, r.from_ms, a.name");
    bind_query(s, q);
    std::vector<StoredGap> out;
    while (s.step())
      out.push_back(StoredGap{std::string(s.text(0)), std::string(s.text(1)), s.int64(2), s.int64(3),
                              static_cast<std::uint64_t>(s.int64(4))});
    return out;
  });
}

std::uint64_t SqliteStore::prune_results(TimeMs before_ms, std::span<const std::string> keep_probes) {
  return guarded([&]() -> std::uint64_t {
    const std::set<std::string, std::less<>> keep(keep_probes.begin(), keep_probes.end());
    const EnginePosition pos = read_position();
    // Per probe: the engine's probes up to their latest checkpoint before the bound (and before
    // their dirty_from: a replay starts from a checkpoint before it), the others (no engine state:
    // not in the catalogue) up to the bound; only rows the engine has applied. One transaction per
    // probe, so that the writer lock is never held long (the store thread commits in between).
    struct Target {
      std::int64_t id;
      bool engine;
      std::optional<TimeMs> dirty_from;
    };
    std::vector<Target> targets;
    {
      Stmt probes(db_,
                  "SELECT p.id, p.name, e.probe_id IS NOT NULL, e.dirty_from FROM probes p"
                  " LEFT JOIN engine_probes e ON e.probe_id = p.id");
      while (probes.step())
        if (keep.count(probes.text(1)) == 0)
          targets.push_back(Target{probes.int64(0), probes.int64(2) != 0,
                                   probes.is_null(3) ? std::nullopt : std::optional<TimeMs>(probes.int64(3))});
    }
    Stmt cutoff(db_, "SELECT MAX(ts) FROM engine_checkpoints WHERE probe_id = ?1 AND ts < ?2");
    Stmt del_upto(db_, "DELETE FROM results WHERE probe_id = ?1 AND ts_ms <= ?2 AND rowid <= ?3");
    Stmt del_before(db_, "DELETE FROM results WHERE probe_id = ?1 AND ts_ms < ?2 AND rowid <= ?3");
    Stmt del_ckpt(db_, "DELETE FROM engine_checkpoints WHERE probe_id = ?1 AND ts < ?2");
    std::uint64_t n = 0;
    for (const auto& t : targets) {
      Transaction tx(db_);
      if (!t.engine) {
        del_before.bind(1, t.id).bind(2, std::int64_t{before_ms}).bind(3, pos.result_row).run();
        n += static_cast<std::uint64_t>(db_.changes());
        tx.commit();
        continue;
      }
      const TimeMs bound = t.dirty_from ? std::min(before_ms, *t.dirty_from) : before_ms;
      cutoff.bind(1, t.id).bind(2, std::int64_t{bound});
      std::optional<TimeMs> upto;
      if (cutoff.step()) {
        if (!cutoff.is_null(0)) upto = cutoff.int64(0);
        cutoff.reset();
      }
      if (upto) {
        del_upto.bind(1, t.id).bind(2, std::int64_t{*upto}).bind(3, pos.result_row).run();
        n += static_cast<std::uint64_t>(db_.changes());
        del_ckpt.bind(1, t.id).bind(2, std::int64_t{*upto}).run();
      }
      tx.commit();
    }
    Stmt mark(db_,
              "INSERT INTO store_meta (key, value) VALUES ('pruned_before', ?1)"
              " ON CONFLICT (key) DO UPDATE SET value = MAX(value, excluded.value)");
    mark.bind(1, std::int64_t{before_ms}).run();
    return n;
  });
}

std::optional<TimeMs> SqliteStore::pruned_before() {
  return guarded([&]() -> std::optional<TimeMs> {
    Stmt s(db_, "SELECT value FROM store_meta WHERE key = 'pruned_before'");
    if (!s.step()) return std::nullopt;
    const TimeMs v = s.int64(0);
    s.reset();
    return v;
  });
}

// ---- The live engine's bookkeeping ----

namespace {

Status status_of(std::int64_t v, const std::string& path) {
  if (v < 0 || v > 3) throw StoreFailure("store " + path + ": corrupt status " + std::to_string(v));
  return static_cast<Status>(v);
}

// Binds a BuilderState from parameter `first` on (6 parameters).
void bind_state(Stmt& s, int first, const BuilderState& b) {
  s.bind(first, static_cast<std::int64_t>(b.confirmed)).bind(first + 1, static_cast<std::int64_t>(b.pending));
  s.bind(first + 2, std::int64_t{b.pending_count}).bind(first + 3, std::int64_t{b.pending_start});
  s.bind(first + 4, std::int64_t{b.has_prev ? 1 : 0}).bind(first + 5, std::int64_t{b.prev_ts});
}

BuilderState read_state(Stmt& s, int first, const std::string& path) {
  BuilderState b;
  b.confirmed = status_of(s.int64(first), path);
  b.pending = status_of(s.int64(first + 1), path);
  b.pending_count = static_cast<int>(s.int64(first + 2));
  b.pending_start = s.int64(first + 3);
  b.has_prev = s.int64(first + 4) != 0;
  b.prev_ts = s.int64(first + 5);
  return b;
}

}  // namespace

std::int64_t SqliteStore::next_result_row() {
  Stmt s(db_,
         "SELECT MAX(COALESCE((SELECT MAX(rowid) FROM results), 0),"
         " COALESCE((SELECT result_row FROM engine_position WHERE id = 1), 0))");
  std::int64_t top = 0;
  if (s.step()) {
    top = s.int64(0);
    s.reset();
  }
  return top + 1;
}

EnginePosition SqliteStore::read_position() {
  Stmt s(db_, "SELECT result_row, gap_row FROM engine_position WHERE id = 1");
  EnginePosition p;
  if (s.step()) {
    p.result_row = s.int64(0);
    p.gap_row = s.int64(1);
    s.reset();
  }
  return p;
}

EnginePosition SqliteStore::engine_position() {
  return guarded([&] { return read_position(); });
}

std::vector<EngineProbe> SqliteStore::engine_probes() {
  return guarded([&]() -> std::vector<EngineProbe> {
    Stmt s(db_,
           "SELECT p.name, e.stale_after_ms, e.confirm, e.confirmed, e.pending, e.pending_count, e.pending_start,"
           " e.has_prev, e.prev_ts, e.dirty_from, e.horizon FROM engine_probes e JOIN probes p ON p.id = e.probe_id ORDER BY p.name");
    std::vector<EngineProbe> out;
    while (s.step()) {
      EngineProbe e;
      e.probe.assign(s.text(0));
      e.stale_after_ms = s.int64(1);
      e.confirm = static_cast<int>(s.int64(2));
      e.state = read_state(s, 3, db_.path());
      if (!s.is_null(9)) e.dirty_from = s.int64(9);
      if (!s.is_null(10)) e.horizon = s.int64(10);
      out.push_back(std::move(e));
    }
    return out;
  });
}

EnginePosition SqliteStore::arrivals_after(const EnginePosition& from, std::size_t limit,
                                           const std::function<void(const StoredArrival&)>& on_arrival) {
  return guarded([&]() -> EnginePosition {
    EnginePosition pos = from;
    const auto lim = static_cast<std::int64_t>(std::min<std::size_t>(limit, static_cast<std::size_t>(kMaxSql)));
    Stmt r(db_,
           "SELECT r.rowid, p.name, r.ts_ms, r.status, r.latency_ms, a.name FROM results r"
           " JOIN probes p ON p.id = r.probe_id JOIN agents a ON a.id = r.agent_id"
           " WHERE r.rowid > ?1 ORDER BY r.rowid LIMIT ?2");
    r.bind(1, from.result_row).bind(2, lim);
    StoredArrival a;
    while (r.step()) {
      a.row = r.int64(0);
      a.gap = false;
      a.probe.assign(r.text(1));
      a.ts = r.int64(2);
      a.status = status_of(r.int64(3), db_.path());
      a.latency_ms = r.is_null(4) ? std::nullopt : std::optional<double>(r.real(4));
      a.agent.assign(r.text(5));
      pos.result_row = a.row;
      on_arrival(a);
    }
    Stmt g(db_,
           "SELECT g.rowid, p.name, g.from_ms, a.name FROM gaps g JOIN probes p ON p.id = g.probe_id"
           " JOIN agents a ON a.id = g.agent_id WHERE g.rowid > ?1 ORDER BY g.rowid LIMIT ?2");
    g.bind(1, from.gap_row).bind(2, lim);
    while (g.step()) {
      a.row = g.int64(0);
      a.gap = true;
      a.probe.assign(g.text(1));
      a.ts = g.int64(2);
      a.status = Status::unknown;
      a.latency_ms.reset();
      a.agent.assign(g.text(3));
      pos.gap_row = a.row;
      on_arrival(a);
    }
    return pos;
  });
}

void SqliteStore::probe_history(std::string_view probe, TimeMs after_ts, const EnginePosition& upto,
                                const std::function<void(const StoredArrival&)>& on_arrival) {
  guarded([&] {
    find_probe_.bind(1, probe);
    if (!find_probe_.step()) return;
    const std::int64_t probe_id = find_probe_.int64(0);
    find_probe_.reset();
    Stmt g(db_,
           "SELECT g.rowid, g.from_ms, a.name FROM gaps g JOIN agents a ON a.id = g.agent_id"
           " WHERE g.probe_id = ?1 AND g.from_ms > ?2 AND g.rowid <= ?3 ORDER BY g.from_ms, g.rowid");
    g.bind(1, probe_id).bind(2, std::int64_t{after_ts}).bind(3, upto.gap_row);
    std::vector<StoredArrival> gaps;
    while (g.step()) {
      StoredArrival a;
      a.row = g.int64(0);
      a.gap = true;
      a.probe.assign(probe);
      a.ts = g.int64(1);
      a.agent.assign(g.text(2));
      gaps.push_back(std::move(a));
    }
    std::size_t next_gap = 0;
    Stmt r(db_,
           "SELECT r.rowid, r.ts_ms, r.status, r.latency_ms, a.name FROM results r JOIN agents a ON a.id = r.agent_id"
           " WHERE r.probe_id = ?1 AND r.ts_ms > ?2 AND r.rowid <= ?3 ORDER BY r.ts_ms");
    r.bind(1, probe_id).bind(2, std::int64_t{after_ts}).bind(3, upto.result_row);
    std::vector<StoredArrival> same_ts;  // one ts, put in agent name order
    auto flush = [&] {
      if (same_ts.empty()) return;
      for (; next_gap < gaps.size() && gaps[next_gap].ts <= same_ts.front().ts; ++next_gap) on_arrival(gaps[next_gap]);
      std::sort(same_ts.begin(), same_ts.end(),
                [](const StoredArrival& a, const StoredArrival& b) { return a.agent < b.agent; });
      for (const auto& a : same_ts) on_arrival(a);
      same_ts.clear();
    };
    while (r.step()) {
      StoredArrival a;
      a.row = r.int64(0);
      a.probe.assign(probe);
      a.ts = r.int64(1);
      a.status = status_of(r.int64(2), db_.path());
      a.latency_ms = r.is_null(3) ? std::nullopt : std::optional<double>(r.real(3));
      a.agent.assign(r.text(4));
      if (!same_ts.empty() && same_ts.front().ts != a.ts) flush();
      same_ts.push_back(std::move(a));
    }
    flush();
    for (; next_gap < gaps.size(); ++next_gap) on_arrival(gaps[next_gap]);
  });
}

std::optional<EngineCheckpoint> SqliteStore::checkpoint_before(std::string_view probe, TimeMs before) {
  return guarded([&]() -> std::optional<EngineCheckpoint> {
    Stmt s(db_,
           "SELECT c.ts, c.confirmed, c.pending, c.pending_count, c.pending_start, c.has_prev, c.prev_ts"
           " FROM engine_checkpoints c JOIN probes p ON p.id = c.probe_id WHERE p.name = ?1 AND c.ts < ?2"
           " ORDER BY c.ts DESC LIMIT 1");
    s.bind(1, probe).bind(2, std::int64_t{before});
    if (!s.step()) return std::nullopt;
    EngineCheckpoint c{s.int64(0), read_state(s, 1, db_.path())};
    s.reset();
    return c;
  });
}

std::vector<std::pair<std::string, TimeMs>> SqliteStore::latest_checkpoints() {
  return guarded([&]() -> std::vector<std::pair<std::string, TimeMs>> {
    Stmt s(db_,
           "SELECT p.name, MAX(c.ts) FROM engine_checkpoints c JOIN probes p ON p.id = c.probe_id GROUP BY c.probe_id");
    std::vector<std::pair<std::string, TimeMs>> out;
    while (s.step()) out.emplace_back(std::string(s.text(0)), s.int64(1));
    return out;
  });
}

std::optional<ChangePoint> SqliteStore::change_point_before(std::string_view probe, TimeMs before) {
  return guarded([&]() -> std::optional<ChangePoint> {
    change_before_.bind(1, probe).bind(2, std::int64_t{before});
    if (!change_before_.step()) return std::nullopt;
    ChangePoint c{change_before_.int64(0), status_of(change_before_.int64(1), db_.path())};
    change_before_.reset();
    return c;
  });
}

std::vector<ChangePoint> SqliteStore::change_points(std::string_view probe, TimeMs from, TimeMs to) {
  return guarded([&]() -> std::vector<ChangePoint> {
    change_range_.bind(1, probe).bind(2, std::int64_t{from}).bind(3, std::int64_t{to});
    std::vector<ChangePoint> out;
    while (change_range_.step())
      out.push_back(ChangePoint{change_range_.int64(0), status_of(change_range_.int64(1), db_.path())});
    return out;
  });
}

bool SqliteStore::engine_commit(const EngineCommit& c) {
  return guarded([&]() -> bool {
    made_.clear();
    try {
      Transaction t(db_);
      if (!(read_position() == c.expect)) return false;  // rolled back: nothing written
      Stmt set_probe(db_,
                     "INSERT INTO engine_probes (probe_id, stale_after_ms, confirm, confirmed, pending, pending_count,"
                     " pending_start, has_prev, prev_ts, dirty_from, horizon) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
                     " ON CONFLICT (probe_id) DO UPDATE SET stale_after_ms = excluded.stale_after_ms,"
                     " confirm = excluded.confirm, confirmed = excluded.confirmed, pending = excluded.pending,"
                     " pending_count = excluded.pending_count, pending_start = excluded.pending_start,"
                     " has_prev = excluded.has_prev, prev_ts = excluded.prev_ts, dirty_from = excluded.dirty_from,"
                     " horizon = excluded.horizon");
      for (const auto& e : c.probes) {
        const std::int64_t id = id_of(probe_ids_, find_probe_, add_probe_, e.probe);
        set_probe.bind(1, id).bind(2, std::int64_t{e.stale_after_ms}).bind(3, std::int64_t{e.confirm});
        bind_state(set_probe, 4, e.state);
        if (e.dirty_from) set_probe.bind(10, std::int64_t{*e.dirty_from}); else set_probe.bind_null(10);
        if (e.horizon) set_probe.bind(11, std::int64_t{*e.horizon}); else set_probe.bind_null(11);
        set_probe.run();
      }
      Stmt del_changes(db_, "DELETE FROM engine_changes WHERE probe_id = ?1 AND t >= ?2");
      Stmt add_change(db_, "INSERT INTO engine_changes (probe_id, t, status) VALUES (?1, ?2, ?3)");
      Stmt del_ckpts(db_, "DELETE FROM engine_checkpoints WHERE probe_id = ?1 AND ts >= ?2");
      Stmt add_ckpt(db_,
                    "INSERT INTO engine_checkpoints (probe_id, ts, confirmed, pending, pending_count, pending_start,"
                    " has_prev, prev_ts) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
      for (const auto& w : c.rewrites) {
        const std::int64_t id = id_of(probe_ids_, find_probe_, add_probe_, w.probe);
        del_changes.bind(1, id).bind(2, std::int64_t{w.from}).run();
        for (const auto& p : w.points) add_change.bind(1, id).bind(2, std::int64_t{p.t}).bind(3, static_cast<std::int64_t>(p.status)).run();
        del_ckpts.bind(1, id).bind(2, std::int64_t{w.checkpoints_from}).run();
        for (const auto& k : w.checkpoints) {
          add_ckpt.bind(1, id).bind(2, std::int64_t{k.ts});
          bind_state(add_ckpt, 3, k.state);
          add_ckpt.run();
        }
      }
      Stmt set_pos(db_, "UPDATE engine_position SET result_row = ?1, gap_row = ?2 WHERE id = 1");
      set_pos.bind(1, c.next.result_row).bind(2, c.next.gap_row).run();
      t.commit();
      made_.clear();
      return true;
    } catch (...) {
      for (auto& [cache, name] : made_) cache->erase(name);
      made_.clear();
      throw;
    }
  });
}

void SqliteStore::record_agents(std::span<const AgentRecord> records) {
  guarded([&] {
    Transaction t(db_);
    for (const auto& r : records) {
      set_agent_status_.bind(1, std::string_view(r.name)).bind(2, std::int64_t{r.connected ? 1 : 0});
      set_agent_status_.bind(3, std::string_view(r.peer)).bind(4, std::int64_t{r.last_seen_ms});
      if (r.clock_offset_ms) set_agent_status_.bind(5, std::int64_t{*r.clock_offset_ms}); else set_agent_status_.bind_null(5);
      set_agent_status_.bind(6, static_cast<std::int64_t>(std::min(r.backlog, kMaxSql)));
      set_agent_status_.bind(7, std::string_view(r.assignment_version));
      set_agent_status_.bind(8, static_cast<std::int64_t>(std::min(r.epoch, kMaxSql)));
      set_agent_status_.bind(9, static_cast<std::int64_t>(std::min(r.committed_seq, kMaxSql)));
      set_agent_status_.run();
    }
    t.commit();
  });
}

void SqliteStore::disconnect_all() {
  guarded([&] { db_.exec("UPDATE agent_status SET connected = 0 WHERE connected <> 0"); });
}

std::vector<AgentRecord> SqliteStore::agent_records() {
  return guarded([&]() -> std::vector<AgentRecord> {
    Stmt s(db_,
           "SELECT name, connected, peer, last_seen_ms, clock_offset_ms, backlog, assignment_version, epoch,"
           " committed_seq FROM agent_status ORDER BY name");
    std::vector<AgentRecord> out;
    while (s.step()) {
      AgentRecord r;
      r.name.assign(s.text(0));
      r.connected = s.int64(1) != 0;
      r.peer.assign(s.text(2));
      r.last_seen_ms = s.int64(3);
      if (!s.is_null(4)) r.clock_offset_ms = s.int64(4);
      r.backlog = static_cast<std::uint64_t>(s.int64(5));
      r.assignment_version.assign(s.text(6));
      r.epoch = static_cast<std::uint64_t>(s.int64(7));
      r.committed_seq = static_cast<std::uint64_t>(s.int64(8));
      out.push_back(std::move(r));
    }
    return out;
  });
}

namespace {

constexpr std::string_view kWindowColumns =
    "id, targets, from_ms, to_ms, planned_to_ms, who, why, created_ms, ended_ms, ended_by, end_reason";

MaintenanceWindow read_window(const slamon::sqlite::Stmt& s) {
  MaintenanceWindow w;
  w.id = window_id(s.int64(0));
  w.targets = split_targets(s.text(1));
  w.from_ms = s.int64(2);
  w.to_ms = s.int64(3);
  w.planned_to_ms = s.int64(4);
  w.who.assign(s.text(5));
  w.why.assign(s.text(6));
  w.created_ms = s.int64(7);
  if (!s.is_null(8)) w.ended_ms = s.int64(8);
  w.ended_by.assign(s.text(9));
  w.end_reason.assign(s.text(10));
  return w;
}

}  // namespace

std::vector<MaintenanceWindow> SqliteStore::maintenance_windows() {
  return guarded([&]() -> std::vector<MaintenanceWindow> {
    Stmt s(db_, "SELECT " + std::string(kWindowColumns) + " FROM maintenance_windows ORDER BY id");
    std::vector<MaintenanceWindow> out;
    while (s.step()) out.push_back(read_window(s));
    return out;
  });
}

std::vector<MaintenanceEvent> SqliteStore::maintenance_history(std::string_view id) {
  return guarded([&]() -> std::vector<MaintenanceEvent> {
    std::vector<MaintenanceEvent> out;
    std::optional<std::int64_t> row;
    if (!id.empty()) {
      row = window_row(id);
      if (!row) return out;
    }
    Stmt s(db_, std::string("SELECT seq, window_id, action, at_ms, who, why, from_ms, to_ms FROM maintenance_events") +
                    (row ? " WHERE window_id = ?1" : "") + " ORDER BY seq");
    if (row) s.bind(1, *row);
    while (s.step()) {
      MaintenanceEvent e;
      e.seq = s.int64(0);
      e.window = window_id(s.int64(1));
      e.action = parse_action(s.text(2));
      e.at_ms = s.int64(3);
      e.who.assign(s.text(4));
      e.why.assign(s.text(5));
      e.from_ms = s.int64(6);
      e.to_ms = s.int64(7);
      out.push_back(std::move(e));
    }
    return out;
  });
}

MaintenanceWindow SqliteStore::create_maintenance(const MaintenanceWindow& w) {
  return guarded([&]() -> MaintenanceWindow {
    const auto targets = join_targets(w.targets);
    if (!targets) throw StoreFailure("store " + db_.path() + ": a target id holds a line break");
    Transaction t(db_);
    Stmt add(db_,
             "INSERT INTO maintenance_windows (targets, from_ms, to_ms, planned_to_ms, who, why, created_ms)"
             " VALUES (?1, ?2, ?3, ?3, ?4, ?5, ?6)");
    add.bind(1, std::string_view(*targets)).bind(2, std::int64_t{w.from_ms}).bind(3, std::int64_t{w.to_ms});
    add.bind(4, std::string_view(w.who)).bind(5, std::string_view(w.why)).bind(6, std::int64_t{w.created_ms}).run();
    const std::int64_t row = sqlite3_last_insert_rowid(db_.handle());
    Stmt event(db_,
               "INSERT INTO maintenance_events (window_id, action, at_ms, who, why, from_ms, to_ms)"
               " VALUES (?1, 'created', ?2, ?3, ?4, ?5, ?6)");
    event.bind(1, row).bind(2, std::int64_t{w.created_ms}).bind(3, std::string_view(w.who));
    event.bind(4, std::string_view(w.why)).bind(5, std::int64_t{w.from_ms}).bind(6, std::int64_t{w.to_ms}).run();
    t.commit();
    return as_created(w, row);
  });
}

std::optional<MaintenanceWindow> SqliteStore::end_maintenance(std::string_view id, TimeMs at_ms, std::string_view who,
                                                              std::string_view why) {
  return guarded([&]() -> std::optional<MaintenanceWindow> {
    const auto row = window_row(id);
    if (!row) return std::nullopt;
    Transaction t(db_);
    Stmt get(db_, "SELECT " + std::string(kWindowColumns) + " FROM maintenance_windows WHERE id = ?1");
    get.bind(1, *row);
    if (!get.step()) return std::nullopt;
    MaintenanceWindow w = read_window(get);
    get.reset();
    const auto action = end_window(w, at_ms, who, why);
    Stmt set(db_, "UPDATE maintenance_windows SET to_ms = ?2, ended_ms = ?3, ended_by = ?4, end_reason = ?5 WHERE id = ?1");
    set.bind(1, *row).bind(2, std::int64_t{w.to_ms}).bind(3, std::int64_t{at_ms}).bind(4, who).bind(5, why).run();
    Stmt event(db_,
               "INSERT INTO maintenance_events (window_id, action, at_ms, who, why, from_ms, to_ms)"
               " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    event.bind(1, *row).bind(2, to_string(action));
    event.bind(3, std::int64_t{at_ms}).bind(4, who).bind(5, why).bind(6, std::int64_t{w.from_ms});
    event.bind(7, std::int64_t{w.to_ms}).run();
    t.commit();
    return w;
  });
}

// ---- notifications ----

namespace {

constexpr std::string_view kDeliveryColumns =
    "id, dedup_key, target, kind, subject, sla, at_ms, payload, state, attempts, created_ms, next_attempt_ms,"
    " last_error, delivered_ms";

Delivery read_delivery(const slamon::sqlite::Stmt& s) {
  Delivery d;
  d.id = s.int64(0);
  d.dedup_key.assign(s.text(1));
  d.target.assign(s.text(2));
  d.kind.assign(s.text(3));
  d.subject.assign(s.text(4));
  d.sla.assign(s.text(5));
  d.at = s.int64(6);
  d.payload.assign(s.text(7));
  d.state = parse_delivery_state(s.text(8)).value_or(DeliveryState::failed);
  d.attempts = static_cast<int>(s.int64(9));
  d.created_ms = s.int64(10);
  d.next_attempt_ms = s.int64(11);
  d.last_error.assign(s.text(12));
  if (!s.is_null(13)) d.delivered_ms = s.int64(13);
  return d;
}

}  // namespace

OpenSubjectKeys SqliteStore::open_subjects() {
  return guarded([&]() -> OpenSubjectKeys {
    Stmt s(db_, "SELECT key FROM notification_open");
    OpenSubjectKeys out;
    while (s.step()) out.emplace(s.text(0));
    return out;
  });
}

std::size_t SqliteStore::write_notifications(const NotificationWrite& w) {
  return guarded([&]() -> std::size_t {
    Transaction t(db_);
    Stmt open(db_, "INSERT INTO notification_open (key) VALUES (?1) ON CONFLICT DO NOTHING");
    for (const auto& k : w.opened) open.bind(1, std::string_view(k)).run();
    Stmt close(db_, "DELETE FROM notification_open WHERE key = ?1");
    for (const auto& k : w.closed) close.bind(1, std::string_view(k)).run();
    std::size_t claimed = 0;
    Stmt claim(db_,
               "INSERT INTO notification_log (dedup_key, target, kind, subject, sla, at_ms, payload, state, attempts,"
               " created_ms, next_attempt_ms, last_error) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 0, ?9, ?10, '')"
               " ON CONFLICT (dedup_key, target) DO NOTHING");
    for (const auto& d : w.claims) {
      claim.bind(1, std::string_view(d.dedup_key)).bind(2, std::string_view(d.target)).bind(3, std::string_view(d.kind));
      claim.bind(4, std::string_view(d.subject)).bind(5, std::string_view(d.sla)).bind(6, std::int64_t{d.at});
      claim.bind(7, std::string_view(d.payload)).bind(8, to_string(d.state)).bind(9, std::int64_t{d.created_ms});
      claim.bind(10, std::int64_t{d.next_attempt_ms}).run();
      claimed += static_cast<std::size_t>(sqlite3_changes(db_.handle()));
    }
    Stmt attempt(db_,
                 "UPDATE notification_log SET state = ?2, attempts = attempts + 1, next_attempt_ms = ?3, last_error = ?4,"
                 " delivered_ms = ?5 WHERE id = ?1");
    for (const auto& a : w.attempts) {
      attempt.bind(1, a.id).bind(2, to_string(a.state)).bind(3, std::int64_t{a.next_attempt_ms});
      attempt.bind(4, std::string_view(a.error));
      if (a.state == DeliveryState::delivered) attempt.bind(5, std::int64_t{a.at_ms});
      else attempt.bind_null(5);
      attempt.run();
    }
    t.commit();
    return claimed;
  });
}

std::vector<Delivery> SqliteStore::due_deliveries(TimeMs now, std::size_t limit) {
  return guarded([&]() -> std::vector<Delivery> {
    // Taken with a lease (notification_store.h), as the PostgreSQL store does.
    Stmt s(db_, "UPDATE notification_log SET next_attempt_ms = ?3 WHERE id IN (SELECT id FROM notification_log"
                " WHERE state = 'pending' AND next_attempt_ms <= ?1 ORDER BY id LIMIT ?2) RETURNING " +
                    std::string(kDeliveryColumns));
    s.bind(1, std::int64_t{now}).bind(2, static_cast<std::int64_t>(limit)).bind(3, std::int64_t{now + kDeliveryLeaseMs});
    std::vector<Delivery> out;
    while (s.step()) out.push_back(read_delivery(s));
    std::sort(out.begin(), out.end(), [](const Delivery& a, const Delivery& b) { return a.id < b.id; });
    return out;
  });
}

std::optional<TimeMs> SqliteStore::next_due() {
  return guarded([&]() -> std::optional<TimeMs> {
    Stmt s(db_, "SELECT MIN(next_attempt_ms) FROM notification_log WHERE state = 'pending'");
    if (s.step() && !s.is_null(0)) return s.int64(0);
    return std::nullopt;
  });
}

std::vector<Delivery> SqliteStore::deliveries(const DeliveryQuery& q) {
  return guarded([&]() -> std::vector<Delivery> {
    Stmt s(db_, "SELECT " + std::string(kDeliveryColumns) +
                    " FROM notification_log WHERE (?1 IS NULL OR state = ?1) AND (?2 IS NULL OR id < ?2)"
                    " ORDER BY id DESC LIMIT ?3");
    if (q.state) s.bind(1, to_string(*q.state)); else s.bind_null(1);
    if (q.before_id) s.bind(2, *q.before_id); else s.bind_null(2);
    s.bind(3, static_cast<std::int64_t>(q.limit));
    std::vector<Delivery> out;
    while (s.step()) out.push_back(read_delivery(s));
    return out;
  });
}

std::vector<std::pair<DeliveryState, std::int64_t>> SqliteStore::delivery_counts() {
  return guarded([&]() -> std::vector<std::pair<DeliveryState, std::int64_t>> {
    Stmt s(db_, "SELECT state, COUNT(*) FROM notification_log GROUP BY state ORDER BY state");
    std::vector<std::pair<DeliveryState, std::int64_t>> out;
    while (s.step())
      if (const auto st = parse_delivery_state(s.text(0))) out.emplace_back(*st, s.int64(1));
    return out;
  });
}

// ---- slamon migrate ----

void SqliteStore::dump(StoreDumpSink& sink, std::size_t batch_rows,
                       const std::function<void(const char* kind, std::size_t n)>& on_rows) {
  guarded([&] {
    // One deferred read transaction: a consistent snapshot, without taking the writer's lock.
    db_.exec("BEGIN");
    struct End {
      Db& db;
      ~End() { sqlite3_exec(db.handle(), "COMMIT", nullptr, nullptr, nullptr); }
    } end{db_};
    {
      std::vector<DumpedMark> marks;
      Stmt m(db_, "SELECT a.id, a.name, m.epoch, m.committed_seq FROM marks m JOIN agents a ON a.id = m.agent_id ORDER BY a.name, m.epoch");
      while (m.step())
        marks.push_back(DumpedMark{std::string(m.text(1)), static_cast<std::uint64_t>(m.int64(2)),
                                   static_cast<std::uint64_t>(m.int64(3)), ranges_by_id(m.int64(0), m.int64(2))});
      sink.load_marks(marks);
      on_rows("marks", marks.size());
    }
    {
      Stmt r(db_,
             "SELECT p.name, r.ts_ms, r.status, r.latency_ms, r.message, a.name, r.metrics, r.rowid, r.epoch, r.seq"
             " FROM results r JOIN agents a ON a.id = r.agent_id JOIN probes p ON p.id = r.probe_id ORDER BY r.rowid");
      std::vector<DumpedResult> rows;
      auto flush = [&] {
        if (rows.empty()) return;
        sink.load_results(rows);
        on_rows("results", rows.size());
        rows.clear();
      };
      while (r.step()) {
        rows.push_back(DumpedResult{r.int64(7), static_cast<std::uint64_t>(r.int64(8)), static_cast<std::uint64_t>(r.int64(9)),
                                    read_result(r, 0)});
        if (rows.size() >= batch_rows) flush();
      }
      flush();
    }
    {
      Stmt g(db_,
             "SELECT g.rowid, g.epoch, g.seq, a.name, p.name, g.from_ms, g.to_ms, g.dropped FROM gaps g"
             " JOIN agents a ON a.id = g.agent_id JOIN probes p ON p.id = g.probe_id ORDER BY g.rowid");
      std::vector<DumpedGap> rows;
      while (g.step())
        rows.push_back(DumpedGap{g.int64(0), static_cast<std::uint64_t>(g.int64(1)), static_cast<std::uint64_t>(g.int64(2)),
                                 StoredGap{std::string(g.text(3)), std::string(g.text(4)), g.int64(5), g.int64(6),
                                           static_cast<std::uint64_t>(g.int64(7))}});
      sink.load_gaps(rows);
      on_rows("gap records", rows.size());
    }
    const auto agents = agent_records();
    sink.load_agents(agents);
    on_rows("agent records", agents.size());
    DumpedEngine e;
    e.position = read_position();
    e.probes = engine_probes();
    {
      Stmt c(db_, "SELECT p.name, c.t, c.status FROM engine_changes c JOIN probes p ON p.id = c.probe_id ORDER BY p.name, c.t");
      while (c.step()) e.changes.emplace_back(std::string(c.text(0)), ChangePoint{c.int64(1), status_of(c.int64(2), db_.path())});
      Stmt k(db_,
             "SELECT p.name, c.ts, c.confirmed, c.pending, c.pending_count, c.pending_start, c.has_prev, c.prev_ts"
             " FROM engine_checkpoints c JOIN probes p ON p.id = c.probe_id ORDER BY p.name, c.ts");
      while (k.step()) e.checkpoints.emplace_back(std::string(k.text(0)), EngineCheckpoint{k.int64(1), read_state(k, 2, db_.path())});
    }
    e.pruned_before = pruned_before();
    sink.load_engine(e);
    on_rows("engine probes", e.probes.size());
  });
}

}  // namespace slamon::store::sqlite
