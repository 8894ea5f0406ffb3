// The burn-rate alert endpoints (see alert_routes.h).
#include "collector/api/alert_routes.h"

#include <algorithm>
#include <cmath>

#include "collector/api/route_helpers.h"
#include "collector/api/router.h"
#include "collector/engine/alerts_format.h"
#include "collector/engine/calendar.h"
#include "collector/engine/graph.h"
#include "collector/engine/node_timelines.h"
#include "collector/engine/period.h"
#include "collector/engine/sla_alerts.h"
#include "collector/live/store_reports.h"
#include "common/catalogue/writer.h"
#include "common/json_writer.h"

namespace slamon::collector::api {
namespace {

// Every SLA's (or one's) alerts over [from, to], results cut at `to` as `slamon alerts --db` cuts them.
std::vector<engine::SlaAlerts> compute_alerts(StoreContext& c, const catalogue::Catalogue& cat,
                                              const std::vector<const catalogue::Sla*>& slas, TimeMs from, TimeMs to) {
  const auto data = live::probe_data_for_reports(c.store, cat, engine::alerts_data_window(slas, from, to), to, {});
  engine::Graph graph(cat, {});
  engine::NodeTimelines nodes(graph, data);
  std::vector<engine::SlaAlerts> out;
  for (const auto* s : slas) out.push_back(engine::compute_sla_alerts(nodes, *s, from, to));
  return out;
}

void rate(JsonWriter& w, const std::optional<double>& v) {
  if (v && std::isfinite(*v)) w.value(*v);
  else w.null();
}

}  // namespace

std::string alerts_now_to_json(const std::vector<engine::SlaAlerts>& all, const ApiCatalogue& api_cat,
                            const live::LiveSnapshot& snap, TimeMs from, TimeMs to) {
  const auto& idx = api_cat.index;
  int firing = 0;
  for (const auto& s : all)
    for (const auto& r : s.rules) firing += r.alerts.firing_at_end ? 1 : 0;
  JsonWriter w;
  w.begin_object().key("as_of").value(format_rfc3339(to)).key("lookback_from").value(format_rfc3339(from));
  w.key("engine_position").begin_object().key("result_row").value(snap.position.result_row);
  w.key("gap_row").value(snap.position.gap_row).end_object();
  w.key("firing").value(firing);
  w.key("slas").begin_array();
  for (const auto& s : all) {
    w.begin_object().key("sla").value(s.sla);
    if (const auto it = idx.slas.find(s.sla); it != idx.slas.end()) w.key("service").value(it->second->service);
    if (!s.error.empty()) {
      w.key("error").value(s.error).end_object();
      continue;
    }
    int sla_firing = 0;
    w.key("rules").begin_array();
    for (const auto& r : s.rules) {
      const bool on = r.alerts.firing_at_end;
      sla_firing += on ? 1 : 0;
      w.begin_object()
          .key("severity").value(r.rule.severity)
          .key("long").value(catalogue::format_duration_single_unit(r.rule.long_ms))
          .key("short").value(catalogue::format_duration_single_unit(r.rule.short_ms))
          .key("factor").value(r.rule.factor.to_double())
          .key("firing").value(on)
          .key("since");
      // The last change is the firing one when it fires now; none: it fired before the lookback.
      if (on && !r.alerts.changes.empty()) w.value(format_rfc3339(r.alerts.changes.back().t));
      else w.null();
      w.key("burn_rate_long");
      rate(w, r.long_rate_at_end);
      w.key("burn_rate_short");
      rate(w, r.short_rate_at_end);
      w.end_object();
    }
    w.end_array().key("firing").value(sla_firing).key("forecast");
    engine::forecast_to_json(w, s.forecast);
    w.end_object();
  }
  w.end_array().end_object();
  return w.take() + "\n";
}

namespace {

Routed alerts_now(const Target& t, const ApiState& s) {
  std::string error;
  auto as_of = time_param(t, "as_of", error);
  if (!error.empty()) return answer(json_error(400, error));
  if (!s.live) return answer(no_snapshot());
  const TimeMs to = as_of ? *as_of : s.live->as_of;
  const TimeMs from = to - kAlertsLookbackMs;
  if (!engine::writable_instant(from)) return answer(json_error(400, "as_of is too early"));
  std::string key = "alerts|" + catalogue_key(*s.catalogue) + "|" + std::to_string(to) + "|" + position_key(s);
  return cached(s, std::move(key), [cat = s.catalogue, snap = s.live, from, to](StoreContext& c) {
    std::vector<const catalogue::Sla*> slas;
    for (const auto& sla : cat->reported->slas) slas.push_back(&sla);
    return json_ok(alerts_now_to_json(compute_alerts(c, *cat->reported, slas, from, to), *cat, *snap, from, to));
  });
}

Routed sla_alerts(const Target& t, const ApiState& s, const std::string& id) {
  if (s.catalogue->index.slas.count(id) == 0) return answer(not_found("SLA", id));
  std::string error;
  auto from = time_param(t, "from", error);
  auto to = time_param(t, "to", error);
  if (error.empty() && !to && !s.live) return answer(no_snapshot());
  if (error.empty()) {
    if (!to) to = s.live->as_of;
    if (!from) from = *to - kAlertsDefaultSpanMs;
    if (!engine::writable_instant(*from)) error = "from is too early";
    else if (*from >= *to) error = "from is not before to";
    else if (*to - *from > kAlertsMaxSpanMs) error = "the range is longer than 366 days";
  }
  if (!error.empty()) return answer(json_error(400, error));
  std::string key = "sla-alerts|" + catalogue_key(*s.catalogue) + "|" + id + "|" + std::to_string(*from) + "|" +
                    std::to_string(*to) + "|" + position_key(s);
  return cached(s, std::move(key), [cat = s.catalogue, id, f = *from, e = *to](StoreContext& c) {
    const auto& catalogue = *cat->reported;
    const auto it = std::find_if(catalogue.slas.begin(), catalogue.slas.end(), [&](const auto& x) { return x.id == id; });
    if (it == catalogue.slas.end()) return not_found("SLA", id);
    const auto out = compute_alerts(c, catalogue, {&*it}, f, e);
    if (!out.front().error.empty()) return json_error(400, out.front().error);
    return json_ok(engine::alerts_to_json(out, f, e));
  });
}

}  // namespace

std::optional<Routed> route_alerts(const Target& t, const ApiState& s) {
  const auto& seg = t.segments;  // "api", "v1", ...
  const bool all = seg.size() == 3 && seg[2] == "alerts";
  const bool one = seg.size() == 5 && seg[2] == "slas" && seg[4] == "alerts";
  if (!all && !one) return std::nullopt;
  if (!s.catalogue) return answer(json_error(503, "no catalogue is loaded yet"));
  return all ? alerts_now(t, s) : sla_alerts(t, s, seg[3]);
}

}  // namespace slamon::collector::api
