// The PostgreSQL store (several collectors on one database; docs/postgresql.md): the same
// semantics as the SQLite store (store/sqlite/sqlite_store.h) over PostgreSQL 15 through libpq, its
// own schema version (store_meta 'schema_version', from 1), raw results in weekly range partitions
// by ts that retention drops whole. One connection per object; not thread-safe: one owner calls it
// (the collector's store thread, and the engine thread's own object).
//
// Arrival numbers (engine_store.h): every ingest transaction (and prune's moves) first locks the one
// row of arrival_counters (SELECT ... FOR UPDATE) and takes its numbers from it, so ingest
// transactions that number rows commit one after the other, in number order: a reader that sees a
// row sees every row numbered below it, whichever collector wrote it, and never skips one.
#pragma once

#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "collector/store/election.h"
#include "collector/store/engine_store.h"
#include "collector/store/maintenance_store.h"
#include "collector/store/notification_store.h"
#include "collector/store/store.h"
#include "collector/store/store_dump.h"

namespace slamon::store::postgres {

class PgConn;
class PgParams;
class PgResult;

// A batch's results are inserted this many rows a statement (multi-row INSERT; pg_ingest_bench).
constexpr std::size_t kInsertChunk = 100;
// The SQL of one INSERT of `rows` results with the store's conflict rule (10 parameters a row).
std::string insert_results_sql(std::size_t rows);

struct PgOptions {
  // on: a commit returns once it is flushed on the server (an acknowledged result survives its
  // crash), unless the URL sets synchronous_commit itself (libpq's `options`); off:
  // synchronous_commit = off (the last commits may be lost).
  bool synchronous_commit = true;
  // false: open an existing store only (the CLI's read commands): a database without slamon's
  // schema is a StoreFailure, and nothing is created.
  bool create = true;
};

class PgStore final : public Store, public EngineStore, public MaintenanceStore, public NotificationStore,
                      public StoreDumpSink, public FencedWrites {
 public:
  // Connects to `url` (postgresql://user@host:port/db, libpq's URI form) and brings the schema to
  // kSchemaVersion. Throws StoreFailure naming the URL without its password and the reason.
  explicit PgStore(const std::string& url, PgOptions options = {});
  ~PgStore() override;
  // Every method throws StoreFailure when the database fails (the connection is tried again on
  // the next call).

  // 2: maintenance windows (store/maintenance_store.h); 3: notifications (store/notification_store.h);
  // 4: the engine leadership (pg_leadership.h).
  static constexpr int kSchemaVersion = 4;
  static constexpr TimeMs kPartitionMs = 7LL * 24 * 3600 * 1000;  // one results partition: a week of ts

  AppendOutcome append(std::string_view agent, const wire::Batch& batch) override;
  std::vector<AppendOutcome> append_group(std::span<const AgentBatch> group) override;
  std::uint64_t committed_seq(std::string_view agent, std::uint64_t epoch) override;
  wire::SeqRanges stored_ranges(std::string_view agent, std::uint64_t epoch) override;
  std::uint64_t last_epoch(std::string_view agent) override;
  void for_each_result(const ResultQuery& q, const std::function<void(const ProbeResult&)>& on_result) override;
  std::vector<StoredGap> gaps(const ResultQuery& q) override;
  void walk_probe_results(std::string_view probe, TimeMs from_ms, Direction direction,
                          const std::function<bool(const ProbeResult&)>& on_result) override;
  std::optional<ProbeResult> find_result(std::string_view probe, TimeMs ts, std::string_view agent) override;
  std::uint64_t prune_results(TimeMs before_ms, std::span<const std::string> keep_probes) override;
  std::optional<TimeMs> pruned_before() override;
  void record_agents(std::span<const AgentRecord> records) override;
  void disconnect_all() override;
  std::vector<AgentRecord> agent_records() override;

  std::vector<MaintenanceWindow> maintenance_windows() override;
  std::vector<MaintenanceEvent> maintenance_history(std::string_view id) override;
  MaintenanceWindow create_maintenance(const MaintenanceWindow& w) override;
  std::optional<MaintenanceWindow> end_maintenance(std::string_view id, TimeMs at_ms, std::string_view who,
                                                   std::string_view why) override;

  OpenSubjectKeys open_subjects() override;
  std::size_t write_notifications(const NotificationWrite& w) override;
  std::vector<Delivery> due_deliveries(TimeMs now, std::size_t limit) override;
  std::optional<TimeMs> next_due() override;
  std::vector<Delivery> deliveries(const DeliveryQuery& q) override;
  std::vector<std::pair<DeliveryState, std::int64_t>> delivery_counts() override;

  EnginePosition engine_position() override;
  std::vector<EngineProbe> engine_probes() override;
  EnginePosition arrivals_after(const EnginePosition& from, std::size_t limit,
                                const std::function<void(const StoredArrival&)>& on_arrival) override;
  void probe_history(std::string_view probe, TimeMs after_ts, const EnginePosition& upto,
                     const std::function<void(const StoredArrival&)>& on_arrival) override;
  std::optional<EngineCheckpoint> checkpoint_before(std::string_view probe, TimeMs before) override;
  std::vector<std::pair<std::string, TimeMs>> latest_checkpoints() override;
  std::optional<ChangePoint> change_point_before(std::string_view probe, TimeMs before) override;
  std::vector<ChangePoint> change_points(std::string_view probe, TimeMs from, TimeMs to) override;
  // Fenced (fence()): checks the epoch in the same transaction, and NOTIFYs the followers.
  bool engine_commit(const EngineCommit& c) override;

  void fence(std::optional<std::int64_t> epoch) override { fence_ = epoch; }

  // `slamon migrate` into this store (store_dump.h).
  bool empty() override;
  void load_marks(std::span<const DumpedMark> marks) override;
  void load_results(std::span<const DumpedResult> rows) override;
  void load_gaps(std::span<const DumpedGap> rows) override;
  void load_agents(std::span<const AgentRecord> records) override;
  void load_engine(const DumpedEngine& engine) override;

  // The partitions of results, as (first ts, end ts) in ts order (tests, docs).
  std::vector<std::pair<TimeMs, TimeMs>> partitions();

 private:
  template <class F>
  auto guarded(F&& f) -> decltype(f());
  void migrate(bool create);
  // One migration step: from version `from` to from + 1 under the schema lock, unless another
  // collector did it meanwhile.
  void migrate_step(std::int64_t from, void (PgStore::*apply)());
  void migrate_to_v2();
  void migrate_to_v3();
  void migrate_to_v4();
  void prepare_all();
  // Ids of names (made in their own committed statement when new: an id without rows is harmless).
  std::int64_t id_of(std::unordered_map<std::string, std::int64_t>& cache, const char* table, std::string_view name);
  std::optional<std::int64_t> find_id(std::unordered_map<std::string, std::int64_t>& cache, const char* table,
                                      std::string_view name);
  void ensure_partitions(const std::set<TimeMs>& starts);
  AppendOutcome append_in_transaction(std::string_view agent, const wire::Batch& batch, std::int64_t& next_result,
                                      std::int64_t& next_gap);
  std::uint64_t mark_by_id(std::int64_t agent_id, std::int64_t epoch);
  wire::SeqRanges ranges_by_id(std::int64_t agent_id, std::int64_t epoch);
  EnginePosition read_position(bool for_update);
  // Runs `sql` through a cursor, `page` rows at a time, calling on_row until it returns false.
  void stream(const std::string& sql, const PgParams& p, const std::function<bool(const PgResult&, int)>& on_row);

  std::unique_ptr<PgConn> conn_;
  bool synchronous_commit_ = true;
  std::unordered_map<std::string, std::int64_t> agent_ids_, probe_ids_;
  std::set<TimeMs> partitions_;  // starts of the partitions known to exist
  std::uint64_t cursors_ = 0;
  std::optional<std::int64_t> fence_;  // the leader's epoch the engine writes are fenced by
};

}  // namespace slamon::store::postgres
