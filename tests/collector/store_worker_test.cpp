// Tests for collector/store_worker.h: tasks run on the worker's threads over their own connections
// (never on the caller's thread), write tasks on the writer (the first connection) only, a task's
// exception is logged and the worker goes on, and stop() returns with tasks still queued (dropped).
#include "collector/store_worker.h"

#include <doctest/doctest.h>
#include <spdlog/sinks/null_sink.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>

#include "collector/store/sqlite/sqlite_store.h"
#include "tests/temp_dir.h"

using namespace slamon;
using namespace slamon::collector;

namespace {

std::vector<WorkerConnection> connections(const test::TempDir& dir, int n) {
  std::vector<WorkerConnection> out;
  for (int i = 0; i < n; ++i) {
    auto s = std::make_unique<store::sqlite::SqliteStore>(dir.file("store.db"));
    auto* e = s.get();
    out.push_back(WorkerConnection{std::move(s), e});
  }
  return out;
}

std::shared_ptr<spdlog::logger> null_log() {
  return std::make_shared<spdlog::logger>("http", std::make_shared<spdlog::sinks::null_sink_mt>());
}

// Waits (bounded) until `n` tasks have counted down.
struct Latch {
  std::mutex m;
  std::condition_variable cv;
  int left;
  explicit Latch(int n) : left(n) {}
  void done() {
    std::lock_guard l(m);
    --left;
    cv.notify_all();
  }
  bool wait() {
    std::unique_lock l(m);
    return cv.wait_for(l, std::chrono::seconds(10), [&] { return left <= 0; });
  }
};

}  // namespace

TEST_CASE("store worker: tasks run off the caller's thread over the worker's connections; writes on the first only") {
  test::TempDir dir;
  auto conns = connections(dir, 2);
  const store::Store* writer = conns[0].store.get();
  StoreWorker w(std::move(conns), null_log());
  Latch latch(40);
  std::mutex m;
  std::set<std::thread::id> threads;
  std::set<const store::Store*> write_stores;
  std::atomic<int> positions{0};
  for (int i = 0; i < 20; ++i) {
    w.post([&](api::StoreContext& c) {
      if (c.engine.engine_position() == store::EnginePosition{}) ++positions;
      {
        std::lock_guard l(m);
        threads.insert(std::this_thread::get_id());
      }
      latch.done();
    });
    w.post(
        [&](api::StoreContext& c) {
          {
            std::lock_guard l(m);
            write_stores.insert(&c.store);
          }
          latch.done();
        },
        true);
  }
  REQUIRE(latch.wait());
  CHECK(positions == 20);
  CHECK(threads.count(std::this_thread::get_id()) == 0);
  CHECK(write_stores == std::set<const store::Store*>{writer});
}

TEST_CASE("store worker: a task that throws is logged and the next one runs; stop() drops what is queued") {
  test::TempDir dir;
  StoreWorker w(connections(dir, 1), null_log());
  Latch first(1);
  w.post([](api::StoreContext&) { throw store::StoreFailure("disk on fire"); });
  w.post([&](api::StoreContext&) { first.done(); });
  REQUIRE(first.wait());
  // Hold the only thread, queue more, stop: the held task ends, the queued ones never run.
  std::mutex gate;
  std::unique_lock hold(gate);
  Latch started(1);
  std::atomic<int> ran{0};
  w.post([&](api::StoreContext&) {
    started.done();
    std::lock_guard g(gate);
  });
  REQUIRE(started.wait());
  for (int i = 0; i < 5; ++i) w.post([&](api::StoreContext&) { ++ran; });
  CHECK(w.queued() == 5);
  std::thread stopper([&] { w.stop(); });
  for (int i = 0; i < 1000 && w.queued() > 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  CHECK(w.queued() == 0);  // dropped by stop(), which now waits for the held task
  hold.unlock();
  stopper.join();
  CHECK(ran == 0);
  w.post([&](api::StoreContext&) { ++ran; });  // after stop: ignored
  CHECK(ran == 0);
}
