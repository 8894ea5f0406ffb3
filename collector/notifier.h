// The collector's delivery thread (docs/notifications.md): it takes the pending rows of the delivery
// log (store/notification_store.h) that are due, delivers each to its target (a webhook as a JSON
// POST, an address over SMTP) through libcurl, and records every attempt: delivered, pending again
// after a backoff (1 s, 2 s, 4 s ... capped at 5 min), or failed once the row is 24 h old. Woken by the
// engine thread when it logged new rows, by the next due attempt, and at least every few seconds
// (rows left pending by a previous run are picked up at the start).
//
// A thread of its own, not the io context: libcurl's easy interface blocks for up to its timeouts, and
// a slow receiver must hold neither the agents' sessions nor the API. No Asio here.
#pragma once

#include <spdlog/logger.h>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "collector/api/counters.h"
#include "collector/store/notification_store.h"
#include "common/catalogue/notifications.h"
#include "common/time.h"

namespace slamon::collector {

struct NotifierOptions {
  DurationMs first_retry_ms = 1'000;
  DurationMs max_retry_ms = 300'000;
  DurationMs give_up_after_ms = 24LL * 3600 * 1000;
  DurationMs timeout_ms = 10'000;          // a whole attempt
  DurationMs connect_timeout_ms = 5'000;
  DurationMs idle_wake_ms = 5'000;         // look at the log at least this often
  std::size_t rows_per_wake = 100;
};

// What one attempt came to: delivered, or the reason (no secret in it).
struct AttemptOutcome {
  bool delivered = false;
  std::string peer;   // the URL without credentials, or the SMTP relay
  std::string error;  // "" when delivered
};

// One attempt at delivering `row` over libcurl, with the settings of `config`.
AttemptOutcome deliver_once(const store::Delivery& row, const catalogue::Notifications& config,
                            const NotifierOptions& options);

class Notifier {
 public:
  // `store` is a connection the thread alone uses.
  Notifier(store::NotificationStore& store, const Clock& clock, NotifierOptions options,
           std::shared_ptr<spdlog::logger> log, api::NotificationCounters* counters = nullptr);
  ~Notifier();  // stop()
  Notifier(const Notifier&) = delete;
  Notifier& operator=(const Notifier&) = delete;

  void start(std::shared_ptr<const catalogue::Notifications> config);
  void set_config(std::shared_ptr<const catalogue::Notifications> config);
  // New rows were logged: look now.
  void notify();
  void stop();

 private:
  void run();
  void attempt(const store::Delivery& row, const catalogue::Notifications& config);

  store::NotificationStore& store_;
  const Clock& clock_;
  NotifierOptions options_;
  std::shared_ptr<spdlog::logger> log_;
  api::NotificationCounters* counters_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::shared_ptr<const catalogue::Notifications> config_;
  bool news_ = false;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace slamon::collector
