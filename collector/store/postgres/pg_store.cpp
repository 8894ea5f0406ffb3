// PgStore: schema, migrations, exactly-once append, partitions, queries (see pg_store.h).
#include "collector/store/postgres/pg_store.h"

#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <limits>
#include <map>

#include "collector/store/postgres/pg_conn.h"
#include "collector/store/postgres/pg_leadership.h"
#include "common/json_writer.h"

namespace slamon::store::postgres {
namespace {

// Schema version 1: the concepts of the SQLite store's version 4 (sqlite_store.cpp), with
// - results.arrival: the arrival number (SQLite's rowid), taken from arrival_counters;
// - results partitioned by range of ts_ms (results_p<first ts>, a week each, made as needed): no
//   primary key on (agent, epoch, seq) (a partitioned table's unique keys must hold ts_ms; the marks
//   already make those unique), the run key (probe, ts, agent) unique;
// - gaps.arrival from the same counter row; names compared with COLLATE "C" (byte order, as SQLite);
// - message and metrics as bytea (a probe's message is bytes, not necessarily UTF-8).
constexpr std::string_view kSchemaV1 = R"sql(
CREATE TABLE store_meta (key text PRIMARY KEY, value bigint NOT NULL);
CREATE TABLE arrival_counters (
  id integer PRIMARY KEY CHECK (id = 1),
  result_row bigint NOT NULL,
  gap_row bigint NOT NULL
);
INSERT INTO arrival_counters (id, result_row, gap_row) VALUES (1, 0, 0);
CREATE TABLE agents (id bigserial PRIMARY KEY, name text NOT NULL UNIQUE);
CREATE TABLE probes (id bigserial PRIMARY KEY, name text NOT NULL UNIQUE);
CREATE TABLE marks (
  agent_id bigint NOT NULL REFERENCES agents(id),
  epoch bigint NOT NULL,
  committed_seq bigint NOT NULL,
  PRIMARY KEY (agent_id, epoch)
);
CREATE TABLE stored_ranges (
  agent_id bigint NOT NULL REFERENCES agents(id),
  epoch bigint NOT NULL,
  first_seq bigint NOT NULL,
  last_seq bigint NOT NULL,
  PRIMARY KEY (agent_id, epoch, first_seq)
);
CREATE TABLE results (
  arrival bigint NOT NULL,
  agent_id bigint NOT NULL,
  epoch bigint NOT NULL,
  seq bigint NOT NULL,
  probe_id bigint NOT NULL,
  ts_ms bigint NOT NULL,
  status smallint NOT NULL,
  latency_ms double precision,
  message bytea NOT NULL,
  metrics bytea
) PARTITION BY RANGE (ts_ms);
CREATE UNIQUE INDEX results_run ON results (probe_id, ts_ms, agent_id);
CREATE INDEX results_arrival ON results (arrival);
CREATE INDEX results_ts ON results (ts_ms);
CREATE TABLE gaps (
  arrival bigint NOT NULL UNIQUE,
  agent_id bigint NOT NULL,
  epoch bigint NOT NULL,
  seq bigint NOT NULL,
  probe_id bigint NOT NULL,
  from_ms bigint NOT NULL,
  to_ms bigint NOT NULL,
  dropped bigint NOT NULL,
  PRIMARY KEY (agent_id, epoch, seq, probe_id)
);
CREATE INDEX gaps_probe_from ON gaps (probe_id, from_ms);
CREATE TABLE agent_status (
  name text PRIMARY KEY,
  connected boolean NOT NULL,
  peer text NOT NULL,
  last_seen_ms bigint NOT NULL,
  clock_offset_ms bigint,
  backlog bigint NOT NULL,
  assignment_version text NOT NULL,
  epoch bigint NOT NULL,
  committed_seq bigint NOT NULL
);
CREATE TABLE engine_position (
  id integer PRIMARY KEY CHECK (id = 1),
  result_row bigint NOT NULL,
  gap_row bigint NOT NULL
);
INSERT INTO engine_position (id, result_row, gap_row) VALUES (1, 0, 0);
CREATE TABLE engine_probes (
  probe_id bigint PRIMARY KEY REFERENCES probes(id),
  stale_after_ms bigint NOT NULL,
  confirm integer NOT NULL,
  confirmed smallint NOT NULL,
  pending smallint NOT NULL,
  pending_count integer NOT NULL,
  pending_start bigint NOT NULL,
  has_prev boolean NOT NULL,
  prev_ts bigint NOT NULL,
  horizon bigint,
  dirty_from bigint
);
CREATE TABLE engine_changes (
  probe_id bigint NOT NULL,
  t bigint NOT NULL,
  status smallint NOT NULL,
  PRIMARY KEY (probe_id, t)
);
CREATE TABLE engine_checkpoints (
  probe_id bigint NOT NULL,
  ts bigint NOT NULL,
  confirmed smallint NOT NULL,
  pending smallint NOT NULL,
  pending_count integer NOT NULL,
  pending_start bigint NOT NULL,
  has_prev boolean NOT NULL,
  prev_ts bigint NOT NULL,
  PRIMARY KEY (probe_id, ts)
);
INSERT INTO store_meta (key, value) VALUES ('schema_version', 1);
)sql";

// Advisory lock keys (transaction scoped): schema creation, partition creation.
constexpr std::int64_t kSchemaLock = 0x736c616d6f6e01;
constexpr std::int64_t kPartitionLock = 0x736c616d6f6e02;

constexpr auto kMaxSql = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());

std::string encode_metrics(const std::vector<Metric>& metrics) {
  JsonWriter w;
  w.begin_array();
  for (const auto& m : metrics) w.begin_array().value(m.name).value(m.value).end_array();
  w.end_array();
  return w.take();
}

std::vector<Metric> decode_metrics(std::string_view text, const std::string& url) {
  std::vector<Metric> out;
  simdjson::padded_string padded(text);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  simdjson::dom::array arr;
  if (parser.parse(padded).get(doc) != simdjson::SUCCESS || doc.get_array().get(arr) != simdjson::SUCCESS)
    throw StoreFailure("store " + url + ": corrupt metrics");
  for (simdjson::dom::element pair : arr) {
    simdjson::dom::array kv;
    std::string_view name;
    double value = 0;
    if (pair.get_array().get(kv) != simdjson::SUCCESS || kv.size() != 2 || kv.at(0).get_string().get(name) != simdjson::SUCCESS ||
        kv.at(1).get_double().get(value) != simdjson::SUCCESS)
      throw StoreFailure("store " + url + ": corrupt metrics");
    out.push_back(Metric{std::string(name), value});
  }
  return out;
}

Status status_of(std::int64_t v, const std::string& url) {
  if (v < 0 || v > 3) throw StoreFailure("store " + url + ": corrupt status " + std::to_string(v));
  return static_cast<Status>(v);
}

bool boolean(const PgResult& r, int row, int col) { return r.text(row, col) == "t"; }

// The first ts of the partition holding `ts` (floor to a multiple of kPartitionMs).
TimeMs partition_start(TimeMs ts) {
  const TimeMs p = PgStore::kPartitionMs;
  TimeMs q = ts / p;
  if (ts % p != 0 && ts < 0) --q;
  return q * p;
}

// results_p<k> holds ts in [k, k + 1) weeks (results_pm<k>: -k, before 1970).
std::string partition_name(TimeMs start) {
  const TimeMs k = start / PgStore::kPartitionMs;
  return k < 0 ? "results_pm" + std::to_string(-k) : "results_p" + std::to_string(k);
}

std::optional<TimeMs> start_of_partition(std::string_view name) {
  bool neg = false;
  if (name.rfind("results_pm", 0) == 0) {
    neg = true;
    name.remove_prefix(10);
  } else if (name.rfind("results_p", 0) == 0) {
    name.remove_prefix(9);
  } else {
    return std::nullopt;
  }
  TimeMs k = 0;
  if (std::from_chars(name.data(), name.data() + name.size(), k).ec != std::errc{}) return std::nullopt;
  return (neg ? -k : k) * PgStore::kPartitionMs;
}

// Binds a BuilderState (6 parameters).
void add_state(PgParams& p, const BuilderState& b) {
  p.add(static_cast<std::int64_t>(b.confirmed)).add(static_cast<std::int64_t>(b.pending));
  p.add(std::int64_t{b.pending_count}).add(std::int64_t{b.pending_start});
  p.add(std::string_view(b.has_prev ? "true" : "false")).add(std::int64_t{b.prev_ts});
}

BuilderState read_state(const PgResult& r, int row, int first, const std::string& url) {
  BuilderState b;
  b.confirmed = status_of(r.int64(row, first), url);
  b.pending = status_of(r.int64(row, first + 1), url);
  b.pending_count = static_cast<int>(r.int64(row, first + 2));
  b.pending_start = r.int64(row, first + 3);
  b.has_prev = boolean(r, row, first + 4);
  b.prev_ts = r.int64(row, first + 5);
  return b;
}

// Columns p.name, ts_ms, status, latency_ms, message, a.name, metrics from `first`.
ProbeResult read_result(const PgResult& r, int row, int first, const std::string& url) {
  ProbeResult out;
  out.probe.assign(r.text(row, first));
  out.ts = r.int64(row, first + 1);
  out.status = status_of(r.int64(row, first + 2), url);
  out.latency_ms = r.is_null(row, first + 3) ? std::nullopt : std::optional<double>(r.real(row, first + 3));
  out.message = r.bytes(row, first + 4);
  out.agent.assign(r.text(row, first + 5));
  if (!r.is_null(row, first + 6)) out.metrics = decode_metrics(r.bytes(row, first + 6), url);
  return out;
}

constexpr std::string_view kResultColumns =
    "SELECT p.name, r.ts_ms, r.status, r.latency_ms, r.message, a.name, r.metrics"
    " FROM results r JOIN agents a ON a.id = r.agent_id JOIN probes p ON p.id = r.probe_id";

// A ResultQuery's bounds: $1 from, $2 to, $3 agent, $4 probe (NULL: no bound).
// Inserting results: the columns, and what a run stored again does: identical, nothing changes (no
// row: a resend); differing, the later wins as a new arrival (semantics.md 1).
constexpr std::string_view kInsertResultHead =
    "INSERT INTO results (agent_id, epoch, seq, probe_id, ts_ms, status, latency_ms, message, metrics, arrival) VALUES ";
constexpr std::string_view kInsertResultRow =
    "($1::bigint, $2::bigint, $3::bigint, $4::bigint, $5::bigint, $6::smallint, $7::double precision, $8::bytea, $9::bytea,"
    " $10::bigint)";
constexpr std::string_view kInsertResultTail =
    " ON CONFLICT (probe_id, ts_ms, agent_id) DO UPDATE SET arrival = excluded.arrival, status = excluded.status,"
    " latency_ms = excluded.latency_ms, message = excluded.message, metrics = excluded.metrics"
    " WHERE results.status IS DISTINCT FROM excluded.status OR results.latency_ms IS DISTINCT FROM excluded.latency_ms"
    " OR results.message IS DISTINCT FROM excluded.message OR results.metrics IS DISTINCT FROM excluded.metrics";
constexpr int kResultParams = 10;

}  // namespace

// One INSERT of `rows` results (rows x 10 parameters, in kInsertResultRow's order): a batch's rows go
// in statements of kInsertChunk rows, one round trip each, instead of one a row.
std::string insert_results_sql(std::size_t rows) {
  std::string sql(kInsertResultHead);
  for (std::size_t i = 0; i < rows; ++i) {
    const std::size_t base = i * kResultParams;
    sql += i == 0 ? "(" : ", (";
    static constexpr std::string_view kTypes[kResultParams] = {"bigint", "bigint", "bigint",           "bigint", "bigint",
                                                               "smallint", "double precision", "bytea", "bytea", "bigint"};
    for (std::size_t c = 0; c < kResultParams; ++c) {
      if (c != 0) sql += ", ";
      sql += "$" + std::to_string(base + c + 1) + "::";
      sql += kTypes[c];
    }
    sql += ")";
  }
  sql += kInsertResultTail;
  return sql;
}

namespace {

void add_query(PgParams& p, const ResultQuery& q) {
  p.add(q.from_ms).add(q.to_ms);
  if (q.agent) p.add(std::string_view(*q.agent)); else p.add_null();
  if (q.probe) p.add(std::string_view(*q.probe)); else p.add_null();
}

}  // namespace

template <class F>
auto PgStore::guarded(F&& f) -> decltype(f()) {
  if (conn_->ensure_connected()) prepare_all();
  return f();
}

PgStore::PgStore(const std::string& url, PgOptions options)
    : conn_(std::make_unique<PgConn>(url)), synchronous_commit_(options.synchronous_commit) {
  // on unless the URL sets it (?options=-c%20synchronous_commit%3Doff: the operator's choice).
  if (!options.synchronous_commit)
    conn_->exec("SET synchronous_commit = off");
  else if (url.find("synchronous_commit") == std::string::npos)
    conn_->exec("SET synchronous_commit = on");
  migrate(options.create);
  prepare_all();
}

// Schema version 2 (from 1): maintenance windows created through the API and their history, as in
// the SQLite store (sqlite_store.cpp, its version 5): a window's id is "mw-" + its row id, targets one
// per line.
constexpr std::string_view kSchemaMaintenance = R"sql(
CREATE TABLE maintenance_windows (
  id bigserial PRIMARY KEY,
  targets text NOT NULL,
  from_ms bigint NOT NULL,
  to_ms bigint NOT NULL,
  planned_to_ms bigint NOT NULL,
  who text NOT NULL,
  why text NOT NULL,
  created_ms bigint NOT NULL,
  ended_ms bigint,
  ended_by text NOT NULL DEFAULT '',
  end_reason text NOT NULL DEFAULT ''
);
CREATE TABLE maintenance_events (
  seq bigserial PRIMARY KEY,
  window_id bigint NOT NULL REFERENCES maintenance_windows(id),
  action text NOT NULL,
  at_ms bigint NOT NULL,
  who text NOT NULL,
  why text NOT NULL,
  from_ms bigint NOT NULL,
  to_ms bigint NOT NULL
);
CREATE INDEX maintenance_events_window ON maintenance_events (window_id, seq);
)sql";

// Schema version 3 (from 2): the notifications' open subjects and delivery log, as in the SQLite
// store (sqlite_store.cpp, its version 6).
constexpr std::string_view kSchemaNotifications = R"sql(
CREATE TABLE notification_open (key text PRIMARY KEY);
CREATE TABLE notification_log (
  id bigserial PRIMARY KEY,
  dedup_key text NOT NULL,
  target text NOT NULL,
  kind text NOT NULL,
  subject text NOT NULL,
  sla text NOT NULL,
  at_ms bigint NOT NULL,
  payload text NOT NULL,
  state text NOT NULL,
  attempts integer NOT NULL,
  created_ms bigint NOT NULL,
  next_attempt_ms bigint NOT NULL,
  last_error text NOT NULL,
  delivered_ms bigint,
  UNIQUE (dedup_key, target)
);
CREATE INDEX notification_log_due ON notification_log (state, next_attempt_ms);
)sql";

PgStore::~PgStore() = default;

void PgStore::migrate(bool create) {
  const std::string& url = conn_->shown_url();
  auto version = [&]() -> std::optional<std::int64_t> {
    const PgResult t = conn_->query("SELECT to_regclass('store_meta') IS NOT NULL");
    if (!boolean(t, 0, 0)) return std::nullopt;
    const PgResult v = conn_->query("SELECT value FROM store_meta WHERE key = 'schema_version'");
    if (v.rows() == 0) throw StoreFailure("store " + url + ": not a slamon store (it has tables but no schema version)");
    return v.int64(0, 0);
  };
  auto v = version();
  if (!v) {
    const PgResult n = conn_->query(
        "SELECT count(*) FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace"
        " WHERE s.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v')");
    if (n.int64(0, 0) != 0) throw StoreFailure("store " + url + ": not a slamon store (it has tables but no schema version)");
    if (!create) throw StoreFailure("store " + url + ": not a slamon store (an empty database)");
    PgTransaction t(*conn_);
    conn_->query("SELECT pg_advisory_xact_lock($1)", PgParams().add(kSchemaLock));
    // Another collector may have made it meanwhile.
    if (!boolean(conn_->query("SELECT to_regclass('store_meta') IS NOT NULL"), 0, 0)) conn_->exec(kSchemaV1);
    t.commit();
    v = version();
  }
  if (*v > kSchemaVersion)
    throw StoreFailure("store " + url + ": schema version " + std::to_string(*v) +
                       " was written by a newer slamon (this one reads up to " + std::to_string(kSchemaVersion) + ")");
  // Later versions migrate here, one step at a time, each in its own transaction.
  if (*v < 2) migrate_step(1, &PgStore::migrate_to_v2);
  if (*v < 3) migrate_step(2, &PgStore::migrate_to_v3);
  if (*v < 4) migrate_step(3, &PgStore::migrate_to_v4);
}

void PgStore::migrate_step(std::int64_t from, void (PgStore::*apply)()) {
  PgTransaction t(*conn_);
  conn_->query("SELECT pg_advisory_xact_lock($1)", PgParams().add(kSchemaLock));
  const PgResult v = conn_->query("SELECT value FROM store_meta WHERE key = 'schema_version'");
  if (v.int64(0, 0) == from) {  // another collector may have migrated it meanwhile
    (this->*apply)();
    conn_->query("UPDATE store_meta SET value = $1::bigint WHERE key = 'schema_version'", PgParams().add(from + 1));
  }
  t.commit();
}

void PgStore::migrate_to_v2() { conn_->exec(kSchemaMaintenance); }

// Version 3: notifications (store/notification_store.h).
void PgStore::migrate_to_v3() { conn_->exec(kSchemaNotifications); }

// Version 4: the engine leadership's epoch (pg_leadership.h).
void PgStore::migrate_to_v4() { create_leadership_table(*conn_); }

void PgStore::prepare_all() {
  PgConn& c = *conn_;
  c.prepare("find_agent", "SELECT id FROM agents WHERE name = $1::text");
  c.prepare("find_probe", "SELECT id FROM probes WHERE name = $1::text");
  c.prepare("add_agent",
            "INSERT INTO agents (name) VALUES ($1::text) ON CONFLICT (name) DO UPDATE SET name = excluded.name RETURNING id");
  c.prepare("add_probe",
            "INSERT INTO probes (name) VALUES ($1::text) ON CONFLICT (name) DO UPDATE SET name = excluded.name RETURNING id");
  c.prepare("get_mark", "SELECT committed_seq FROM marks WHERE agent_id = $1::bigint AND epoch = $2::bigint");
  c.prepare("set_mark",
            "INSERT INTO marks (agent_id, epoch, committed_seq) VALUES ($1::bigint, $2::bigint, $3::bigint)"
            " ON CONFLICT (agent_id, epoch) DO UPDATE SET committed_seq = excluded.committed_seq");
  c.prepare("last_epoch", "SELECT MAX(epoch) FROM marks WHERE agent_id = $1::bigint");
  c.prepare("get_ranges",
            "SELECT first_seq, last_seq FROM stored_ranges WHERE agent_id = $1::bigint AND epoch = $2::bigint ORDER BY first_seq");
  c.prepare("clear_ranges", "DELETE FROM stored_ranges WHERE agent_id = $1::bigint AND epoch = $2::bigint");
  c.prepare("add_range",
            "INSERT INTO stored_ranges (agent_id, epoch, first_seq, last_seq) VALUES ($1::bigint, $2::bigint, $3::bigint, $4::bigint)");
  c.prepare("insert_result", std::string(kInsertResultHead) + std::string(kInsertResultRow) + std::string(kInsertResultTail));
  c.prepare("insert_results_chunk", insert_results_sql(kInsertChunk));
  // A wider gap at the same number (the spool folded more into it): the later wins, as a new arrival.
  c.prepare("insert_gap",
            "INSERT INTO gaps (agent_id, epoch, seq, probe_id, from_ms, to_ms, dropped, arrival)"
            " VALUES ($1::bigint, $2::bigint, $3::bigint, $4::bigint, $5::bigint, $6::bigint, $7::bigint, $8::bigint)"
            " ON CONFLICT (agent_id, epoch, seq, probe_id) DO UPDATE SET arrival = excluded.arrival,"
            " from_ms = excluded.from_ms, to_ms = excluded.to_ms, dropped = excluded.dropped");
  c.prepare("set_agent_status",
            "INSERT INTO agent_status (name, connected, peer, last_seen_ms, clock_offset_ms, backlog,"
            " assignment_version, epoch, committed_seq) VALUES ($1::text, $2::boolean, $3::text, $4::bigint, $5::bigint,"
            " $6::bigint, $7::text, $8::bigint, $9::bigint)"
            " ON CONFLICT (name) DO UPDATE SET connected = excluded.connected, peer = excluded.peer,"
            " last_seen_ms = excluded.last_seen_ms, clock_offset_ms = excluded.clock_offset_ms,"
            " backlog = excluded.backlog, assignment_version = excluded.assignment_version,"
            " epoch = excluded.epoch, committed_seq = excluded.committed_seq");
  c.prepare("find_result", std::string(kResultColumns) + " WHERE p.name = $1::text AND r.ts_ms = $2::bigint AND a.name = $3::text");
  c.prepare("change_before",
            "SELECT c.t, c.status FROM engine_changes c JOIN probes p ON p.id = c.probe_id"
            " WHERE p.name = $1::text AND c.t < $2::bigint ORDER BY c.t DESC LIMIT 1");
  c.prepare("change_range",
            "SELECT c.t, c.status FROM engine_changes c JOIN probes p ON p.id = c.probe_id"
            " WHERE p.name = $1::text AND c.t >= $2::bigint AND c.t < $3::bigint ORDER BY c.t");
}

std::optional<std::int64_t> PgStore::find_id(std::unordered_map<std::string, std::int64_t>& cache, const char* table,
                                             std::string_view name) {
  if (const auto it = cache.find(std::string(name)); it != cache.end()) return it->second;
  const PgResult r = conn_->run(table == std::string_view("agents") ? "find_agent" : "find_probe", PgParams().add(name));
  if (r.rows() == 0) return std::nullopt;
  const std::int64_t id = r.int64(0, 0);
  cache.emplace(std::string(name), id);
  return id;
}

std::int64_t PgStore::id_of(std::unordered_map<std::string, std::int64_t>& cache, const char* table, std::string_view name) {
  if (const auto id = find_id(cache, table, name)) return *id;
  const PgResult r = conn_->run(table == std::string_view("agents") ? "add_agent" : "add_probe", PgParams().add(name));
  const std::int64_t id = r.int64(0, 0);
  cache.emplace(std::string(name), id);
  return id;
}

std::vector<std::pair<TimeMs, TimeMs>> PgStore::partitions() {
  return guarded([&] {
    const PgResult r = conn_->query(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
        " WHERE i.inhparent = 'results'::regclass");
    std::vector<std::pair<TimeMs, TimeMs>> out;
    for (int i = 0; i < r.rows(); ++i)
      if (const auto s = start_of_partition(r.text(i, 0))) {
        constexpr TimeMs kMax = std::numeric_limits<TimeMs>::max();
        out.emplace_back(*s, *s > kMax - kPartitionMs ? kMax : *s + kPartitionMs);
      }
    std::sort(out.begin(), out.end());
    return out;
  });
}

void PgStore::ensure_partitions(const std::set<TimeMs>& starts) {
  if (partitions_.empty())
    for (const auto& [first, end] : partitions()) partitions_.insert(first);
  for (const TimeMs s : starts) {
    if (partitions_.count(s) != 0) continue;
    // Its own transaction, serialised with other collectors' partition changes.
    PgTransaction t(*conn_);
    conn_->query("SELECT pg_advisory_xact_lock($1)", PgParams().add(kPartitionLock));
    const bool last = s > std::numeric_limits<TimeMs>::max() - kPartitionMs;
    conn_->exec("CREATE TABLE IF NOT EXISTS " + partition_name(s) + " PARTITION OF results FOR VALUES FROM (" + std::to_string(s) +
                ") TO (" + (last ? std::string("MAXVALUE") : std::to_string(s + kPartitionMs)) + ")");
    t.commit();
    partitions_.insert(s);
  }
}

AppendOutcome PgStore::append(std::string_view agent, const wire::Batch& batch) {
  const AgentBatch one{agent, &batch};
  return append_group(std::span<const AgentBatch>(&one, 1)).front();
}

std::vector<AppendOutcome> PgStore::append_group(std::span<const AgentBatch> group) {
  return guarded([&]() -> std::vector<AppendOutcome> {
    std::set<TimeMs> starts;
    for (const auto& [agent, batch] : group) {
      if (batch->epoch > kMaxSql || batch->last_seq() > kMaxSql)
        throw StoreFailure("store " + conn_->shown_url() + ": epoch or sequence number past 2^63 from agent " + std::string(agent));
    }
    try {
      // Ids and partitions first, each made in a committed statement of its own (an id or a
      // partition without rows is harmless): the ids cached are then never ones a rollback undid.
      for (const auto& [agent, batch] : group) {
        if (batch->entries.empty()) continue;
        id_of(agent_ids_, "agents", agent);
        for (const auto& e : batch->entries) {
          if (const auto* r = std::get_if<ProbeResult>(&e)) {
            starts.insert(partition_start(r->ts));
            id_of(probe_ids_, "probes", r->probe);
          } else {
            for (const auto& probe : std::get<wire::GapRecord>(e).probes) id_of(probe_ids_, "probes", probe);
          }
        }
      }
      ensure_partitions(starts);
      PgTransaction t(*conn_);
      // The arrival numbers' lock (pg_store.h): held until the commit.
      const PgResult counters = conn_->query("SELECT result_row, gap_row FROM arrival_counters WHERE id = 1 FOR UPDATE");
      std::int64_t next_result = counters.int64(0, 0) + 1;
      std::int64_t next_gap = counters.int64(0, 1) + 1;
      const std::int64_t first_result = next_result, first_gap = next_gap;
      std::vector<AppendOutcome> out;
      out.reserve(group.size());
      for (const auto& [agent, batch] : group) out.push_back(append_in_transaction(agent, *batch, next_result, next_gap));
      if (next_result != first_result || next_gap != first_gap)
        conn_->query("UPDATE arrival_counters SET result_row = $1::bigint, gap_row = $2::bigint WHERE id = 1",
                     PgParams().add(next_result - 1).add(next_gap - 1));
      t.commit();
      return out;
    } catch (const StoreFailure&) {
      partitions_.clear();  // another collector's retention may have dropped one: read them again
      throw;
    }
  });
}

AppendOutcome PgStore::append_in_transaction(std::string_view agent, const wire::Batch& batch, std::int64_t& next_result,
                                             std::int64_t& next_gap) {
  if (batch.entries.empty()) {
    AppendOutcome out;
    if (const auto id = find_id(agent_ids_, "agents", agent)) {
      out.committed_seq = mark_by_id(*id, static_cast<std::int64_t>(batch.epoch));
      out.stored_above = ranges_by_id(*id, static_cast<std::int64_t>(batch.epoch));
    }
    return out;
  }
  const std::int64_t agent_id = id_of(agent_ids_, "agents", agent);
  const auto epoch = static_cast<std::int64_t>(batch.epoch);
  const wire::SeqRanges ranges = ranges_by_id(agent_id, epoch);
  const IngestPlan plan = plan_ingest(mark_by_id(agent_id, epoch), ranges, batch);
  AppendOutcome out;
  out.committed_seq = plan.new_mark;
  out.stored_above = plan.new_ranges;
  if (plan.gap) {
    out.kind = AppendOutcome::Kind::gap;
    return out;
  }
  out.duplicates = plan.skip;
  // The results go in multi-row INSERTs (kInsertChunk rows a statement). Rows of one statement must
  // not share a run (ON CONFLICT cannot update a row twice): a run seen again in the batch closes the
  // statement first, so that the later still wins as before.
  PgParams rows;
  std::size_t in_rows = 0;
  std::set<std::pair<std::int64_t, TimeMs>> runs;  // (probe id, ts) of the rows pending
  const auto flush = [&] {
    if (in_rows == 0) return;
    const PgResult r = in_rows == kInsertChunk ? conn_->run("insert_results_chunk", rows)
                       : in_rows == 1         ? conn_->run("insert_result", rows)
                                              : conn_->query(insert_results_sql(in_rows), rows);
    out.resends += in_rows - std::min<std::size_t>(in_rows, r.affected());
    rows = PgParams();
    in_rows = 0;
    runs.clear();
  };
  std::uint64_t next_seq = batch.first_seq;
  for (std::size_t i = 0; i < batch.entries.size(); ++i) {
    const auto seq = static_cast<std::int64_t>(next_seq);
    next_seq += wire::seq_width(batch.entries[i]);
    if (!plan.store[i]) continue;
    if (const auto* r = std::get_if<ProbeResult>(&batch.entries[i])) {
      const std::int64_t probe_id = id_of(probe_ids_, "probes", r->probe);
      if (!runs.emplace(probe_id, r->ts).second) flush();
      runs.emplace(probe_id, r->ts);
      rows.add(agent_id).add(epoch).add(seq).add(probe_id).add(std::int64_t{r->ts});
      rows.add(static_cast<std::int64_t>(r->status)).add(r->latency_ms).add_bytes(r->message);
      if (r->metrics.empty()) rows.add_null(); else rows.add_bytes(encode_metrics(r->metrics));
      rows.add(next_result++);
      if (++in_rows == kInsertChunk) flush();
    } else {
      // A gap without probes moves the mark (or a range) only.
      const auto& g = std::get<wire::GapRecord>(batch.entries[i]);
      for (const auto& probe : g.probes) {
        PgParams p;
        p.add(agent_id).add(epoch).add(seq).add(id_of(probe_ids_, "probes", probe)).add(std::int64_t{g.from_ms});
        p.add(std::int64_t{g.to_ms}).add(static_cast<std::int64_t>(std::min(g.dropped, kMaxSql))).add(next_gap++);
        conn_->run("insert_gap", p);
      }
    }
    ++out.stored;
  }
  flush();
  if (out.stored > 0) {
    conn_->run("set_mark", PgParams().add(agent_id).add(epoch).add(static_cast<std::int64_t>(plan.new_mark)));
    if (plan.new_ranges != ranges) {
      conn_->run("clear_ranges", PgParams().add(agent_id).add(epoch));
      for (const auto& r : plan.new_ranges.ranges())
        conn_->run("add_range", PgParams().add(agent_id).add(epoch).add(static_cast<std::int64_t>(r.first)).add(static_cast<std::int64_t>(r.last)));
    }
  }
  return out;
}

wire::SeqRanges PgStore::ranges_by_id(std::int64_t agent_id, std::int64_t epoch) {
  wire::SeqRanges out;
  const PgResult r = conn_->run("get_ranges", PgParams().add(agent_id).add(epoch));
  for (int i = 0; i < r.rows(); ++i) out.insert(static_cast<std::uint64_t>(r.int64(i, 0)), static_cast<std::uint64_t>(r.int64(i, 1)));
  return out;
}

std::uint64_t PgStore::mark_by_id(std::int64_t agent_id, std::int64_t epoch) {
  const PgResult r = conn_->run("get_mark", PgParams().add(agent_id).add(epoch));
  return r.rows() == 0 ? 0 : static_cast<std::uint64_t>(r.int64(0, 0));
}

std::uint64_t PgStore::committed_seq(std::string_view agent, std::uint64_t epoch) {
  return guarded([&]() -> std::uint64_t {
    const auto id = find_id(agent_ids_, "agents", agent);
    if (!id || epoch > kMaxSql) return 0;
    return mark_by_id(*id, static_cast<std::int64_t>(epoch));
  });
}

wire::SeqRanges PgStore::stored_ranges(std::string_view agent, std::uint64_t epoch) {
  return guarded([&]() -> wire::SeqRanges {
    const auto id = find_id(agent_ids_, "agents", agent);
    if (!id || epoch > kMaxSql) return {};
    return ranges_by_id(*id, static_cast<std::int64_t>(epoch));
  });
}

std::uint64_t PgStore::last_epoch(std::string_view agent) {
  return guarded([&]() -> std::uint64_t {
    const auto id = find_id(agent_ids_, "agents", agent);
    if (!id) return 0;
    const PgResult r = conn_->run("last_epoch", PgParams().add(*id));
    return r.rows() == 0 || r.is_null(0, 0) ? 0 : static_cast<std::uint64_t>(r.int64(0, 0));
  });
}

void PgStore::stream(const std::string& sql, const PgParams& p, const std::function<bool(const PgResult&, int)>& on_row) {
  std::optional<PgTransaction> own;
  if (!conn_->in_transaction()) own.emplace(*conn_);  // a cursor lives in a transaction
  const std::string name = "slamon_cursor_" + std::to_string(++cursors_);
  conn_->query("DECLARE " + name + " NO SCROLL CURSOR FOR " + sql, p);
  bool more = true;
  while (more) {
    const PgResult page = conn_->query("FETCH FORWARD 1000 FROM " + name);
    for (int i = 0; i < page.rows() && more; ++i) more = on_row(page, i);
    if (page.rows() < 1000) break;
  }
  conn_->exec("CLOSE " + name);
  if (own) own->commit();
}

void PgStore::for_each_result(const ResultQuery& q, const std::function<void(const ProbeResult&)>& on_result) {
  guarded([&] {
    PgParams p;
    add_query(p, q);
    stream(std::string(kResultColumns) +
               " WHERE ($1::bigint IS NULL OR r.ts_ms >= $1::bigint) AND ($2::bigint IS NULL OR r.ts_ms < $2::bigint)"
               " AND ($3::text IS NULL OR a.name = $3::text) AND ($4::text IS NULL OR p.name = $4::text)"
               " ORDER BY r.ts_ms, p.name COLLATE \"C\", a.name COLLATE \"C\", r.epoch, r.seq",
           p, [&](const PgResult& r, int i) {
             on_result(read_result(r, i, 0, conn_->shown_url()));
             return true;
           });
  });
}

void PgStore::walk_probe_results(std::string_view probe, TimeMs from_ms, Direction direction,
                                 const std::function<bool(const ProbeResult&)>& on_result) {
  guarded([&] {
    const auto id = find_id(probe_ids_, "probes", probe);
    if (!id) return;  // no result was ever stored for it
    const bool fwd = direction == Direction::forward;
    stream(std::string(kResultColumns) + " WHERE r.probe_id = $1::bigint AND r.ts_ms " + (fwd ? ">=" : "<") +
               " $2::bigint ORDER BY r.ts_ms" + (fwd ? "" : " DESC") + ", a.name COLLATE \"C\"",
           PgParams().add(*id).add(std::int64_t{from_ms}),
           [&](const PgResult& r, int i) { return on_result(read_result(r, i, 0, conn_->shown_url())); });
  });
}

std::optional<ProbeResult> PgStore::find_result(std::string_view probe, TimeMs ts, std::string_view agent) {
  return guarded([&]() -> std::optional<ProbeResult> {
    const PgResult r = conn_->run("find_result", PgParams().add(probe).add(std::int64_t{ts}).add(agent));
    if (r.rows() == 0) return std::nullopt;
    return read_result(r, 0, 0, conn_->shown_url());
  });
}

std::vector<StoredGap> PgStore::gaps(const ResultQuery& q) {
  return guarded([&]() -> std::vector<StoredGap> {
    PgParams p;
    add_query(p, q);
    // The query's time bounds select gaps that overlap [from, to).
    const PgResult r = conn_->query(
        "SELECT a.name, p.name, r.from_ms, r.to_ms, r.dropped FROM gaps r JOIN agents a ON a.id = r.agent_id"
        " JOIN probes p ON p.id = r.probe_id"
        " WHERE ($2::bigint IS NULL OR r.from_ms < $2::bigint) AND ($1::bigint IS NULL OR r.to_ms > $1::bigint)"
        " AND ($3::text IS NULL OR a.name = $3::text) AND ($4::text IS NULL OR p.name = $4::text)"
        " ORDER BY p.name COLLATE \"C\", r.from_ms, a.name COLLATE \"C\"",
        p);
    std::vector<StoredGap> out;
    for (int i = 0; i < r.rows(); ++i)
      out.push_back(StoredGap{std::string(r.text(i, 0)), std::string(r.text(i, 1)), r.int64(i, 2), r.int64(i, 3),
                              static_cast<std::uint64_t>(r.int64(i, 4))});
    return out;
  });
}

std::uint64_t PgStore::prune_results(TimeMs before_ms, std::span<const std::string> keep_probes) {
  return guarded([&]() -> std::uint64_t {
    const std::set<std::string, std::less<>> keep(keep_probes.begin(), keep_probes.end());
    const EnginePosition pos = read_position(false);
    // Per probe, the rows that may go (as SqliteStore::prune_results): ts below `limit`, applied by
    // the engine (arrival <= its position). The engine's probes up to their latest checkpoint before
    // the bound (and before their dirty_from), the others up to the bound; `keep` ones not at all.
    struct Target {
      std::int64_t id;
      TimeMs limit;                  // rows with ts < limit may go
      std::optional<TimeMs> ckpt;    // checkpoints before it go too
    };
    std::vector<Target> targets;
    {
      const PgResult probes = conn_->query(
          "SELECT p.id, p.name, e.probe_id IS NOT NULL, e.dirty_from,"
          " (SELECT MAX(c.ts) FROM engine_checkpoints c WHERE c.probe_id = p.id"
          "  AND c.ts < LEAST($1::bigint, COALESCE(e.dirty_from, $1::bigint)))"
          " FROM probes p LEFT JOIN engine_probes e ON e.probe_id = p.id",
          PgParams().add(std::int64_t{before_ms}));
      for (int i = 0; i < probes.rows(); ++i) {
        if (keep.count(probes.text(i, 1)) != 0) continue;
        if (!boolean(probes, i, 2)) {
          targets.push_back(Target{probes.int64(i, 0), before_ms, std::nullopt});
        } else if (!probes.is_null(i, 4)) {
          const TimeMs upto = probes.int64(i, 4);
          targets.push_back(Target{probes.int64(i, 0), upto + 1, upto});
        }
      }
    }
    std::string ids = "{", limits = "{";
    for (const auto& t : targets) {
      if (ids.size() > 1) {
        ids.push_back(',');
        limits.push_back(',');
      }
      ids.append(std::to_string(t.id));
      limits.append(std::to_string(t.limit));
    }
    ids += "}";
    limits += "}";
    std::uint64_t n = 0;
    // Whole partitions first: one whose every row may go is dropped; the others lose rows one probe
    // at a time. The check runs without blocking ingest; the drop then takes the parent's lock
    // (nothing else held that ingest waits for: no deadlock) and checks only that no row arrived
    // since (a later row's arrival number is above the engine's position).
    for (const auto& [first, end] : partitions()) {
      if (end > before_ms) break;
      PgTransaction t(*conn_);
      const std::string name = partition_name(first);
      const PgResult kept = conn_->query(
          "SELECT count(*) FILTER (WHERE r.arrival > $3::bigint OR l.lim IS NULL OR r.ts_ms >= l.lim), count(*)"
          " FROM " + name + " r LEFT JOIN unnest($1::bigint[], $2::bigint[]) AS l(probe_id, lim) ON l.probe_id = r.probe_id",
          PgParams().add(std::string_view(ids)).add(std::string_view(limits)).add(pos.result_row));
      if (kept.int64(0, 0) == 0) {
        conn_->exec("LOCK TABLE results IN ACCESS EXCLUSIVE MODE");
        const PgResult late = conn_->query("SELECT count(*) FROM (SELECT 1 FROM " + name + " WHERE arrival > $1::bigint LIMIT 1) x",
                                           PgParams().add(pos.result_row));
        if (late.int64(0, 0) == 0) {
          conn_->exec("DROP TABLE " + name);
          n += static_cast<std::uint64_t>(kept.int64(0, 1));
          partitions_.erase(first);
        }
      }
      t.commit();
    }
    for (const auto& t : targets) {
      PgTransaction tx(*conn_);
      n += conn_->query("DELETE FROM results WHERE probe_id = $1::bigint AND ts_ms < $2::bigint AND arrival <= $3::bigint",
                        PgParams().add(t.id).add(std::int64_t{t.limit}).add(pos.result_row))
               .affected();
      if (t.ckpt)
        conn_->query("DELETE FROM engine_checkpoints WHERE probe_id = $1::bigint AND ts < $2::bigint",
                     PgParams().add(t.id).add(std::int64_t{*t.ckpt}));
      tx.commit();
    }
    conn_->query(
        "INSERT INTO store_meta (key, value) VALUES ('pruned_before', $1::bigint)"
        " ON CONFLICT (key) DO UPDATE SET value = GREATEST(store_meta.value, excluded.value)",
        PgParams().add(std::int64_t{before_ms}));
    return n;
  });
}

std::optional<TimeMs> PgStore::pruned_before() {
  return guarded([&]() -> std::optional<TimeMs> {
    const PgResult r = conn_->query("SELECT value FROM store_meta WHERE key = 'pruned_before'");
    if (r.rows() == 0) return std::nullopt;
    return r.int64(0, 0);
  });
}

// ---- The live engine's bookkeeping ----

EnginePosition PgStore::read_position(bool for_update) {
  const PgResult r = conn_->query(std::string("SELECT result_row, gap_row FROM engine_position WHERE id = 1") +
                                  (for_update ? " FOR UPDATE" : ""));
  EnginePosition p;
  if (r.rows() > 0) {
    p.result_row = r.int64(0, 0);
    p.gap_row = r.int64(0, 1);
  }
  return p;
}

EnginePosition PgStore::engine_position() {
  return guarded([&] { return read_position(false); });
}

std::vector<EngineProbe> PgStore::engine_probes() {
  return guarded([&]() -> std::vector<EngineProbe> {
    const PgResult r = conn_->query(
        "SELECT p.name, e.stale_after_ms, e.confirm, e.confirmed, e.pending, e.pending_count, e.pending_start,"
        " e.has_prev, e.prev_ts, e.dirty_from, e.horizon FROM engine_probes e JOIN probes p ON p.id = e.probe_id"
        " ORDER BY p.name COLLATE \"C\"");
    std::vector<EngineProbe> out;
    for (int i = 0; i < r.rows(); ++i) {
      EngineProbe e;
      e.probe.assign(r.text(i, 0));
      e.stale_after_ms = r.int64(i, 1);
      e.confirm = static_cast<int>(r.int64(i, 2));
      e.state = read_state(r, i, 3, conn_->shown_url());
      if (!r.is_null(i, 9)) e.dirty_from = r.int64(i, 9);
      if (!r.is_null(i, 10)) e.horizon = r.int64(i, 10);
      out.push_back(std::move(e));
    }
    return out;
  });
}

EnginePosition PgStore::arrivals_after(const EnginePosition& from, std::size_t limit,
                                       const std::function<void(const StoredArrival&)>& on_arrival) {
  return guarded([&]() -> EnginePosition {
    EnginePosition pos = from;
    const auto lim = static_cast<std::int64_t>(std::min<std::size_t>(limit, static_cast<std::size_t>(kMaxSql)));
    const PgResult r = conn_->query(
        "SELECT r.arrival, p.name, r.ts_ms, r.status, r.latency_ms, a.name FROM results r"
        " JOIN probes p ON p.id = r.probe_id JOIN agents a ON a.id = r.agent_id"
        " WHERE r.arrival > $1::bigint ORDER BY r.arrival LIMIT $2::bigint",
        PgParams().add(from.result_row).add(lim));
    const PgResult g = conn_->query(
        "SELECT g.arrival, p.name, g.from_ms, a.name FROM gaps g JOIN probes p ON p.id = g.probe_id"
        " JOIN agents a ON a.id = g.agent_id WHERE g.arrival > $1::bigint ORDER BY g.arrival LIMIT $2::bigint",
        PgParams().add(from.gap_row).add(lim));
    StoredArrival a;
    for (int i = 0; i < r.rows(); ++i) {
      a.row = r.int64(i, 0);
      a.gap = false;
      a.probe.assign(r.text(i, 1));
      a.ts = r.int64(i, 2);
      a.status = status_of(r.int64(i, 3), conn_->shown_url());
      a.latency_ms = r.is_null(i, 4) ? std::nullopt : std::optional<double>(r.real(i, 4));
      a.agent.assign(r.text(i, 5));
      pos.result_row = a.row;
      on_arrival(a);
    }
    for (int i = 0; i < g.rows(); ++i) {
      a.row = g.int64(i, 0);
      a.gap = true;
      a.probe.assign(g.text(i, 1));
      a.ts = g.int64(i, 2);
      a.status = Status::unknown;
      a.latency_ms.reset();
      a.agent.assign(g.text(i, 3));
      pos.gap_row = a.row;
      on_arrival(a);
    }
    return pos;
  });
}

void PgStore::probe_history(std::string_view probe, TimeMs after_ts, const EnginePosition& upto,
                            const std::function<void(const StoredArrival&)>& on_arrival) {
  guarded([&] {
    const auto id = find_id(probe_ids_, "probes", probe);
    if (!id) return;
    const PgResult g = conn_->query(
        "SELECT g.arrival, g.from_ms, a.name FROM gaps g JOIN agents a ON a.id = g.agent_id"
        " WHERE g.probe_id = $1::bigint AND g.from_ms > $2::bigint AND g.arrival <= $3::bigint ORDER BY g.from_ms, g.arrival",
        PgParams().add(*id).add(std::int64_t{after_ts}).add(upto.gap_row));
    int next_gap = 0;
    auto gap = [&](int i) {
      StoredArrival a;
      a.row = g.int64(i, 0);
      a.gap = true;
      a.probe.assign(probe);
      a.ts = g.int64(i, 1);
      a.agent.assign(g.text(i, 2));
      on_arrival(a);
    };
    StoredArrival a;
    a.probe.assign(probe);
    stream(
        "SELECT r.arrival, r.ts_ms, r.status, r.latency_ms, a.name FROM results r JOIN agents a ON a.id = r.agent_id"
        " WHERE r.probe_id = $1::bigint AND r.ts_ms > $2::bigint AND r.arrival <= $3::bigint ORDER BY r.ts_ms, a.name COLLATE \"C\"",
        PgParams().add(*id).add(std::int64_t{after_ts}).add(upto.result_row), [&](const PgResult& r, int i) {
          a.row = r.int64(i, 0);
          a.ts = r.int64(i, 1);
          a.status = status_of(r.int64(i, 2), conn_->shown_url());
          a.latency_ms = r.is_null(i, 3) ? std::nullopt : std::optional<double>(r.real(i, 3));
          a.agent.assign(r.text(i, 4));
          for (; next_gap < g.rows() && g.int64(next_gap, 1) <= a.ts; ++next_gap) gap(next_gap);
          on_arrival(a);
          return true;
        });
    for (; next_gap < g.rows(); ++next_gap) gap(next_gap);
  });
}

std::optional<EngineCheckpoint> PgStore::checkpoint_before(std::string_view probe, TimeMs before) {
  return guarded([&]() -> std::optional<EngineCheckpoint> {
    const PgResult r = conn_->query(
        "SELECT c.ts, c.confirmed, c.pending, c.pending_count, c.pending_start, c.has_prev, c.prev_ts"
        " FROM engine_checkpoints c JOIN probes p ON p.id = c.probe_id WHERE p.name = $1::text AND c.ts < $2::bigint"
        " ORDER BY c.ts DESC LIMIT 1",
        PgParams().add(probe).add(std::int64_t{before}));
    if (r.rows() == 0) return std::nullopt;
    return EngineCheckpoint{r.int64(0, 0), read_state(r, 0, 1, conn_->shown_url())};
  });
}

std::vector<std::pair<std::string, TimeMs>> PgStore::latest_checkpoints() {
  return guarded([&]() -> std::vector<std::pair<std::string, TimeMs>> {
    const PgResult r = conn_->query(
        "SELECT p.name, MAX(c.ts) FROM engine_checkpoints c JOIN probes p ON p.id = c.probe_id GROUP BY p.name");
    std::vector<std::pair<std::string, TimeMs>> out;
    for (int i = 0; i < r.rows(); ++i) out.emplace_back(std::string(r.text(i, 0)), r.int64(i, 1));
    return out;
  });
}

std::optional<ChangePoint> PgStore::change_point_before(std::string_view probe, TimeMs before) {
  return guarded([&]() -> std::optional<ChangePoint> {
    const PgResult r = conn_->run("change_before", PgParams().add(probe).add(std::int64_t{before}));
    if (r.rows() == 0) return std::nullopt;
    return ChangePoint{r.int64(0, 0), status_of(r.int64(0, 1), conn_->shown_url())};
  });
}

std::vector<ChangePoint> PgStore::change_points(std::string_view probe, TimeMs from, TimeMs to) {
  return guarded([&]() -> std::vector<ChangePoint> {
    const PgResult r = conn_->run("change_range", PgParams().add(probe).add(std::int64_t{from}).add(std::int64_t{to}));
    std::vector<ChangePoint> out;
    for (int i = 0; i < r.rows(); ++i) out.push_back(ChangePoint{r.int64(i, 0), status_of(r.int64(i, 1), conn_->shown_url())});
    return out;
  });
}

bool PgStore::engine_commit(const EngineCommit& c) {
  return guarded([&]() -> bool {
    // Probe ids first, each committed on its own (harmless if the step is not).
    for (const auto& e : c.probes) id_of(probe_ids_, "probes", e.probe);
    for (const auto& w : c.rewrites) id_of(probe_ids_, "probes", w.probe);
    PgTransaction t(*conn_);
    if (fence_) check_epoch(*conn_, *fence_);
    if (!(read_position(true) == c.expect)) return false;  // rolled back: nothing written
    for (const auto& e : c.probes) {
      PgParams p;
      p.add(probe_ids_.at(e.probe)).add(std::int64_t{e.stale_after_ms}).add(std::int64_t{e.confirm});
      add_state(p, e.state);
      p.add(e.dirty_from).add(e.horizon);
      conn_->query("INSERT INTO engine_probes (probe_id, stale_after_ms, confirm, confirmed, pending, pending_count,"
                   " pending_start, has_prev, prev_ts, dirty_from, horizon) VALUES ($1::bigint, $2::bigint, $3::integer,"
                   " $4::smallint, $5::smallint, $6::integer, $7::bigint, $8::boolean, $9::bigint, $10::bigint, $11::bigint)"
                   " ON CONFLICT (probe_id) DO UPDATE SET stale_after_ms = excluded.stale_after_ms,"
                   " confirm = excluded.confirm, confirmed = excluded.confirmed, pending = excluded.pending,"
                   " pending_count = excluded.pending_count, pending_start = excluded.pending_start,"
                   " has_prev = excluded.has_prev, prev_ts = excluded.prev_ts, dirty_from = excluded.dirty_from,"
                   " horizon = excluded.horizon",
                   p);
    }
    for (const auto& w : c.rewrites) {
      const std::int64_t id = probe_ids_.at(w.probe);
      conn_->query("DELETE FROM engine_changes WHERE probe_id = $1::bigint AND t >= $2::bigint", PgParams().add(id).add(std::int64_t{w.from}));
      for (const auto& pt : w.points)
        conn_->query("INSERT INTO engine_changes (probe_id, t, status) VALUES ($1::bigint, $2::bigint, $3::smallint)",
                     PgParams().add(id).add(std::int64_t{pt.t}).add(static_cast<std::int64_t>(pt.status)));
      conn_->query("DELETE FROM engine_checkpoints WHERE probe_id = $1::bigint AND ts >= $2::bigint",
                   PgParams().add(id).add(std::int64_t{w.checkpoints_from}));
      for (const auto& k : w.checkpoints) {
        PgParams p;
        p.add(id).add(std::int64_t{k.ts});
        add_state(p, k.state);
        conn_->query("INSERT INTO engine_checkpoints (probe_id, ts, confirmed, pending, pending_count, pending_start,"
                     " has_prev, prev_ts) VALUES ($1::bigint, $2::bigint, $3::smallint, $4::smallint, $5::integer,"
                     " $6::bigint, $7::boolean, $8::bigint)",
                     p);
      }
    }
    conn_->query("UPDATE engine_position SET result_row = $1::bigint, gap_row = $2::bigint WHERE id = 1",
                 PgParams().add(c.next.result_row).add(c.next.gap_row));
    if (fence_) notify_followers(*conn_);
    t.commit();
    return true;
  });
}

void PgStore::record_agents(std::span<const AgentRecord> records) {
  guarded([&] {
    PgTransaction t(*conn_);
    for (const auto& r : records) {
      PgParams p;
      p.add(std::string_view(r.name)).add(std::string_view(r.connected ? "true" : "false")).add(std::string_view(r.peer));
      p.add(std::int64_t{r.last_seen_ms}).add(r.clock_offset_ms).add(static_cast<std::int64_t>(std::min(r.backlog, kMaxSql)));
      p.add(std::string_view(r.assignment_version)).add(static_cast<std::int64_t>(std::min(r.epoch, kMaxSql)));
      p.add(static_cast<std::int64_t>(std::min(r.committed_seq, kMaxSql)));
      conn_->run("set_agent_status", p);
    }
    t.commit();
  });
}

void PgStore::disconnect_all() {
  guarded([&] { conn_->exec("UPDATE agent_status SET connected = false WHERE connected"); });
}

std::vector<AgentRecord> PgStore::agent_records() {
  return guarded([&]() -> std::vector<AgentRecord> {
    const PgResult r = conn_->query(
        "SELECT name, connected, peer, last_seen_ms, clock_offset_ms, backlog, assignment_version, epoch,"
        " committed_seq FROM agent_status ORDER BY name COLLATE \"C\"");
    std::vector<AgentRecord> out;
    for (int i = 0; i < r.rows(); ++i) {
      AgentRecord a;
      a.name.assign(r.text(i, 0));
      a.connected = boolean(r, i, 1);
      a.peer.assign(r.text(i, 2));
      a.last_seen_ms = r.int64(i, 3);
      if (!r.is_null(i, 4)) a.clock_offset_ms = r.int64(i, 4);
      a.backlog = static_cast<std::uint64_t>(r.int64(i, 5));
      a.assignment_version.assign(r.text(i, 6));
      a.epoch = static_cast<std::uint64_t>(r.int64(i, 7));
      a.committed_seq = static_cast<std::uint64_t>(r.int64(i, 8));
      out.push_back(std::move(a));
    }
    return out;
  });
}

// ---- maintenance windows ----

namespace {

constexpr std::string_view kWindowColumns =
    "id, targets, from_ms, to_ms, planned_to_ms, who, why, created_ms, ended_ms, ended_by, end_reason";

MaintenanceWindow read_window(const PgResult& r, int i) {
  MaintenanceWindow w;
  w.id = window_id(r.int64(i, 0));
  w.targets = split_targets(r.text(i, 1));
  w.from_ms = r.int64(i, 2);
  w.to_ms = r.int64(i, 3);
  w.planned_to_ms = r.int64(i, 4);
  w.who.assign(r.text(i, 5));
  w.why.assign(r.text(i, 6));
  w.created_ms = r.int64(i, 7);
  if (!r.is_null(i, 8)) w.ended_ms = r.int64(i, 8);
  w.ended_by.assign(r.text(i, 9));
  w.end_reason.assign(r.text(i, 10));
  return w;
}

}  // namespace

std::vector<MaintenanceWindow> PgStore::maintenance_windows() {
  return guarded([&]() -> std::vector<MaintenanceWindow> {
    const PgResult r = conn_->query("SELECT " + std::string(kWindowColumns) + " FROM maintenance_windows ORDER BY id");
    std::vector<MaintenanceWindow> out;
    for (int i = 0; i < r.rows(); ++i) out.push_back(read_window(r, i));
    return out;
  });
}

std::vector<MaintenanceEvent> PgStore::maintenance_history(std::string_view id) {
  return guarded([&]() -> std::vector<MaintenanceEvent> {
    std::vector<MaintenanceEvent> out;
    std::optional<std::int64_t> row;
    if (!id.empty()) {
      row = window_row(id);
      if (!row) return out;
    }
    PgParams p;
    if (row) p.add(*row);
    const PgResult r = conn_->query(
        std::string("SELECT seq, window_id, action, at_ms, who, why, from_ms, to_ms FROM maintenance_events") +
            (row ? " WHERE window_id = $1::bigint" : "") + " ORDER BY seq",
        p);
    for (int i = 0; i < r.rows(); ++i) {
      MaintenanceEvent e;
      e.seq = r.int64(i, 0);
      e.window = window_id(r.int64(i, 1));
      e.action = parse_action(r.text(i, 2));
      e.at_ms = r.int64(i, 3);
      e.who.assign(r.text(i, 4));
      e.why.assign(r.text(i, 5));
      e.from_ms = r.int64(i, 6);
      e.to_ms = r.int64(i, 7);
      out.push_back(std::move(e));
    }
    return out;
  });
}

MaintenanceWindow PgStore::create_maintenance(const MaintenanceWindow& w) {
  return guarded([&]() -> MaintenanceWindow {
    const auto targets = join_targets(w.targets);
    if (!targets) throw StoreFailure("store " + conn_->shown_url() + ": a target id holds a line break");
    PgTransaction t(*conn_);
    const PgResult made = conn_->query(
        "INSERT INTO maintenance_windows (targets, from_ms, to_ms, planned_to_ms, who, why, created_ms)"
        " VALUES ($1::text, $2::bigint, $3::bigint, $3::bigint, $4::text, $5::text, $6::bigint) RETURNING id",
        PgParams().add(std::string_view(*targets)).add(std::int64_t{w.from_ms}).add(std::int64_t{w.to_ms})
            .add(std::string_view(w.who)).add(std::string_view(w.why)).add(std::int64_t{w.created_ms}));
    const std::int64_t row = made.int64(0, 0);
    conn_->query("INSERT INTO maintenance_events (window_id, action, at_ms, who, why, from_ms, to_ms)"
                 " VALUES ($1::bigint, 'created', $2::bigint, $3::text, $4::text, $5::bigint, $6::bigint)",
                 PgParams().add(row).add(std::int64_t{w.created_ms}).add(std::string_view(w.who))
                     .add(std::string_view(w.why)).add(std::int64_t{w.from_ms}).add(std::int64_t{w.to_ms}));
    t.commit();
    return as_created(w, row);
  });
}

std::optional<MaintenanceWindow> PgStore::end_maintenance(std::string_view id, TimeMs at_ms, std::string_view who,
                                                          std::string_view why) {
  return guarded([&]() -> std::optional<MaintenanceWindow> {
    const auto row = window_row(id);
    if (!row) return std::nullopt;
    PgTransaction t(*conn_);
    const PgResult got = conn_->query(
        "SELECT " + std::string(kWindowColumns) + " FROM maintenance_windows WHERE id = $1::bigint FOR UPDATE",
        PgParams().add(*row));
    if (got.rows() == 0) return std::nullopt;
    MaintenanceWindow w = read_window(got, 0);
    const auto action = end_window(w, at_ms, who, why);
    conn_->query("UPDATE maintenance_windows SET to_ms = $2::bigint, ended_ms = $3::bigint, ended_by = $4::text,"
                 " end_reason = $5::text WHERE id = $1::bigint",
                 PgParams().add(*row).add(std::int64_t{w.to_ms}).add(std::int64_t{at_ms}).add(who).add(why));
    conn_->query("INSERT INTO maintenance_events (window_id, action, at_ms, who, why, from_ms, to_ms)"
                 " VALUES ($1::bigint, $2::text, $3::bigint, $4::text, $5::text, $6::bigint, $7::bigint)",
                 PgParams().add(*row).add(to_string(action))
                     .add(std::int64_t{at_ms}).add(who).add(why).add(std::int64_t{w.from_ms}).add(std::int64_t{w.to_ms}));
    t.commit();
    return w;
  });
}

// ---- slamon migrate ----

bool PgStore::empty() {
  return guarded([&] {
    const PgResult r = conn_->query(
        "SELECT (SELECT count(*) FROM (SELECT 1 FROM marks LIMIT 1) m) + (SELECT count(*) FROM (SELECT 1 FROM results LIMIT 1) r)"
        " + (SELECT count(*) FROM (SELECT 1 FROM gaps LIMIT 1) g) + (SELECT count(*) FROM (SELECT 1 FROM agent_status LIMIT 1) a)"
        " + (SELECT count(*) FROM (SELECT 1 FROM engine_probes LIMIT 1) e)");
    return r.int64(0, 0) == 0;
  });
}

void PgStore::load_marks(std::span<const DumpedMark> marks) {
  guarded([&] {
    for (const auto& m : marks) id_of(agent_ids_, "agents", m.agent);
    PgTransaction t(*conn_);
    for (const auto& m : marks) {
      const std::int64_t id = agent_ids_.at(m.agent);
      const auto epoch = static_cast<std::int64_t>(m.epoch);
      conn_->run("set_mark", PgParams().add(id).add(epoch).add(static_cast<std::int64_t>(m.committed_seq)));
      for (const auto& r : m.ranges.ranges())
        conn_->run("add_range", PgParams().add(id).add(epoch).add(static_cast<std::int64_t>(r.first)).add(static_cast<std::int64_t>(r.last)));
    }
    t.commit();
  });
}

void PgStore::load_results(std::span<const DumpedResult> rows) {
  guarded([&] {
    std::set<TimeMs> starts;
    for (const auto& d : rows) {
      id_of(agent_ids_, "agents", d.result.agent);
      id_of(probe_ids_, "probes", d.result.probe);
      starts.insert(partition_start(d.result.ts));
    }
    ensure_partitions(starts);
    PgTransaction t(*conn_);
    for (const auto& d : rows) {
      const ProbeResult& r = d.result;
      PgParams p;
      p.add(agent_ids_.at(r.agent)).add(static_cast<std::int64_t>(d.epoch)).add(static_cast<std::int64_t>(d.seq));
      p.add(probe_ids_.at(r.probe)).add(std::int64_t{r.ts}).add(static_cast<std::int64_t>(r.status)).add(r.latency_ms);
      p.add_bytes(r.message);
      if (r.metrics.empty()) p.add_null(); else p.add_bytes(encode_metrics(r.metrics));
      p.add(d.arrival);
      conn_->run("insert_result", p);
    }
    t.commit();
  });
}

void PgStore::load_gaps(std::span<const DumpedGap> rows) {
  guarded([&] {
    for (const auto& d : rows) {
      id_of(agent_ids_, "agents", d.gap.agent);
      id_of(probe_ids_, "probes", d.gap.probe);
    }
    PgTransaction t(*conn_);
    for (const auto& d : rows) {
      PgParams p;
      p.add(agent_ids_.at(d.gap.agent)).add(static_cast<std::int64_t>(d.epoch)).add(static_cast<std::int64_t>(d.seq));
      p.add(probe_ids_.at(d.gap.probe)).add(std::int64_t{d.gap.from_ms}).add(std::int64_t{d.gap.to_ms});
      p.add(static_cast<std::int64_t>(std::min(d.gap.dropped, kMaxSql))).add(d.arrival);
      conn_->run("insert_gap", p);
    }
    t.commit();
  });
}

void PgStore::load_agents(std::span<const AgentRecord> records) { record_agents(records); }

void PgStore::load_engine(const DumpedEngine& e) {
  // The engine's state as one step from the empty position, then the counters after every row.
  EngineCommit c;
  c.next = e.position;
  c.probes = e.probes;
  std::map<std::string, EngineCommit::Rewrite> rewrites;
  auto rewrite = [&](const std::string& probe) -> EngineCommit::Rewrite& {
    auto& w = rewrites[probe];
    w.probe = probe;
    w.from = std::numeric_limits<TimeMs>::min();
    w.checkpoints_from = std::numeric_limits<TimeMs>::min();
    return w;
  };
  for (const auto& [probe, p] : e.changes) rewrite(probe).points.push_back(p);
  for (const auto& [probe, k] : e.checkpoints) rewrite(probe).checkpoints.push_back(k);
  for (auto& [probe, w] : rewrites) c.rewrites.push_back(std::move(w));
  if (!engine_commit(c)) throw StoreFailure("store " + conn_->shown_url() + ": the engine's position changed during the load");
  guarded([&] {
    PgTransaction t(*conn_);
    conn_->query("SELECT 1 FROM arrival_counters WHERE id = 1 FOR UPDATE");
    conn_->query(
        "UPDATE arrival_counters SET result_row = GREATEST(result_row, $1::bigint, (SELECT COALESCE(MAX(arrival), 0) FROM results)),"
        " gap_row = GREATEST(gap_row, $2::bigint, (SELECT COALESCE(MAX(arrival), 0) FROM gaps)) WHERE id = 1",
        PgParams().add(e.position.result_row).add(e.position.gap_row));
    if (e.pruned_before)
      conn_->query(
          "INSERT INTO store_meta (key, value) VALUES ('pruned_before', $1::bigint)"
          " ON CONFLICT (key) DO UPDATE SET value = GREATEST(store_meta.value, excluded.value)",
          PgParams().add(std::int64_t{*e.pruned_before}));
    t.commit();
  });
}

}  // namespace slamon::store::postgres

// ---- notifications ----

namespace slamon::store::postgres {
namespace {

constexpr std::string_view kDeliveryColumns =
    "id, dedup_key, target, kind, subject, sla, at_ms, payload, state, attempts, created_ms, next_attempt_ms,"
    " last_error, delivered_ms";

Delivery read_delivery(const PgResult& r, int i) {
  Delivery d;
  d.id = r.int64(i, 0);
  d.dedup_key.assign(r.text(i, 1));
  d.target.assign(r.text(i, 2));
  d.kind.assign(r.text(i, 3));
  d.subject.assign(r.text(i, 4));
  d.sla.assign(r.text(i, 5));
  d.at = r.int64(i, 6);
  d.payload.assign(r.text(i, 7));
  d.state = parse_delivery_state(r.text(i, 8)).value_or(DeliveryState::failed);
  d.attempts = static_cast<int>(r.int64(i, 9));
  d.created_ms = r.int64(i, 10);
  d.next_attempt_ms = r.int64(i, 11);
  d.last_error.assign(r.text(i, 12));
  if (!r.is_null(i, 13)) d.delivered_ms = r.int64(i, 13);
  return d;
}

}  // namespace

OpenSubjectKeys PgStore::open_subjects() {
  return guarded([&]() -> OpenSubjectKeys {
    const PgResult r = conn_->query("SELECT key FROM notification_open");
    OpenSubjectKeys out;
    for (int i = 0; i < r.rows(); ++i) out.emplace(r.text(i, 0));
    return out;
  });
}

std::size_t PgStore::write_notifications(const NotificationWrite& w) {
  return guarded([&]() -> std::size_t {
    PgTransaction t(*conn_);
    // The engine thread's connection is fenced (what is told is the leader's work); the delivery
    // thread's records its attempts unfenced.
    if (fence_) check_epoch(*conn_, *fence_);
    for (const auto& k : w.opened)
      conn_->query("INSERT INTO notification_open (key) VALUES ($1::text) ON CONFLICT DO NOTHING",
                   PgParams().add(std::string_view(k)));
    for (const auto& k : w.closed)
      conn_->query("DELETE FROM notification_open WHERE key = $1::text", PgParams().add(std::string_view(k)));
    std::size_t claimed = 0;
    for (const auto& d : w.claims) {
      const PgResult r = conn_->query(
          "INSERT INTO notification_log (dedup_key, target, kind, subject, sla, at_ms, payload, state, attempts,"
          " created_ms, next_attempt_ms, last_error) VALUES ($1::text, $2::text, $3::text, $4::text, $5::text,"
          " $6::bigint, $7::text, $8::text, 0, $9::bigint, $10::bigint, '') ON CONFLICT (dedup_key, target) DO NOTHING",
          PgParams().add(std::string_view(d.dedup_key)).add(std::string_view(d.target)).add(std::string_view(d.kind))
              .add(std::string_view(d.subject)).add(std::string_view(d.sla)).add(std::int64_t{d.at})
              .add(std::string_view(d.payload)).add(to_string(d.state)).add(std::int64_t{d.created_ms})
              .add(std::int64_t{d.next_attempt_ms}));
      claimed += static_cast<std::size_t>(r.affected());
    }
    for (const auto& a : w.attempts) {
      PgParams p;
      p.add(a.id).add(to_string(a.state)).add(std::int64_t{a.next_attempt_ms}).add(std::string_view(a.error));
      if (a.state == DeliveryState::delivered) p.add(std::int64_t{a.at_ms});
      else p.add_null();
      conn_->query("UPDATE notification_log SET state = $2::text, attempts = attempts + 1, next_attempt_ms = $3::bigint,"
                   " last_error = $4::text, delivered_ms = $5::bigint WHERE id = $1::bigint",
                   p);
    }
    t.commit();
    return claimed;
  });
}

std::vector<Delivery> PgStore::due_deliveries(TimeMs now, std::size_t limit) {
  return guarded([&]() -> std::vector<Delivery> {
    // Taken with a lease (notification_store.h), rows another collector's transaction holds skipped.
    const PgResult r = conn_->query(
        "UPDATE notification_log SET next_attempt_ms = $3::bigint WHERE id IN (SELECT id FROM notification_log"
        " WHERE state = 'pending' AND next_attempt_ms <= $1::bigint ORDER BY id LIMIT $2::bigint FOR UPDATE SKIP LOCKED)"
        " RETURNING " + std::string(kDeliveryColumns),
        PgParams().add(std::int64_t{now}).add(static_cast<std::int64_t>(limit)).add(std::int64_t{now + kDeliveryLeaseMs}));
    std::vector<Delivery> out;
    for (int i = 0; i < r.rows(); ++i) out.push_back(read_delivery(r, i));
    std::sort(out.begin(), out.end(), [](const Delivery& a, const Delivery& b) { return a.id < b.id; });
    return out;
  });
}

std::optional<TimeMs> PgStore::next_due() {
  return guarded([&]() -> std::optional<TimeMs> {
    const PgResult r = conn_->query("SELECT MIN(next_attempt_ms) FROM notification_log WHERE state = 'pending'");
    if (r.rows() == 0 || r.is_null(0, 0)) return std::nullopt;
    return r.int64(0, 0);
  });
}

std::vector<Delivery> PgStore::deliveries(const DeliveryQuery& q) {
  return guarded([&]() -> std::vector<Delivery> {
    PgParams p;
    if (q.state) p.add(to_string(*q.state)); else p.add_null();
    p.add(q.before_id).add(static_cast<std::int64_t>(q.limit));
    const PgResult r = conn_->query("SELECT " + std::string(kDeliveryColumns) +
                                        " FROM notification_log WHERE ($1::text IS NULL OR state = $1::text)"
                                        " AND ($2::bigint IS NULL OR id < $2::bigint) ORDER BY id DESC LIMIT $3::bigint",
                                    p);
    std::vector<Delivery> out;
    for (int i = 0; i < r.rows(); ++i) out.push_back(read_delivery(r, i));
    return out;
  });
}

std::vector<std::pair<DeliveryState, std::int64_t>> PgStore::delivery_counts() {
  return guarded([&]() -> std::vector<std::pair<DeliveryState, std::int64_t>> {
    const PgResult r = conn_->query("SELECT state, COUNT(*) FROM notification_log GROUP BY state ORDER BY state");
    std::vector<std::pair<DeliveryState, std::int64_t>> out;
    for (int i = 0; i < r.rows(); ++i)
      if (const auto st = parse_delivery_state(r.text(i, 0))) out.emplace_back(*st, r.int64(i, 1));
    return out;
  });
}

}  // namespace slamon::store::postgres
