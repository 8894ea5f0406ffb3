// Opening and closing per subject, maintenance-aware, then routing.
#include "collector/engine/notifications.h"

#include <algorithm>

namespace slamon::engine {
namespace {

std::string_view type_name(SubjectState::Type t) {
  switch (t) {
    case SubjectState::Type::outage: return "outage";
    case SubjectState::Type::alert: return "alert";
    case SubjectState::Type::agent: return "agent";
  }
  return "";
}

NotifyKind opening(SubjectState::Type t) {
  switch (t) {
    case SubjectState::Type::outage: return NotifyKind::outage_opened;
    case SubjectState::Type::alert: return NotifyKind::alert_firing;
    case SubjectState::Type::agent: return NotifyKind::agent_lost;
  }
  return NotifyKind::outage_opened;
}

NotifyKind closing(SubjectState::Type t) {
  switch (t) {
    case SubjectState::Type::outage: return NotifyKind::outage_closed;
    case SubjectState::Type::alert: return NotifyKind::alert_resolved;
    case SubjectState::Type::agent: return NotifyKind::agent_back;
  }
  return NotifyKind::outage_closed;
}

bool any_or(const std::vector<std::string>& allowed, const std::string& v) {
  return allowed.empty() || std::find(allowed.begin(), allowed.end(), v) != allowed.end();
}

void add_once(std::vector<std::string>& to, const std::vector<std::string>& from) {
  for (const auto& x : from)
    if (std::find(to.begin(), to.end(), x) == to.end()) to.push_back(x);
}

void route(Notification& n, const SubjectState& s, const catalogue::Notifications& config) {
  const std::string kind(to_string(n.kind));
  for (const auto& r : config.routes) {
    if (!any_or(r.slas, s.sla) || !any_or(r.owners, s.owner) || !any_or(r.severities, s.severity) ||
        !any_or(r.kinds, kind))
      continue;
    add_once(n.webhooks, r.webhooks);
    add_once(n.emails, r.emails);
  }
}

}  // namespace

std::string_view to_string(NotifyKind k) {
  switch (k) {
    case NotifyKind::outage_opened: return "outage_opened";
    case NotifyKind::outage_closed: return "outage_closed";
    case NotifyKind::alert_firing: return "alert_firing";
    case NotifyKind::alert_resolved: return "alert_resolved";
    case NotifyKind::agent_lost: return "agent_lost";
    case NotifyKind::agent_back: return "agent_back";
  }
  return "";
}

std::vector<Notification> notifications_for(const std::vector<SubjectState>& now,
                                            const catalogue::Notifications& config, OpenSubjects& open) {
  std::vector<Notification> out;
  for (const auto& s : now) {
    const std::string key = std::string(type_name(s.type)) + ":" + s.subject;
    const bool told = open.count(key) != 0;
    const bool opens = s.active && !(s.type == SubjectState::Type::outage && s.planned);
    NotifyKind kind;
    if (opens && !told) {
      kind = opening(s.type);
      open.insert(key);
    } else if (!s.active && told) {
      kind = closing(s.type);
      open.erase(key);
    } else {
      continue;  // no change, or bad planned time
    }
    Notification n;
    n.kind = kind;
    n.subject = s.subject;
    n.sla = s.sla;
    n.severity = s.severity;
    n.at = s.since;
    n.dedup_key = key + ":" + std::string(to_string(kind)) + ":" + format_rfc3339(s.since);
    route(n, s, config);
    out.push_back(std::move(n));
  }
  return out;
}

}  // namespace slamon::engine
