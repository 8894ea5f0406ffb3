// The bounded cache of computed reports (see report_cache.h).
#include "collector/api/report_cache.h"

namespace slamon::collector::api {

std::shared_ptr<const Response> ReportCache::find(const std::string& key) {
  std::lock_guard lock(mutex_);
  const auto it = index_.find(key);
  if (it == index_.end()) {
    ++misses_;
    return nullptr;
  }
  ++hits_;
  lru_.splice(lru_.begin(), lru_, it->second);
  return it->second->response;
}

void ReportCache::put(const std::string& key, std::shared_ptr<const Response> response) {
  const std::size_t bytes = key.size() + response->body.size() + sizeof(Entry) + 64;
  std::lock_guard lock(mutex_);
  if (const auto it = index_.find(key); it != index_.end()) {
    bytes_ -= it->second->bytes;
    lru_.erase(it->second);
    index_.erase(it);
  }
  if (bytes > max_bytes_) return;  // larger than the whole cache: not kept
  lru_.push_front(Entry{key, std::move(response), bytes});
  index_.emplace(key, lru_.begin());
  bytes_ += bytes;
  while (bytes_ > max_bytes_ && !lru_.empty()) {
    bytes_ -= lru_.back().bytes;
    index_.erase(lru_.back().key);
    lru_.pop_back();
  }
}

void ReportCache::clear() {
  std::lock_guard lock(mutex_);
  lru_.clear();
  index_.clear();
  bytes_ = 0;
  overview_.reset();
}

std::shared_ptr<const Overview> ReportCache::overview() const {
  std::lock_guard lock(mutex_);
  return overview_;
}

void ReportCache::set_overview(std::shared_ptr<const Overview> o) {
  std::lock_guard lock(mutex_);
  overview_ = std::move(o);
}

bool ReportCache::begin_refresh() {
  std::lock_guard lock(mutex_);
  if (refreshing_) return false;
  refreshing_ = true;
  return true;
}

void ReportCache::refresh_done() {
  std::lock_guard lock(mutex_);
  refreshing_ = false;
}

ReportCache::Stats ReportCache::stats() const {
  std::lock_guard lock(mutex_);
  return Stats{lru_.size(), bytes_, hits_, misses_};
}

}  // namespace slamon::collector::api
