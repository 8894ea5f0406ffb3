// What the collector told and delivered (docs/notifications.md): the open subjects (the keys
// "TYPE:SUBJECT" whose opening was told and whose closing was not yet: engine/notifications.h) and the
// delivery log, one row per (dedup_key, target) with the notification as JSON, its state, attempts,
// next attempt, last error and delivery instant.
//
// One write function per store (write_notifications): the engine thread claims the rows of new
// notifications (INSERT .. ON CONFLICT DO NOTHING on the unique (dedup_key, target)) in the same
// transaction that updates the open set, so one state change is logged once, also across a restart;
// the delivery thread records its attempts through it too. (A fencing check for several collectors
// goes there.)
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/time.h"

namespace slamon::store {

// The keys "TYPE:SUBJECT" told open (engine::OpenSubjects).
using OpenSubjectKeys = std::set<std::string>;

enum class DeliveryState : std::uint8_t {
  pending,    // to be attempted (again) at next_attempt_ms
  delivered,  // the target accepted it (webhook 2xx, SMTP accepted)
  failed,     // given up (retries for 24 h, or a target the running catalogue no longer has)
  unrouted,   // no route matched: logged, sent nowhere
};
std::string_view to_string(DeliveryState s);
// "pending", "delivered", "failed", "unrouted"; nullopt for anything else.
std::optional<DeliveryState> parse_delivery_state(std::string_view text);

// A target as the log names it: "webhook:ID", "email:ADDRESS", "" (unrouted).
std::string webhook_target(std::string_view id);
std::string email_target(std::string_view address);

// One row of the delivery log.
struct Delivery {
  std::int64_t id = 0;  // the row's number: newest has the highest
  std::string dedup_key;
  std::string target;
  std::string kind;     // the notification's (engine::to_string(NotifyKind))
  std::string subject;
  std::string sla;
  TimeMs at = 0;        // the instant the state began
  std::string payload;  // the notification as JSON (live/live_subjects.h: notification_json)
  DeliveryState state = DeliveryState::pending;
  int attempts = 0;
  TimeMs created_ms = 0;
  TimeMs next_attempt_ms = 0;
  std::string last_error;
  std::optional<TimeMs> delivered_ms;
  bool operator==(const Delivery&) const = default;
};

// An attempt's outcome, recorded on row `id`.
struct DeliveryAttempt {
  std::int64_t id = 0;
  DeliveryState state = DeliveryState::pending;  // delivered, failed, or pending again
  TimeMs at_ms = 0;                              // when it was made
  TimeMs next_attempt_ms = 0;                    // for pending
  std::string error;                             // "" when delivered
};

// Everything one call writes, in one transaction.
struct NotificationWrite {
  std::vector<std::string> opened;  // keys added to the open set
  std::vector<std::string> closed;  // keys removed from it
  std::vector<Delivery> claims;     // new rows (id, attempts, state... as given; id ignored); a row
                                    // whose (dedup_key, target) exists is left as it is
  std::vector<DeliveryAttempt> attempts;
};

struct DeliveryQuery {
  std::optional<DeliveryState> state;
  std::optional<std::int64_t> before_id;  // rows with a lower id (the next page)
  std::size_t limit = 100;
};

// How long a row taken for delivery is the taker's: one attempt (at most NotifierOptions::timeout_ms,
// 10 s, notifier.h) and its record, with room to spare.
inline constexpr DurationMs kDeliveryLeaseMs = 60'000;

class NotificationStore {
 public:
  virtual ~NotificationStore() = default;
  virtual OpenSubjectKeys open_subjects() = 0;
  // Returns how many claims were new rows. Throws StoreFailure (nothing written).
  virtual std::size_t write_notifications(const NotificationWrite& w) = 0;
  // Takes the pending rows due at `now` (next_attempt_ms <= now), oldest first, at most `limit`:
  // their next attempt moves to now + kDeliveryLeaseMs (the attempt's outcome sets it again), so
  // that no two deliverers (several collectors on one store) take the same row; rows another
  // transaction holds are skipped. A deliverer that dies holding rows leaves them to the others
  // once the lease has run out.
  virtual std::vector<Delivery> due_deliveries(TimeMs now, std::size_t limit) = 0;
  // The earliest next_attempt_ms of a pending row.
  virtual std::optional<TimeMs> next_due() = 0;
  // The log, newest first.
  virtual std::vector<Delivery> deliveries(const DeliveryQuery& q) = 0;
  // Rows per state (for /metrics).
  virtual std::vector<std::pair<DeliveryState, std::int64_t>> delivery_counts() = 0;
};

// Backoff after `attempts` failed attempts: 1 s, 2 s, 4 s ... capped at `cap_ms`.
DurationMs retry_delay(int attempts, DurationMs first_ms = 1'000, DurationMs cap_ms = 300'000);

}  // namespace slamon::store
