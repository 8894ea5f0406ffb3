// Notifications from consecutive states (docs/notifications.md): outages opened and closed on a
// service or an SLA's node, burn-rate alerts firing and resolving, agents lost and back; nothing for
// planned time; each with a stable deduplication key, and routed to webhooks and e-mail addresses
// by the routes. Pure: the caller observes the states, keeps the open set between calls (and across
// restarts, so that one state change is told once) and delivers.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/catalogue/notifications.h"
#include "common/time.h"

namespace slamon::engine {

enum class NotifyKind : std::uint8_t { outage_opened, outage_closed, alert_firing, alert_resolved, agent_lost, agent_back };
std::string_view to_string(NotifyKind k);

// One subject as observed now.
struct SubjectState {
  enum class Type : std::uint8_t { outage, alert, agent };
  Type type = Type::outage;
  std::string subject;   // a service or CI id (outage), "SLA/severity/LONG/SHORT" (alert), an agent name
  std::string sla;       // the SLA concerned, "" when none (an agent, a service without SLA)
  std::string owner;     // the owner of the subject's service or CI, "" when unknown
  std::string severity;  // alerts: the rule's; outages are "page", agents "ticket"
  bool active = false;   // outage: bad; alert: firing; agent: lost
  bool planned = false;  // outage: the bad time is planned (maintenance): nothing is told
  TimeMs since = 0;      // the instant the current state began (the event's instant)
  bool operator==(const SubjectState&) const = default;
};

struct Notification {
  NotifyKind kind = NotifyKind::outage_opened;
  std::string subject;
  std::string sla;
  std::string severity;
  TimeMs at = 0;
  std::string dedup_key;  // "TYPE:SUBJECT:KIND:INSTANT", the same for the same change, whoever computes it
  std::vector<std::string> webhooks;  // ids, each once, in route order
  std::vector<std::string> emails;
  bool operator==(const Notification&) const = default;
};

// The keys "TYPE:SUBJECT" of subjects whose opening (outage opened, alert firing, agent lost) was
// told and whose closing was not yet.
using OpenSubjects = std::set<std::string>;

// The notifications for `now` given what was told (`open`, updated): an outage opens when it is bad
// and not planned, and closes when it is no longer bad (bad planned time neither opens nor closes
// it); alerts and agents open and close with `active`. Subjects absent from `now` are left as they
// are. A notification that matches no route is still returned, with no target.
std::vector<Notification> notifications_for(const std::vector<SubjectState>& now,
                                            const catalogue::Notifications& config, OpenSubjects& open);

}  // namespace slamon::engine
