// The SQLite store (the embedded default): one file, WAL, synchronous=FULL by default (an
// acknowledged result survives power loss), a schema version with migrations, prepared statements
// as members. Not thread-safe: one owner (the collector's store thread) calls it.
#pragma once

#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/sqlite/db.h"
#include "collector/store/engine_store.h"
#include "collector/store/maintenance_store.h"
#include "collector/store/notification_store.h"
#include "collector/store/store.h"
#include "collector/store/store_dump.h"

namespace slamon::store::sqlite {

struct SqliteOptions {
  // FULL: fsync at every commit (the default); NORMAL: may lose the last commits on power loss.
  bool synchronous_full = true;
  // false: open an existing store only (the CLI's read commands): a missing file, or a database
  // without slamon's schema (an empty one included), is a StoreFailure, and nothing is created.
  bool create = true;
};

class SqliteStore final : public Store, public EngineStore, public MaintenanceStore, public NotificationStore,
                          public StoreDumpSource {
 public:
  // Opens or creates the store at `path` and brings its schema to kSchemaVersion. Throws
  // StoreFailure (unreadable, not a slamon store, written by a newer slamon). The connection waits up
  // to 5 s for another writer (the collector) before a statement fails as busy.
  explicit SqliteStore(const std::string& path, SqliteOptions options = {});
  // Every method throws StoreFailure when the database fails.

  static constexpr int kSchemaVersion = 6;

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
  bool engine_commit(const EngineCommit& c) override;

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

  void dump(StoreDumpSink& sink, std::size_t batch_rows,
            const std::function<void(const char* kind, std::size_t n)>& on_rows) override;

 private:
  using Db = slamon::sqlite::Db;
  using Stmt = slamon::sqlite::Stmt;
  void migrate(bool create);
  ProbeResult read_result(Stmt& s, int first_col);
  AppendOutcome append_in_transaction(std::string_view agent, const wire::Batch& batch);
  std::uint64_t mark_of(std::string_view agent, std::uint64_t epoch);
  std::uint64_t mark_by_id(std::int64_t agent_id, std::int64_t epoch);
  wire::SeqRanges ranges_by_id(std::int64_t agent_id, std::int64_t epoch);
  std::int64_t id_of(std::unordered_map<std::string, std::int64_t>& cache, Stmt& find, Stmt& add, std::string_view name);
  std::optional<std::int64_t> find_agent(std::string_view agent);
  std::int64_t next_result_row();
  EnginePosition read_position();

  Db db_;
  Stmt find_agent_, add_agent_, find_probe_, add_probe_;
  Stmt get_mark_, set_mark_, last_epoch_, get_ranges_, clear_ranges_, add_range_, insert_result_, insert_gap_, set_agent_status_;
  Stmt walk_forward_, walk_backward_, find_result_, change_before_, change_range_;
  std::int64_t next_row_ = 1;  // the next result's row number (set at the start of each append transaction)
  std::unordered_map<std::string, std::int64_t> agent_ids_, probe_ids_;
  std::vector<std::pair<std::unordered_map<std::string, std::int64_t>*, std::string>> made_;  // ids new in this transaction
};

}  // namespace slamon::store::sqlite
