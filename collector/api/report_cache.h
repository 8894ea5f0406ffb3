// Computed reports kept for the next request that asks the same (GET /api/v1/slas/{id}/report and
// the other report endpoints, /api/v1/overview): keyed by what determines the figures, i.e. the
// running catalogue, the endpoint and its parameters, the cut (as_of) and the engine's position in
// the store's arrivals, so that a reload or a new result gives a new key and an entry can never be
// served stale. Bounded in bytes (least recently used first out); cleared on a catalogue reload.
// Shared by the io thread (lookups) and the store worker (inserts): one mutex, held for a map
// operation only.
#pragma once

#include <cstddef>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "collector/api/http_message.h"

namespace slamon::collector::api {

struct Overview;  // live_routes.h

class ReportCache {
 public:
  explicit ReportCache(std::size_t max_bytes = std::size_t{64} << 20) : max_bytes_(max_bytes) {}

  // The response stored under `key`, or null.
  std::shared_ptr<const Response> find(const std::string& key);
  // Stores (or replaces) it; entries least recently used go while the total is over the bound.
  void put(const std::string& key, std::shared_ptr<const Response> response);
  void clear();

  // The latest overview computed (for /metrics, which never computes one on the io thread).
  std::shared_ptr<const Overview> overview() const;
  void set_overview(std::shared_ptr<const Overview> o);
  // True for the caller that should start a refresh of the overview (no other one is under way);
  // refresh_done() when it ends.
  bool begin_refresh();
  void refresh_done();

  struct Stats {
    std::size_t entries = 0, bytes = 0;
    std::uint64_t hits = 0, misses = 0;
  };
  Stats stats() const;

 private:
  struct Entry {
    std::string key;
    std::shared_ptr<const Response> response;
    std::size_t bytes = 0;
  };
  mutable std::mutex mutex_;
  std::list<Entry> lru_;  // most recently used first
  std::unordered_map<std::string, std::list<Entry>::iterator> index_;
  std::size_t bytes_ = 0;
  std::size_t max_bytes_;
  std::uint64_t hits_ = 0, misses_ = 0;
  std::shared_ptr<const Overview> overview_;
  bool refreshing_ = false;
};

}  // namespace slamon::collector::api
