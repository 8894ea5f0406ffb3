// The collector's engine thread: runs the live engine (collector/live/live_engine.h) over a store
// connection of its own, woken by the store thread after each commit, by the next staleness instant
// (a silent agent's probes turn unknown exactly at their last result + stale_after) and by a reload.
// It logs what operators act on: services and CIs changing status, probes turning unknown for lack
// of results (grouped per agent), the engine falling behind; it keeps a snapshot of every node's
// current status for readers on other threads; and it prunes raw results past the retention once an
// hour (what the engine still needs and the response-time probes' results stay). No Asio here.
//
// With several collectors on one store (store/election.h) only the leader persists the engine's work
// (and prunes); the thread polls the election every election_interval_ms. A follower runs the same
// engine in memory over an OverlayEngineStore on top of the store: loaded from the leader's persisted
// state (change points, builder states, position), it applies the arrivals after the leader's
// position itself, and is loaded again when the leader's position moved (on its hint, or every
// follower_refresh_ms), so its status equals the leader's without writing anything.
#pragma once

#include <spdlog/logger.h>

#include <chrono>
#include <functional>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "collector/engine/graph.h"
#include "collector/engine/notifications.h"
#include "collector/live/live_engine.h"
#include "collector/live/live_snapshot.h"
#include "collector/live/overlay_store.h"
#include "collector/store/election.h"
#include "collector/store/engine_store.h"
#include "collector/store/maintenance_store.h"
#include "collector/store/notification_store.h"
#include "collector/store/store.h"
#include "common/catalogue/model.h"
#include "common/time.h"

namespace slamon::collector {

struct LiveThreadOptions {
  DurationMs retention_ms = 35LL * 24 * 3600 * 1000;
  DurationMs prune_interval_ms = 3'600'000;
  DurationMs idle_wake_ms = 1'000;  // at least this often, even without news
  DurationMs snapshot_refresh_ms = 10'000;  // the published snapshot is at most this old (plus a wake)
  live::LiveOptions engine;
  DurationMs election_interval_ms = 1'000;  // a follower tries for the leadership, a leader checks it, this often
  DurationMs follower_refresh_ms = 2'000;   // a follower reads the leader's work again at least this often
  DurationMs hint_check_ms = 250;           // a follower looks for the leader's hint this often
  // Notifications (docs/notifications.md): the subjects are observed at most this often; none is
  // told in the first stale_after (the largest of the catalogue's) after the start, while the agents
  // reconnect and send what they spooled (a probe is stale then because the collector was away).
  DurationMs notify_every_ms = 1'000;
  DurationMs alerts_every_ms = 5'000;  // burn-rate alerts (they read the SLAs' timelines from the store)
  std::function<void()> on_notified;  // new rows in the delivery log (wakes the deliverer)
};

using live::LiveSnapshot;
using live::NodeNow;

class LiveThread {
 public:
  // `store` and `engine_store` are one connection the thread alone uses (not the store thread's).
  LiveThread(store::Store& store, store::EngineStore& engine_store, const Clock& clock, LiveThreadOptions options,
             std::shared_ptr<spdlog::logger> log);
  ~LiveThread();  // stop()
  LiveThread(const LiveThread&) = delete;
  LiveThread& operator=(const LiveThread&) = delete;

  // Several collectors on one store: the thread persists only while `election` makes it the leader,
  // its writes fenced through `fence` (may be null). Before start(); without it, always the leader.
  void set_election(store::Election* election, store::FencedWrites* fence);
  void start(std::shared_ptr<const catalogue::Catalogue> cat);
  // A reloaded catalogue: the engine starts again from the store with it.
  void set_catalogue(std::shared_ptr<const catalogue::Catalogue> cat);
  // Results were committed: apply them.
  void notify();
  void stop();

  std::shared_ptr<const LiveSnapshot> snapshot() const;

 private:
  void run();
  void catch_up(live::LiveEngine& engine, const catalogue::Catalogue& cat);
  void publish(live::LiveEngine& engine, const catalogue::Catalogue& cat, TimeMs now, bool log_changes);
  void prune(const catalogue::Catalogue& cat);
  // Polls the election; logs and fences a change of leadership.
  void poll_election();
  void follow(const std::string& why);
  // Observes the subjects and logs, in one transaction with the open set, what is to be told.
  void tell(live::LiveEngine& engine, const catalogue::Catalogue& cat, TimeMs now);

  store::Store& store_;
  store::EngineStore& engine_store_;
  const Clock& clock_;
  LiveThreadOptions options_;
  std::shared_ptr<spdlog::logger> log_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::shared_ptr<const catalogue::Catalogue> next_catalogue_;
  bool news_ = false;
  bool stopping_ = false;
  std::shared_ptr<const LiveSnapshot> snapshot_;
  struct Backlog {
    std::chrono::steady_clock::time_point since;
    TimeMs since_ms = 0;  // the same, on the clock
    std::size_t arrivals = 0, replayed = 0;
  };
  std::optional<Backlog> behind_;          // the engine thread's own
  bool summarised_ = false;                // the engine thread's: "live status: ..." was logged
  std::unique_ptr<engine::Graph> graph_;   // the engine thread's: of the running catalogue (publish)
  // The leadership (the engine thread's): the election, the fence, the last poll's outcome; a
  // follower's overlay, the leader's position it was loaded at, when, and whether a hint came since.
  store::Election* election_ = nullptr;
  store::FencedWrites* fence_ = nullptr;
  store::Leadership leadership_{true, 0, ""};
  bool polled_ = false, election_failing_ = false, wrote_as_leader_ = false;
  std::chrono::steady_clock::time_point next_election_, last_refresh_;
  std::unique_ptr<live::OverlayEngineStore> overlay_;
  store::EnginePosition follower_base_;
  bool hinted_ = false;
  // The engine thread's, for notifications: the open set as stored (nullopt: read it again), the
  // graph with every maintenance window (rebuilt when the windows or the catalogue change).
  std::optional<engine::OpenSubjects> open_;
  std::unique_ptr<engine::Graph> notify_graph_;
  std::vector<store::MaintenanceWindow> notify_windows_;
  TimeMs started_ms_ = 0;
  TimeMs next_tell_ = 0;
  TimeMs next_alerts_ = 0;
  std::vector<engine::SubjectState> alerts_;  // as last evaluated
  std::thread thread_;
};

}  // namespace slamon::collector
