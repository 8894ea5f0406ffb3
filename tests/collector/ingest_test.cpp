// Tests for collector/ingest.h, the store thread: group commit into a real SQLite store, outcomes
// delivered through the io thread's post in order, the bounded queue (submit refused when full, then
// on_room), a store failure acknowledging nothing, an outage retried with a backoff and logged once,
// the marks a hello needs, and the agent records.
// The store is the real SqliteStore behind a gate that lets a test hold the store thread inside a
// commit or make it fail.
#include "collector/ingest.h"

#include <doctest/doctest.h>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/sinks/ostream_sink.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <sstream>
#include <thread>

#include "collector/store/sqlite/sqlite_store.h"
#include "tests/temp_dir.h"

using namespace slamon;
using namespace slamon::collector;

namespace {

// The real store, with a gate on append_group and an injected failure.
class GatedStore final : public store::Store {
 public:
  explicit GatedStore(const std::string& path) : real_(path) {}
  void close_gate() {
    std::lock_guard l(m_);
    open_ = false;
  }
  void open_gate() {
    {
      std::lock_guard l(m_);
      open_ = true;
    }
    cv_.notify_all();
  }
  // Waits until the store thread is inside append_group (held at the gate).
  bool wait_held() {
    std::unique_lock l(m_);
    return cv_.wait_for(l, std::chrono::seconds(5), [&] { return held_; });
  }
  std::vector<std::size_t> group_sizes() {
    std::lock_guard l(m_);
    return sizes_;
  }
  std::atomic<bool> fail = false;

  store::AppendOutcome append(std::string_view a, const wire::Batch& b) override { return real_.append(a, b); }
  std::vector<store::AppendOutcome> append_group(std::span<const store::AgentBatch> g) override {
    {
      std::unique_lock l(m_);
      held_ = true;
      cv_.notify_all();
      cv_.wait(l, [&] { return open_; });
      held_ = false;
      sizes_.push_back(g.size());
    }
    if (fail) throw store::StoreFailure("disk I/O error (injected)");
    return real_.append_group(g);
  }
  std::uint64_t committed_seq(std::string_view a, std::uint64_t e) override { return real_.committed_seq(a, e); }
  wire::SeqRanges stored_ranges(std::string_view a, std::uint64_t e) override { return real_.stored_ranges(a, e); }
  std::uint64_t last_epoch(std::string_view a) override { return real_.last_epoch(a); }
  void for_each_result(const store::ResultQuery& q, const std::function<void(const ProbeResult&)>& f) override {
    real_.for_each_result(q, f);
  }
  std::vector<store::StoredGap> gaps(const store::ResultQuery& q) override { return real_.gaps(q); }
  std::uint64_t prune_results(TimeMs before, std::span<const std::string> keep) override {
    return real_.prune_results(before, keep);
  }
  std::optional<TimeMs> pruned_before() override { return real_.pruned_before(); }
  void record_agents(std::span<const store::AgentRecord> r) override { real_.record_agents(r); }
  void disconnect_all() override { real_.disconnect_all(); }
  std::vector<store::AgentRecord> agent_records() override { return real_.agent_records(); }

 private:
  store::sqlite::SqliteStore real_;
  std::mutex m_;
  std::condition_variable cv_;
  bool open_ = true;
  bool held_ = false;
  std::vector<std::size_t> sizes_;
};

// The io thread, as the test's main thread: posted callables wait here until run.
class PostQueue {
 public:
  Ingest::Post post() {
    return [this](std::function<void()> f) {
      {
        std::lock_guard l(m_);
        q_.push_back(std::move(f));
      }
      cv_.notify_all();
    };
  }
  // Runs what was posted until `done` holds (or 5 s pass); returns done().
  template <class Pred>
  bool run_until(Pred done) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!done()) {
      std::function<void()> f;
      {
        std::unique_lock l(m_);
        if (!cv_.wait_until(l, until, [&] { return !q_.empty(); })) return done();
        f = std::move(q_.front());
        q_.pop_front();
      }
      f();
    }
    return true;
  }

 private:
  std::mutex m_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> q_;
};

constexpr TimeMs kNow = 1'800'000'000'000;

class FixedClock final : public Clock {
 public:
  TimeMs now_ms() const override { return kNow; }
  std::int64_t steady_ns() const override { return 0; }
};

std::shared_ptr<const wire::Batch> batch(std::uint64_t epoch, std::uint64_t first, int n, const char* probe,
                                         TimeMs ts0 = kNow - 60'000) {
  auto b = std::make_shared<wire::Batch>();
  b->epoch = epoch;
  b->first_seq = first;
  for (int i = 0; i < n; ++i) {
    ProbeResult r;
    r.probe = probe;
    r.ts = ts0 + static_cast<TimeMs>(first) + i;  // by default within the retention (pruned otherwise)
    r.status = Status::up;
    b->entries.emplace_back(std::move(r));
  }
  return b;
}

std::shared_ptr<spdlog::logger> quiet() {
  return std::make_shared<spdlog::logger>("ingest", std::make_shared<spdlog::sinks::null_sink_mt>());
}

}  // namespace

TEST_CASE("queued batches of several agents commit in one group; outcomes come back in order through post") {
  test::TempDir dir;
  GatedStore store(dir.file("store.db"));
  PostQueue io;
  FixedClock clock;
  Ingest ingest(store, clock, io.post(), IngestOptions{}, quiet());
  ingest.start();

  store.close_gate();
  std::vector<std::string> seen;
  auto record = [&](std::string tag) {
    return [&seen, tag](BatchResult r) {
      REQUIRE(r.outcome);
      seen.push_back(tag + ":" + std::to_string(r.outcome->committed_seq) +
                     (r.outcome->kind == store::AppendOutcome::Kind::gap ? "gap" : "") +
                     (r.outcome->stored_above.empty() ? "" : "+" + wire::to_string(r.outcome->stored_above)));
    };
  };
  REQUIRE(ingest.submit("a1", batch(5, 1, 10, "p1"), record("a1")));
  REQUIRE(store.wait_held());  // the first batch is in a commit of its own; the others queue behind
  REQUIRE(ingest.submit("a1", batch(5, 11, 10, "p1"), record("a1")));
  REQUIRE(ingest.submit("a2", batch(7, 1, 3, "p2"), record("a2")));
  REQUIRE(ingest.submit("a1", batch(5, 30, 1, "p1"), record("a1")));  // past the mark: a range above it
  REQUIRE(ingest.submit("a1", batch(5, 1, 10, "p1"), record("a1")));  // a resend
  store.open_gate();
  REQUIRE(io.run_until([&] { return seen.size() == 5; }));
  CHECK(seen == std::vector<std::string>{"a1:10", "a1:20", "a2:3", "a1:20+30..30", "a1:20+30..30"});
  CHECK(store.group_sizes() == std::vector<std::size_t>{1, 4});  // group commit

  // The marks a hello needs.
  std::optional<AgentMarks> marks;
  ingest.lookup("a1", 5, [&](std::optional<AgentMarks> m, std::string) { marks = m; });
  REQUIRE(io.run_until([&] { return marks.has_value(); }));
  CHECK(marks->committed_seq == 20);
  CHECK(marks->last_epoch == 5);
  CHECK(marks->stored == wire::SeqRanges{{30, 30}});
  ingest.stop();
  std::size_t rows = 0;
  store.for_each_result({}, [&](const ProbeResult&) { ++rows; });
  CHECK(rows == 24);
}

TEST_CASE("a full queue refuses a batch until the store thread makes room, then on_room runs on the io thread") {
  test::TempDir dir;
  GatedStore store(dir.file("store.db"));
  PostQueue io;
  FixedClock clock;
  IngestOptions options;
  options.max_queued_batches = 2;
  Ingest ingest(store, clock, io.post(), options, quiet());
  bool room = false;
  ingest.set_on_room([&] { room = true; });
  ingest.start();
  store.close_gate();
  int acked = 0;
  auto done = [&](BatchResult r) { acked += r.outcome ? 1 : 0; };
  REQUIRE(ingest.submit("a1", batch(1, 1, 5, "p"), done));
  REQUIRE(store.wait_held());
  CHECK(ingest.submit("a1", batch(1, 6, 5, "p"), done));
  CHECK(ingest.submit("a1", batch(1, 11, 5, "p"), done));
  CHECK_FALSE(ingest.submit("a1", batch(1, 16, 5, "p"), done));  // full: the caller stops reading
  CHECK(ingest.queued() == 2);
  CHECK_FALSE(room);
  store.open_gate();
  REQUIRE(io.run_until([&] { return room && acked == 3; }));
  CHECK(ingest.submit("a1", batch(1, 16, 5, "p"), done));
  REQUIRE(io.run_until([&] { return acked == 4; }));
  ingest.stop();
}

TEST_CASE("a store failure acknowledges nothing of the group and says why; the next group commits") {
  test::TempDir dir;
  GatedStore store(dir.file("store.db"));
  PostQueue io;
  FixedClock clock;
  Ingest ingest(store, clock, io.post(), IngestOptions{}, quiet());
  ingest.start();
  store.fail = true;
  std::vector<BatchResult> results;
  auto keep = [&](BatchResult r) { results.push_back(std::move(r)); };
  REQUIRE(ingest.submit("a1", batch(1, 1, 5, "p"), keep));
  REQUIRE(io.run_until([&] { return results.size() == 1; }));
  CHECK_FALSE(results[0].outcome);
  CHECK(results[0].error.find("injected") != std::string::npos);
  // The store is the store thread's alone: a second connection reads it.
  CHECK(store::sqlite::SqliteStore(dir.file("store.db")).committed_seq("a1", 1) == 0);

  store.fail = false;
  REQUIRE(ingest.submit("a1", batch(1, 1, 5, "p"), keep));
  REQUIRE(io.run_until([&] { return results.size() == 2; }));
  REQUIRE(results[1].outcome);
  CHECK(results[1].outcome->committed_seq == 5);
  ingest.stop();
}

TEST_CASE("agent records are written by the store thread (at the latest when it stops), the newest state of each") {
  test::TempDir dir;
  GatedStore store(dir.file("store.db"));
  PostQueue io;
  FixedClock clock;
  Ingest ingest(store, clock, io.post(), IngestOptions{}, quiet());
  ingest.start();
  store::AgentRecord r;
  r.name = "a1";
  r.connected = true;
  r.peer = "127.0.0.1:1";
  r.epoch = 5;
  ingest.update_agent(r);
  r.committed_seq = 42;
  ingest.update_agent(r);
  ingest.stop();
  const auto records = store.agent_records();
  REQUIRE(records.size() == 1);
  CHECK(records[0] == r);
}


TEST_CASE("while the store is down, batches wait for the next retry (backoff), one line says it went down, one that it works again") {
  test::TempDir dir;
  GatedStore store(dir.file("store.db"));
  PostQueue io;
  FixedClock clock;
  std::ostringstream text;
  auto log = std::make_shared<spdlog::logger>("ingest", std::make_shared<spdlog::sinks::ostream_sink_mt>(text));
  IngestOptions o;
  o.retry_initial_ms = 100;
  o.retry_max_ms = 400;
  Ingest ingest(store, clock, io.post(), o, log);
  ingest.start();
  store.fail = true;
  std::vector<BatchResult> results;
  auto keep = [&](BatchResult r) { results.push_back(std::move(r)); };
  REQUIRE(ingest.submit("a1", batch(1, 1, 5, "p"), keep));
  REQUIRE(io.run_until([&] { return results.size() == 1; }));
  CHECK(ingest.store_down());
  // 30 batches over at least 600 ms: without the backoff each would be a call to the store.
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(600);
  std::uint64_t next = 6;
  for (int i = 0; i < 30 || std::chrono::steady_clock::now() < until; ++i) {
    REQUIRE(ingest.submit("a1", batch(1, next, 1, "p"), keep));
    ++next;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  const std::size_t calls_down = store.group_sizes().size();
  CHECK(calls_down <= 15);
  CHECK(calls_down >= 2);  // it did retry
  for (const auto& r : results) CHECK_FALSE(r.outcome);  // nothing acknowledged while down
  // The store works again: what still waits commits at the next retry, and ingest resumes.
  store.fail = false;
  REQUIRE(io.run_until([&] { return results.size() == next - 5; }));
  CHECK_FALSE(ingest.store_down());
  REQUIRE(results.back().outcome);
  REQUIRE(ingest.submit("a1", batch(2, 1, 3, "q"), keep));
  REQUIRE(io.run_until([&] { return results.size() == next - 4; }));
  REQUIRE(results.back().outcome);
  CHECK(results.back().outcome->committed_seq == 3);
  ingest.stop();
  const auto s = text.str();
  INFO(s);
  const auto count = [&](const std::string& what) {
    std::size_t n = 0;
    for (auto p = s.find(what); p != std::string::npos; p = s.find(what, p + 1)) ++n;
    return n;
  };
  CHECK(count("the store failed: disk I/O error (injected); nothing is acknowledged until it works again") == 1);
  CHECK(count("the store works again after ") == 1);
  CHECK(count("[error]") == 1);
}
