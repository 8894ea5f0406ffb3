// What the collector counts while it runs, kept on the io thread by the link's sessions and the HTTP
// listener, and rendered by /metrics (metrics.h). Plain counters: no locks (one thread writes them).
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <string>

namespace slamon::collector::api {

struct LinkCounters {
  std::uint64_t connections = 0;              // TCP connections accepted
  std::uint64_t tls_handshake_failures = 0;
  std::map<std::string, std::uint64_t> refusals;  // Refusal reason (wire enum name) -> sessions refused
  std::uint64_t batches_stored = 0;           // batches committed (some entries may be duplicates)
  std::uint64_t batches_gap = 0;              // batches past the mark: a resend was asked
  std::uint64_t batches_failed = 0;           // store failures: not acknowledged
  std::uint64_t results_stored = 0;           // entries committed by those batches
  std::uint64_t results_duplicate = 0;        // entries at or below the mark, ignored
  std::uint64_t results_refused = 0;          // entries refused one by one (not assigned, in the future)
  std::uint64_t assignment_updates = 0;       // AssignmentUpdates sent on reloads
};

struct CatalogueCounters {
  std::uint64_t reloads_ok = 0;
  std::uint64_t reloads_failed = 0;
  std::int64_t loaded_ms = 0;  // when the running catalogue was loaded (Unix ms)
};

struct HttpCounters {
  std::map<int, std::uint64_t> responses;  // status -> responses sent
  std::uint64_t connections = 0;
  std::uint64_t bad_requests = 0;          // refused by the parser or its limits (before routing)
};

// Attempts of the notifications' delivery thread (collector/notifier.h), which writes them: atomics.
struct NotificationCounters {
  std::atomic<std::uint64_t> delivered{0};
  std::atomic<std::uint64_t> retried{0};  // failed attempts with a retry planned
  std::atomic<std::uint64_t> failed{0};   // failed attempts given up on
};

}  // namespace slamon::collector::api
