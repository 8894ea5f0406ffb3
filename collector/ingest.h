// The collector's store thread: the one owner of the Store. Sessions (on the io thread) hand it
// batches through a bounded queue; it commits everything queued, up to a cap, in one transaction
// (group commit) and posts each outcome back to the io thread, so an Ack leaves only after its COMMIT
// returned. It also answers the marks a hello needs and writes the agents' records every few seconds.
// When the store fails (PostgreSQL restarted, connection refused or reset), the failed group is not
// acknowledged (its sessions close; the agents send it again) and the store is *down*
// (ingest_outage.h): what is queued waits, unacknowledged, while the thread retries with a backoff
// (the store reconnects on its next call), logging only when the store goes down and when it works
// again; then ingest resumes.
// (The engine thread, collector/live_thread.h, applies what was committed and prunes.) No Asio here:
// the io thread is reached through the `Post` function the daemon passes in.
#pragma once

#include <spdlog/logger.h>

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "collector/ingest_outage.h"
#include "collector/session_logic.h"
#include "collector/store/store.h"
#include "common/time.h"

namespace slamon::collector {

struct IngestOptions {
  std::size_t max_queued_batches = 512;   // the global queue; past it, sessions stop reading
  std::size_t max_group_batches = 64;     // one transaction holds at most this many batches...
  std::size_t max_group_entries = 50'000; // ...and about this many entries (a larger batch goes alone)
  DurationMs record_interval_ms = 5'000;  // agent records written this often (those that changed)
  // Tests only (--debug-ingest-delay): when positive, every batch commits alone, this long after the
  // previous commit, as a slow store would (the store thread waits; the sessions' backpressure holds).
  DurationMs commit_delay_ms = 0;
  // While the store is down: the first retry after this long, the delay doubling up to retry_max_ms.
  DurationMs retry_initial_ms = 250;
  DurationMs retry_max_ms = 5'000;
};

// What became of a batch: committed (outcome), or not (error: the store failed; nothing committed).
struct BatchResult {
  std::optional<store::AppendOutcome> outcome;
  std::string error;
};

class Ingest {
 public:
  using Post = std::function<void(std::function<void()>)>;  // runs a callable on the io thread

  Ingest(store::Store& store, const Clock& clock, Post post, IngestOptions options,
         std::shared_ptr<spdlog::logger> log);
  ~Ingest();  // stop()
  Ingest(const Ingest&) = delete;
  Ingest& operator=(const Ingest&) = delete;

  void start();
  // Commits everything queued, answers every lookup, writes the pending records, joins the thread.
  void stop();

  // Queues a batch of `agent`; `done` runs on the io thread after the commit (or the failure).
  // False, and nothing queued, when the queue is full: the caller stops reading and tries again
  // when `on_room` (set once, before start) runs on the io thread.
  bool submit(std::string agent, std::shared_ptr<const wire::Batch> batch, std::function<void(BatchResult)> done);
  void set_on_room(std::function<void()> on_room) { on_room_ = std::move(on_room); }
  // Runs on the store thread after each commit that stored something (set once, before start).
  void set_on_committed(std::function<void()> on_committed) { on_committed_ = std::move(on_committed); }
  // The marks a hello needs; `done` runs on the io thread (nullopt: the store failed, `error` says why).
  void lookup(std::string agent, std::uint64_t epoch,
              std::function<void(std::optional<AgentMarks>, std::string error)> done);
  // The latest state of an agent's link; written with the others within record_interval_ms.
  void update_agent(store::AgentRecord record);

  std::size_t queued() const;
  // The store failed and has not worked since (thread-safe).
  bool store_down() const { return store_down_; }

 private:
  struct Job {
    std::string agent;
    std::shared_ptr<const wire::Batch> batch;
    std::function<void(BatchResult)> done;
  };
  struct Lookup {
    std::string agent;
    std::uint64_t epoch = 0;
    std::function<void(std::optional<AgentMarks>, std::string)> done;
  };
  void run();
  void commit(std::deque<Job>& group);
  void answer(std::deque<Lookup>& lookups);
  void write_records(std::map<std::string, store::AgentRecord>& records);
  // A store call failed (`what` for the log) or worked: the outage's state and its log lines.
  void store_failed(const std::string& error, const std::string& what);
  void store_worked();

  store::Store& store_;
  const Clock& clock_;
  Post post_;
  IngestOptions options_;
  std::shared_ptr<spdlog::logger> log_;
  std::function<void()> on_room_;
  std::function<void()> on_committed_;
  StoreOutage outage_;  // the store thread's alone
  std::atomic<bool> store_down_ = false;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Job> jobs_;
  std::deque<Lookup> lookups_;
  std::map<std::string, store::AgentRecord> records_;  // changed since the last write
  bool refused_since_room_ = false;  // a submit was refused: tell the io thread when there is room
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace slamon::collector
