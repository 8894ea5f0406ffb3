// The store worker's threads (see store_worker.h).
#include "collector/store_worker.h"

namespace slamon::collector {

StoreWorker::StoreWorker(std::vector<WorkerConnection> connections, std::shared_ptr<spdlog::logger> log)
    : connections_(std::move(connections)), log_(std::move(log)) {
  for (std::size_t i = 0; i < connections_.size(); ++i) threads_.emplace_back([this, i] { run(i); });
}

StoreWorker::~StoreWorker() { stop(); }

void StoreWorker::post(Task task, bool writes) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    (writes ? writes_ : reads_).push_back(std::move(task));
  }
  // The writer may be the only one that can take it: wake every thread.
  if (writes) wake_.notify_all();
  else wake_.notify_one();
}

void StoreWorker::stop() {
  std::deque<Task> dropped_reads, dropped_writes;
  {
    std::lock_guard lock(mutex_);
    if (stopping_ && threads_.empty()) return;
    stopping_ = true;
    dropped_reads.swap(reads_);
    dropped_writes.swap(writes_);
  }
  wake_.notify_all();
  for (auto& t : threads_) t.join();
  threads_.clear();
}

std::size_t StoreWorker::queued() const {
  std::lock_guard lock(mutex_);
  return reads_.size() + writes_.size();
}

void StoreWorker::run(std::size_t index) {
  auto& conn = connections_[index];
  api::StoreContext context{*conn.store, *conn.engine};
  const bool writer = index == 0;
  for (;;) {
    Task task;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || !reads_.empty() || (writer && !writes_.empty()); });
      if (stopping_) return;
      auto& q = writer && !writes_.empty() ? writes_ : reads_;
      task = std::move(q.front());
      q.pop_front();
    }
    try {
      task(context);
    } catch (const std::exception& e) {
      log_->error("store worker: a task failed: {}", e.what());
    }
  }
}

}  // namespace slamon::collector
