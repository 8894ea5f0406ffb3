// The store worker: the HTTP API's handlers that need the store (collector/api/store_job.h) run here,
// on one or two threads with store connections of their own, never on the io thread. Jobs come in a
// queue (reads; writes, which only the first thread, the writer, runs, one at a time, before any
// read it has waiting); whoever posts a job gets its result through the job itself (the HTTP listener
// posts the response back to the io thread). The queue is bounded by the HTTP listener: a connection
// waits for its job before it reads the next request, so at most max_connections jobs wait. No Asio.
#pragma once

#include <spdlog/logger.h>

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "collector/api/store_job.h"
#include "collector/store/engine_store.h"
#include "collector/store/store.h"

namespace slamon::collector {

// One connection of the worker: the store and its engine tables (one object implementing both).
struct WorkerConnection {
  std::unique_ptr<store::Store> store;
  store::EngineStore* engine = nullptr;  // the same object as store
};

class StoreWorker {
 public:
  using Task = std::function<void(api::StoreContext&)>;
  // One thread per connection; connections[0] is the writer's.
  StoreWorker(std::vector<WorkerConnection> connections, std::shared_ptr<spdlog::logger> log);
  ~StoreWorker();  // stop()
  StoreWorker(const StoreWorker&) = delete;
  StoreWorker& operator=(const StoreWorker&) = delete;

  // Queues a task (thread-safe). A task's exceptions are logged, never thrown here.
  void post(Task task, bool writes = false);
  // Lets running tasks end, drops the queued ones, joins the threads.
  void stop();
  // Tasks waiting (not yet running).
  std::size_t queued() const;

 private:
  void run(std::size_t index);

  std::vector<WorkerConnection> connections_;
  std::shared_ptr<spdlog::logger> log_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Task> reads_, writes_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace slamon::collector
