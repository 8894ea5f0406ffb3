// The collector's store thread (see ingest.h).
#include "collector/ingest.h"

#include <algorithm>
#include <chrono>
#include <vector>

namespace slamon::collector {

Ingest::Ingest(store::Store& store, const Clock& clock, Post post, IngestOptions options,
               std::shared_ptr<spdlog::logger> log)
    : store_(store),
      clock_(clock),
      post_(std::move(post)),
      options_(options),
      log_(std::move(log)),
      outage_(options.retry_initial_ms, options.retry_max_ms) {}

namespace {
// The steady clock in ms: the outage's retry instants.
TimeMs steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}
}  // namespace

void Ingest::store_failed(const std::string& error, const std::string& what) {
  if (auto line = outage_.failed(steady_ms(), error)) {
    log_->error("{} ({})", *line, what);
  } else {
    log_->debug("the store still fails ({}): {}; next attempt in {} ms", what, error, outage_.retry_at_ms() - steady_ms());
  }
  store_down_ = true;
}

void Ingest::store_worked() {
  if (auto line = outage_.succeeded(steady_ms())) log_->info("{}", *line);
  store_down_ = false;
}

Ingest::~Ingest() { stop(); }

void Ingest::start() {
  if (!thread_.joinable()) thread_ = std::thread([this] { run(); });
}

void Ingest::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

bool Ingest::submit(std::string agent, std::shared_ptr<const wire::Batch> batch, std::function<void(BatchResult)> done) {
  {
    std::lock_guard lock(mutex_);
    if (jobs_.size() >= options_.max_queued_batches) {
      refused_since_room_ = true;
      return false;
    }
    jobs_.push_back(Job{std::move(agent), std::move(batch), std::move(done)});
  }
  wake_.notify_one();
  return true;
}

void Ingest::lookup(std::string agent, std::uint64_t epoch,
                    std::function<void(std::optional<AgentMarks>, std::string)> done) {
  {
    std::lock_guard lock(mutex_);
    lookups_.push_back(Lookup{std::move(agent), epoch, std::move(done)});
  }
  wake_.notify_one();
}

void Ingest::update_agent(store::AgentRecord record) {
  std::lock_guard lock(mutex_);
  auto name = record.name;
  records_[std::move(name)] = std::move(record);
}

std::size_t Ingest::queued() const {
  std::lock_guard lock(mutex_);
  return jobs_.size();
}

void Ingest::run() {
  using clock = std::chrono::steady_clock;
  auto next_records = clock::now() + std::chrono::milliseconds(options_.record_interval_ms);
  for (;;) {
    std::deque<Lookup> lookups;
    std::deque<Job> group;
    std::map<std::string, store::AgentRecord> records;
    bool room = false;
    bool last = false;
    {
      std::unique_lock lock(mutex_);
      // While the store is down, what is queued waits for the next retry instant (or the stop).
      const auto retry_at = clock::time_point(std::chrono::milliseconds(outage_.retry_at_ms()));
      const auto may_try = [&] { return stopping_ || outage_.may_try(steady_ms()); };
      wake_.wait_until(lock, may_try() ? next_records : std::min(next_records, retry_at),
                       [&] { return stopping_ || (may_try() && (!jobs_.empty() || !lookups_.empty())); });
      const bool trying = may_try();
      if (trying) lookups.swap(lookups_);
      std::size_t entries = 0;
      const std::size_t max_group = options_.commit_delay_ms > 0 ? 1 : options_.max_group_batches;
      while (trying && !jobs_.empty() && group.size() < max_group &&
             (group.empty() || entries + jobs_.front().batch->entries.size() <= options_.max_group_entries)) {
        entries += jobs_.front().batch->entries.size();
        group.push_back(std::move(jobs_.front()));
        jobs_.pop_front();
      }
      if (refused_since_room_ && jobs_.size() < options_.max_queued_batches) {
        refused_since_room_ = false;
        room = true;
      }
      const bool records_due = clock::now() >= next_records && trying;
      last = stopping_ && jobs_.empty() && lookups_.empty();
      if (records_due || last) records.swap(records_);
    }
    if (room && on_room_) post_(on_room_);
    if (!lookups.empty()) answer(lookups);
    if (!group.empty() && options_.commit_delay_ms > 0)
      std::this_thread::sleep_for(std::chrono::milliseconds(options_.commit_delay_ms));  // a test setting
    if (!group.empty()) commit(group);
    if (!records.empty()) write_records(records);
    if (clock::now() >= next_records) next_records = clock::now() + std::chrono::milliseconds(options_.record_interval_ms);
    if (last) break;
  }
}

void Ingest::answer(std::deque<Lookup>& lookups) {
  for (auto& l : lookups) {
    std::optional<AgentMarks> marks;
    std::string error;
    try {
      marks = AgentMarks{store_.committed_seq(l.agent, l.epoch), store_.last_epoch(l.agent),
                         store_.stored_ranges(l.agent, l.epoch)};
      store_worked();
    } catch (const store::StoreFailure& e) {
      error = e.what();
      store_failed(error, "reading the marks of " + l.agent + ", epoch " + std::to_string(l.epoch));
    }
    post_([done = std::move(l.done), marks, error]() { done(marks, error); });
  }
}

void Ingest::commit(std::deque<Job>& group) {
  std::vector<store::AgentBatch> batches;
  batches.reserve(group.size());
  std::size_t entries = 0;
  for (const auto& j : group) {
    batches.push_back(store::AgentBatch{j.agent, j.batch.get()});
    entries += j.batch->entries.size();
  }
  std::vector<store::AppendOutcome> outcomes;
  std::string error;
  const auto t0 = std::chrono::steady_clock::now();
  try {
    outcomes = store_.append_group(batches);
  } catch (const store::StoreFailure& e) {
    error = e.what();
  }
  if (!error.empty() || outcomes.size() != group.size()) {
    if (error.empty()) error = "the store returned " + std::to_string(outcomes.size()) + " outcomes for " +
                               std::to_string(group.size()) + " batches";
    store_failed(error, "committing " + std::to_string(group.size()) + " batches, " + std::to_string(entries) +
                            " entries: none is acknowledged, their sessions are closed and the agents send them again");
    for (auto& j : group) post_([done = std::move(j.done), error]() { done(BatchResult{std::nullopt, error}); });
    return;
  }
  store_worked();
  log_->debug("committed {} batches ({} entries) in {} ms", group.size(), entries,
              std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count());
  for (std::size_t i = 0; i < group.size(); ++i)
    post_([done = std::move(group[i].done), o = outcomes[i]]() { done(BatchResult{o, {}}); });
  if (on_committed_ && std::any_of(outcomes.begin(), outcomes.end(), [](const auto& o) { return o.stored > 0; }))
    on_committed_();
}

void Ingest::write_records(std::map<std::string, store::AgentRecord>& records) {
  std::vector<store::AgentRecord> list;
  list.reserve(records.size());
  for (auto& [_, r] : records) list.push_back(std::move(r));
  try {
    store_.record_agents(list);
    store_worked();
  } catch (const store::StoreFailure& e) {
    store_failed(e.what(), "writing " + std::to_string(list.size()) + " agent records: tried again with the next ones");
    std::lock_guard lock(mutex_);
    for (auto& r : list) records_.try_emplace(r.name, std::move(r));  // a newer state wins
  }
}

}  // namespace slamon::collector
