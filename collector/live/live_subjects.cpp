// Outages and agents as the live engine sees them now (see live_subjects.h).
#include "collector/live/live_subjects.h"

#include <algorithm>
#include <map>

#include "collector/engine/calendar.h"
#include "collector/engine/node_timelines.h"
#include "collector/engine/policy.h"
#include "collector/engine/period.h"
#include "collector/engine/sla_alerts.h"
#include "collector/engine/sla_terms.h"
#include "common/json_writer.h"

namespace slamon::live {
namespace {

// The notion of bad of the first SLA on each node (its terms in effect today), by node id.
struct NodeSla {
  const catalogue::Sla* sla = nullptr;
  engine::BadSet bad{false, false};  // without an SLA: down only
};

std::map<std::string, NodeSla, std::less<>> slas_by_node(const catalogue::Catalogue& cat, TimeMs now) {
  std::map<std::string, NodeSla, std::less<>> out;
  for (const auto& sla : cat.slas) {
    if (out.count(sla.service) != 0) continue;
    const catalogue::SlaTerms* terms = nullptr;
    try {
      terms = engine::terms_in_effect(sla, engine::local_date_of(engine::find_zone(sla.timezone), now));
    } catch (const std::exception&) {
      terms = nullptr;
    }
    if (terms == nullptr && !sla.versions.empty()) terms = &sla.versions.front().terms;
    NodeSla n;
    n.sla = &sla;
    if (terms != nullptr) n.bad = engine::bad_set(*terms);
    out.emplace(sla.service, n);
  }
  return out;
}

}  // namespace

std::vector<engine::SubjectState> observe_subjects(const LiveEngine& engine, const catalogue::Catalogue& cat,
                                                   const engine::Graph& graph, TimeMs now) {
  engine::ProbeDataMap data;
  for (const auto& ci : cat.cis)
    for (const auto& p : ci.probes) data[p.id].timeline = engine.recent_timeline(p.id, now);
  engine::NodeTimelines nodes(graph, data);
  const auto slas = slas_by_node(cat, now);
  std::vector<engine::SubjectState> out;
  auto outage = [&](const std::string& id, const std::string& owner) {
    const int i = graph.find(id);
    if (i < 0) return;
    NodeSla ns;
    if (const auto it = slas.find(id); it != slas.end()) ns = it->second;
    const auto& tl = nodes.status(i);
    auto it = std::upper_bound(tl.begin(), tl.end(), now, [](TimeMs t, const engine::StatusPoint& p) { return t < p.t; });
    if (it == tl.begin()) return;  // no status yet
    --it;
    const bool bad = engine::is_bad(it->status, ns.bad);
    // The state began where the run of equally bad (or good) points began.
    while (it != tl.begin() && engine::is_bad(std::prev(it)->status, ns.bad) == bad) --it;
    engine::SubjectState s;
    s.type = engine::SubjectState::Type::outage;
    s.subject = id;
    s.sla = ns.sla ? ns.sla->id : "";
    s.owner = owner;
    s.severity = "page";
    s.active = bad;
    s.since = it->t;
    if (bad) s.planned = engine::contains(nodes.planned(i, ns.bad, engine::Interval{now, now + 1}), now);
    out.push_back(std::move(s));
  };
  for (const auto& sv : cat.services) outage(sv.id, sv.owner);
  for (const auto& ci : cat.cis) outage(ci.id, ci.owner);

  // Agents: lost when every probe they run is stale.
  std::map<std::string, std::vector<const catalogue::Probe*>> by_agent;
  for (const auto& ci : cat.cis)
    for (const auto& p : ci.probes)
      if (!p.agent.empty()) by_agent[p.agent].push_back(&p);
  for (const auto& [agent, probes] : by_agent) {
    std::optional<TimeMs> lost, back;
    bool all_stale = true, seen = false;
    for (const auto* p : probes) {
      const auto pn = engine.probe_now(p->id, now);
      if (!pn || !pn->since) continue;  // never had a status
      seen = true;
      if (const auto st = engine.stale_since(p->id, now)) {
        lost = lost ? std::max(*lost, *st) : *st;
      } else {
        all_stale = false;
        back = back ? std::min(*back, *pn->since) : *pn->since;
      }
    }
    if (!seen) continue;
    engine::SubjectState s;
    s.type = engine::SubjectState::Type::agent;
    s.subject = agent;
    s.severity = "ticket";
    s.active = all_stale;
    s.since = all_stale ? lost.value_or(now) : back.value_or(now);
    out.push_back(std::move(s));
  }
  return out;
}

namespace {

DurationMs longest_window(const catalogue::Sla& sla) {
  DurationMs w = 0;
  for (const auto& r : sla.burn_rate_rules()) w = std::max(w, r.long_ms);
  return w;
}

}  // namespace

engine::Interval alerts_window(const catalogue::Catalogue& cat, TimeMs now) {
  TimeMs lo = now;
  for (const auto& s : cat.slas) {
    const DurationMs longest = longest_window(s);
    if (longest == 0) continue;
    for (const auto& r : s.burn_rate_rules()) lo = std::min(lo, now - longest - r.long_ms);
    try {
      const engine::Zone zone = engine::find_zone(s.timezone);
      lo = std::min(lo, engine::period_containing(s.period, engine::local_date_of(zone, now - longest - 1), zone).start);
    } catch (const std::exception&) {
    }
  }
  return engine::Interval{lo - 1, now + 1};
}

std::vector<engine::SubjectState> observe_alerts(engine::NodeTimelines& nodes, const catalogue::Catalogue& cat,
                                                 TimeMs now) {
  std::map<std::string, std::string, std::less<>> owners;
  for (const auto& sv : cat.services) owners.emplace(sv.id, sv.owner);
  for (const auto& ci : cat.cis) owners.emplace(ci.id, ci.owner);
  std::vector<engine::SubjectState> out;
  for (const auto& sla : cat.slas) {
    const DurationMs longest = longest_window(sla);
    if (longest == 0) continue;
    // Over the longest window before now: a change in it says since when the alert is in its state.
    const TimeMs from = now - longest;
    const auto got = engine::compute_sla_alerts(nodes, sla, from, now);
    for (const auto& r : got.rules) {
      engine::SubjectState s;
      s.type = engine::SubjectState::Type::alert;
      s.subject = sla.id + "/" + r.rule.severity + "/" + format_duration(r.rule.long_ms) + "/" +
                  format_duration(r.rule.short_ms);
      s.sla = sla.id;
      if (const auto it = owners.find(sla.service); it != owners.end()) s.owner = it->second;
      s.severity = r.rule.severity;
      s.active = r.alerts.firing_at_end;
      s.since = r.alerts.changes.empty() ? from : r.alerts.changes.back().t;
      out.push_back(std::move(s));
    }
  }
  return out;
}

std::string notification_json(const engine::Notification& n) {
  JsonWriter w;
  w.begin_object();
  w.key("kind").value(engine::to_string(n.kind));
  w.key("subject").value(n.subject);
  w.key("sla").value(n.sla);
  w.key("severity").value(n.severity);
  w.key("at").value(format_rfc3339(n.at));
  w.key("dedup_key").value(n.dedup_key);
  w.end_object();
  return w.take();
}

std::vector<store::Delivery> claims_for(const engine::Notification& n, TimeMs now) {
  store::Delivery base;
  base.dedup_key = n.dedup_key;
  base.kind = std::string(engine::to_string(n.kind));
  base.subject = n.subject;
  base.sla = n.sla;
  base.at = n.at;
  base.payload = notification_json(n);
  base.created_ms = now;
  base.next_attempt_ms = now;
  std::vector<store::Delivery> out;
  for (const auto& id : n.webhooks) {
    out.push_back(base);
    out.back().target = store::webhook_target(id);
  }
  for (const auto& a : n.emails) {
    out.push_back(base);
    out.back().target = store::email_target(a);
  }
  if (out.empty()) {
    out.push_back(base);
    out.back().state = store::DeliveryState::unrouted;
  }
  return out;
}

}  // namespace slamon::live
