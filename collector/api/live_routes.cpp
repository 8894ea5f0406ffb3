// The endpoints over the live snapshot and the store (see live_routes.h).
#include "collector/api/live_routes.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <map>

#include "collector/api/alert_routes.h"
#include "collector/api/notifications_api.h"
#include "collector/api/pagination.h"
#include "collector/api/route_helpers.h"
#include "collector/api/router.h"
#include "collector/engine/agreement_report.h"
#include "collector/engine/calendar.h"
#include "collector/engine/feasibility.h"
#include "collector/engine/feasibility_format.h"
#include "collector/engine/graph.h"
#include "collector/engine/history_window.h"
#include "collector/engine/kpi.h"
#include "collector/engine/node_timelines.h"
#include "collector/engine/period.h"
#include "collector/engine/report_format.h"
#include "collector/engine/report_set.h"
#include "collector/live/store_reports.h"
#include "common/catalogue/reader.h"
#include "common/json_writer.h"

namespace slamon::collector::api {
namespace {

constexpr DurationMs kMaxHistorySpanMs = 366LL * 24 * 3600 * 1000;  // GET .../history: at most a year (leap)
const char* const kCsv = "text/csv; charset=utf-8";

Response with_type(std::string body, const char* content_type) {
  Response r;
  r.body = std::move(body);
  r.content_type = content_type;
  return r;
}

std::optional<std::string> format_param(const Target& t, std::initializer_list<const char*> allowed, std::string& error) {
  const auto* v = t.param("format");
  if (!v) return std::string(*allowed.begin());
  for (const char* a : allowed)
    if (*v == a) return *v;
  error = "format '" + v->substr(0, 32) + "' is not one of:";
  for (const char* a : allowed) error += std::string(" ") + a;
  return std::nullopt;
}

void write_position(JsonWriter& w, const live::LiveSnapshot& snap) {
  w.key("as_of").value(format_rfc3339(snap.as_of));
  w.key("engine_position").begin_object().key("result_row").value(snap.position.result_row);
  w.key("gap_row").value(snap.position.gap_row).end_object();
}

void write_since(JsonWriter& w, const std::optional<TimeMs>& since) {
  if (since) w.key("since").value(format_rfc3339(*since));
  else w.key("since").null();
}

// ---- GET /api/v1/status, /api/v1/status/{id} ----------------------------------------------------

struct StatusItem {
  std::string id;
  const char* kind = "ci";
  const live::NodeNow* now = nullptr;
};

void write_status_item(JsonWriter& w, const StatusItem& i) {
  w.begin_object().key("id").value(i.id).key("kind").value(i.kind);
  w.key("status").value(to_string(i.now->status));
  write_since(w, i.now->since);
  w.end_object();
}

// Services and CIs, then probes, keyed by id and kind (an id may name a node and a probe).
std::map<std::string, StatusItem> status_items(const ApiState& s) {
  std::map<std::string, StatusItem> out;
  const auto& idx = s.catalogue->index;
  for (const auto& [id, n] : s.live->nodes) {
    const char* kind = idx.services.count(id) > 0 ? "service" : "ci";
    out.emplace(id + '\x1f' + kind, StatusItem{id, kind, &n});
  }
  for (const auto& [id, n] : s.live->probes) out.emplace(id + "\x1fprobe", StatusItem{id, "probe", &n});
  return out;
}

Response status_list(const Target& t, const ApiState& s) {
  const auto page = read_page(t);
  if (!page.page) return json_error(400, page.error);
  const auto items = status_items(s);
  JsonWriter w;
  w.begin_object();
  write_position(w, *s.live);
  w.key("items").begin_array();
  auto it = page.page->after ? items.upper_bound(*page.page->after) : items.begin();
  std::string last;
  for (std::size_t n = 0; it != items.end() && n < page.page->limit; ++it, ++n) {
    write_status_item(w, it->second);
    last = it->first;
  }
  w.end_array();
  if (it != items.end()) w.key("next_cursor").value(encode_cursor(last));
  else w.key("next_cursor").null();
  w.end_object();
  return json_ok(w.take());
}

Response status_one(const std::string& id, const ApiState& s) {
  const auto& idx = s.catalogue->index;
  StatusItem item{id, "ci", nullptr};
  if (const auto it = s.live->nodes.find(id); it != s.live->nodes.end()) {
    item.kind = idx.services.count(id) > 0 ? "service" : "ci";
    item.now = &it->second;
  } else if (const auto p = s.live->probes.find(id); p != s.live->probes.end()) {
    item.kind = "probe";
    item.now = &p->second;
  } else {
    return json_error(404, "'" + id.substr(0, 128) + "' is no service, CI or probe of the running catalogue");
  }
  JsonWriter w;
  w.begin_object().key("id").value(id).key("kind").value(item.kind).key("status").value(to_string(item.now->status));
  write_since(w, item.now->since);
  write_position(w, *s.live);
  w.end_object();
  return json_ok(w.take());
}

// ---- GET /api/v1/{services|cis|probes}/{id}/history -------------------------------------------

Response history(StoreContext& c, const ApiCatalogue& api_cat, const std::string& id, const std::string& kind,
                 TimeMs from, TimeMs to) {
  const auto& cat = *api_cat.reported;
  const engine::Interval window{from, to};
  const auto data = live::probe_data_for_reports(c.store, cat, window, std::nullopt, {});
  engine::Graph graph(cat, {});
  engine::NodeTimelines nodes(graph, data);
  const engine::StatusTimeline* tl = nullptr;
  if (kind == "probe") {
    if (const auto it = data.find(id); it != data.end()) tl = &it->second.timeline;
  } else if (const int n = graph.find(id); n >= 0) {
    tl = &nodes.status(n);
  }
  JsonWriter w;
  w.begin_object().key("id").value(id).key("kind").value(kind);
  w.key("from").value(format_rfc3339(from)).key("to").value(format_rfc3339(to));
  Status at = tl ? engine::status_at(*tl, from) : Status::unknown;
  w.key("status_at_from").value(to_string(at));
  w.key("changes").begin_array();
  if (tl)
    for (const auto& p : *tl) {
      if (p.t <= from) continue;
      if (p.t >= to) break;
      if (p.status == at) continue;
      at = p.status;
      w.begin_object().key("at").value(format_rfc3339(p.t)).key("status").value(to_string(p.status)).end_object();
    }
  w.end_array().end_object();
  return json_ok(w.take());
}

Routed route_history(const Target& t, const ApiState& s, const std::string& what, const std::string& id) {
  const auto& idx = s.catalogue->index;
  std::string kind;
  if (what == "services" && idx.services.count(id) > 0) kind = "service";
  else if (what == "cis" && idx.cis.count(id) > 0) kind = "ci";
  else if (what == "probes" && idx.probes.count(id) > 0) kind = "probe";
  if (kind.empty())
    return {not_found(what == "services" ? "service" : what == "cis" ? "CI" : "probe", id), {}, false, {}};
  std::string error;
  const auto from = time_param(t, "from", error);
  const auto to = time_param(t, "to", error);
  if (error.empty() && (!from || !to)) error = "history needs from and to (RFC 3339; [from, to))";
  if (error.empty() && *from >= *to) error = "from is not before to";
  if (error.empty() && *to - *from > kMaxHistorySpanMs) error = "the range is longer than 366 days";
  if (!error.empty()) return {json_error(400, error), {}, false, {}};
  return cached(s, "history|" + catalogue_key(*s.catalogue) + "|" + kind + "|" + id + "|" + std::to_string(*from) +
                       "|" + std::to_string(*to) + "|" + position_key(s),
                [cat = s.catalogue, id, kind, f = *from, e = *to](StoreContext& c) {
                  return history(c, *cat, id, kind, f, e);
                });
}

// ---- GET /api/v1/probes/{id}/results ----------------------------------------------------------

// A results cursor: the (ts, agent) of the last result of the previous page.
std::optional<std::pair<TimeMs, std::string>> parse_results_cursor(const std::string& s) {
  const auto bar = s.find('|');
  if (bar == std::string::npos) return std::nullopt;
  TimeMs ts = 0;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + bar, ts);
  if (ec != std::errc() || p != s.data() + bar) return std::nullopt;
  return std::pair{ts, s.substr(bar + 1)};
}

Routed route_results(const Target& t, const ApiState& s, const std::string& id) {
  if (s.catalogue->index.probes.count(id) == 0) return {not_found("probe", id), {}, false, {}};
  const auto page = read_page(t);
  if (!page.page) return {json_error(400, page.error), {}, false, {}};
  std::optional<std::pair<TimeMs, std::string>> after;
  if (page.page->after) {
    after = parse_results_cursor(*page.page->after);
    if (!after) return {json_error(400, "cursor is not one this endpoint gave"), {}, false, {}};
  }
  Routed r;
  r.job = [id, limit = page.page->limit, after](StoreContext& c) {
    const TimeMs from = after ? after->first + 1 : engine::kMaxTime;
    std::vector<ProbeResult> got;
    c.store.walk_probe_results(id, from, store::Store::Direction::backward, [&](const ProbeResult& p) {
      if (after && p.ts == after->first && p.agent <= after->second) return true;
      got.push_back(p);
      return got.size() <= limit;
    });
    JsonWriter w;
    w.begin_object().key("probe").value(id).key("items").begin_array();
    for (std::size_t i = 0; i < got.size() && i < limit; ++i) {
      const auto& p = got[i];
      w.begin_object().key("ts").value(format_rfc3339(p.ts)).key("agent").value(p.agent);
      w.key("status").value(to_string(p.status));
      if (p.latency_ms) w.key("latency_ms").value(*p.latency_ms);
      else w.key("latency_ms").null();
      w.key("detail").value(p.message).end_object();
    }
    w.end_array();
    if (got.size() > limit)
      w.key("next_cursor").value(encode_cursor(std::to_string(got[limit - 1].ts) + "|" + got[limit - 1].agent));
    else w.key("next_cursor").null();
    w.end_object();
    return json_ok(w.take());
  };
  return r;
}

// ---- Reports ------------------------------------------------------------------------------------

// The reports of `req` exactly as `slamon report --db --format json|csv|html` prints them.
Response report(StoreContext& c, const ApiCatalogue& api_cat, const engine::ReportRequest& req, const std::string& format) {
  const auto& cat = *api_cat.reported;
  const auto window = engine::report_window(cat, req);
  const auto data = live::probe_data_for_reports(c.store, cat, window, req.as_of, {});
  engine::Graph graph(cat, {});
  engine::NodeTimelines nodes(graph, data);
  engine::ReportSet set;
  try {
    set = engine::run_reports(nodes, data, cat, req);
  } catch (const std::bad_alloc&) {
    throw;
  } catch (const std::exception& e) {
    return json_error(400, e.what());
  }
  if (!set.error.empty()) return json_error(400, set.error);
  if (set.reports.empty()) {
    std::string why = "no report";
    for (const auto& l : set.left_out) why += (why == "no report" ? ": " : "; ") + l;
    return json_error(400, why);
  }
  if (format == "csv") return with_type(engine::reports_to_csv(set.reports), kCsv);
  if (format == "html") return with_type(engine::reports_to_html(set.reports, false), "text/html; charset=utf-8");
  return json_ok(engine::report_to_json(set.reports.front()) + "\n");
}

// The current period's label of a period kind in a timezone at `t`.
std::string current_label(catalogue::PeriodKind kind, const std::string& timezone, TimeMs t) {
  const auto zone = engine::find_zone(timezone);
  return engine::period_containing(kind, engine::local_date_of(zone, t), zone).label;
}

// GET /api/v1/slas/{id}/report and /api/v1/agreements/{id}/report.
Routed route_report(const Target& t, const ApiState& s, bool agreement, const std::string& id) {
  const auto& idx = s.catalogue->index;
  const catalogue::Sla* sla = nullptr;
  const catalogue::Agreement* ag = nullptr;
  if (agreement) {
    const auto it = idx.agreements.find(id);
    if (it == idx.agreements.end()) return {not_found("agreement", id), {}, false, {}};
    ag = it->second;
  } else {
    const auto it = idx.slas.find(id);
    if (it == idx.slas.end()) return {not_found("SLA", id), {}, false, {}};
    sla = it->second;
  }
  std::string error;
  auto as_of = time_param(t, "as_of", error);
  const auto format = format_param(t, {"json", "csv", "html"}, error);
  const auto* period = t.param("period");
  if (error.empty() && period && !engine::parse_period_label(*period))
    error = "period '" + period->substr(0, 32) + "' is not a period label (2026-10-05, 2026-W41, 2026-10, 2026-Q4, 2026)";
  if (!error.empty()) return {json_error(400, error), {}, false, {}};
  engine::ReportRequest req;
  if (period) {
    req.label = *period;
  } else {
    // The current period, cut at as_of or at the engine snapshot's instant.
    if (!as_of && !s.live) return {no_snapshot(), {}, false, {}};
    if (!as_of) as_of = s.live->as_of;
    req.label = agreement ? current_label(ag->period, ag->timezone, *as_of) : current_label(sla->period, sla->timezone, *as_of);
  }
  req.as_of = as_of;
  if (agreement) {
    req.agreements = true;
    req.agreement = id;
  } else {
    req.sla = id;
  }
  std::string key = std::string(agreement ? "agreement|" : "sla|") + catalogue_key(*s.catalogue) + "|" + id + "|" +
                    req.label + "|" + (as_of ? std::to_string(*as_of) : "-") + "|" + *format + "|" + position_key(s);
  return cached(s, std::move(key), [cat = s.catalogue, req, fmt = *format](StoreContext& c) { return report(c, *cat, req, fmt); });
}

// ---- GET /api/v1/kpi ------------------------------------------------------------------------------

std::string kpi_to_csv(const engine::Kpi& k) {
  std::string out = "group,key,periods,committed,met,percent\n";
  auto row = [&](const char* group, const engine::KpiGroup& g) {
    std::string key = g.key;
    if (key.find_first_of(",\"\n") != std::string::npos) {
      std::string q = "\"";
      for (char ch : key) q += ch == '"' ? std::string("\"\"") : std::string(1, ch);
      key = q + "\"";
    }
    out += std::string(group) + "," + key + "," + std::to_string(g.periods) + "," + std::to_string(g.committed) + "," +
           std::to_string(g.met) + ",";
    if (g.percent) {
      JsonWriter w;  // the shortest form that reads back the same, as in the JSON
      w.value(*g.percent);
      out += w.take();
    }
    out += "\n";
  };
  row("total", k.total);
  for (const auto& g : k.by_sla) row("sla", g);
  for (const auto& g : k.by_service) row("service", g);
  for (const auto& g : k.by_owner) row("owner", g);
  for (const auto& g : k.by_provider) row("provider", g);
  return out;
}

Routed route_kpi(const Target& t, const ApiState& s) {
  std::string error;
  auto as_of = time_param(t, "as_of", error);
  // Without as_of, cut at the engine snapshot's instant (as the current period's report is): a period
  // still running is not judged yet.
  if (!as_of && s.live) as_of = s.live->as_of;
  const auto format = format_param(t, {"json", "text", "csv"}, error);
  const auto* from_text = t.param("from");
  const auto* to_text = t.param("to");
  std::optional<catalogue::LocalDate> from, to;
  if (error.empty()) {
    if (from_text) from = catalogue::parse_local_date(*from_text);
    if (to_text) to = catalogue::parse_local_date(*to_text);
    if (!from || !to) error = "kpi needs from and to as dates (YYYY-MM-DD; [from, to))";
    else if (!(*from < *to)) error = "from is not before to";
  }
  if (!error.empty()) return {json_error(400, error), {}, false, {}};
  std::string key = "kpi|" + catalogue_key(*s.catalogue) + "|" + *from_text + "|" + *to_text + "|" +
                    (as_of ? std::to_string(*as_of) : "-") + "|" + *format + "|" + position_key(s);
  return cached(s, std::move(key), [cat = s.catalogue, f = *from, e = *to, as_of, fmt = *format](StoreContext& c) {
    const auto& catalogue = *cat->reported;
    const auto window = engine::kpi_window(catalogue, f, e, as_of);
    const auto data = live::probe_data_for_reports(c.store, catalogue, window, as_of, {});
    engine::Graph graph(catalogue, {});
    engine::NodeTimelines nodes(graph, data);
    const auto k = engine::compute_kpi(nodes, data, catalogue, f, e, as_of);
    if (!k.error.empty()) return json_error(400, k.error);
    if (fmt == "text") return with_type(engine::kpi_to_text(k), "text/plain; charset=utf-8");
    if (fmt == "csv") return with_type(kpi_to_csv(k), kCsv);
    return json_ok(engine::kpi_to_json(k));
  });
}

// ---- GET /api/v1/slas/{id}/feasibility ---------------------------------------------------------------

Routed route_feasibility(const Target& t, const ApiState& s, const std::string& id) {
  const auto it = s.catalogue->index.slas.find(id);
  if (it == s.catalogue->index.slas.end()) return {not_found("SLA", id), {}, false, {}};
  catalogue::LocalDate on{std::chrono::floor<std::chrono::days>(std::chrono::sys_time<std::chrono::milliseconds>(
      std::chrono::milliseconds(s.now_ms)))};
  if (const auto* d = t.param("date")) {
    const auto parsed = catalogue::parse_local_date(*d);
    if (!parsed) return {json_error(400, "date '" + d->substr(0, 32) + "' is not a date (YYYY-MM-DD)"), {}, false, {}};
    on = *parsed;
  }
  const std::string day = catalogue::format_local_date(on);
  Routed r;
  r.job = [cat = s.catalogue, sla = it->second, on, day](StoreContext&) {
    const auto& catalogue = *cat->reported;
    const engine::Graph graph(catalogue, {});
    const std::vector<engine::SlaFeasibility> one{engine::check_sla_feasibility(catalogue, graph, *sla, on)};
    JsonWriter w;
    w.begin_object().key("sla").value(sla->id).key("date").value(day).key("feasibility");
    engine::write_feasibility_json(w, one);
    w.end_object();
    return json_ok(w.take());
  };
  return r;
}

// ---- GET /api/v1/overview -------------------------------------------------------------------------

Routed route_overview(const ApiState& s) {
  auto snap = s.live;
  return cached(s, overview_key(*s.catalogue, snap->as_of, snap->position.result_row, snap->position.gap_row),
                [cat = s.catalogue, snap, cache = s.cache](StoreContext& c) {
                  auto o = std::make_shared<Overview>(compute_overview(c, *cat, snap->as_of));
                  o->result_row = snap->position.result_row;
                  o->gap_row = snap->position.gap_row;
                  o->arrivals_behind = count_arrivals_after(c, snap->position);
                  if (cache) cache->set_overview(o);
                  return json_ok(overview_to_json(*o));
                });
}

}  // namespace

std::int64_t count_arrivals_after(StoreContext& c, const store::EnginePosition& position) {
  std::int64_t n = 0;
  c.engine.arrivals_after(position, kArrivalsBehindCap, [&](const store::StoredArrival&) { ++n; });
  return n;
}

std::string overview_key(const ApiCatalogue& cat, TimeMs as_of, std::int64_t result_row, std::int64_t gap_row) {
  return "overview|" + catalogue_key(cat) + "|" + std::to_string(as_of) + "|" + std::to_string(result_row) + "/" +
         std::to_string(gap_row);
}

Overview compute_overview(StoreContext& c, const ApiCatalogue& api_cat, TimeMs as_of) {
  const auto& cat = *api_cat.reported;
  const auto& idx = api_cat.index;
  Overview o;
  o.as_of = as_of;
  std::vector<engine::ReportRequest> reqs;
  std::optional<engine::Interval> window;
  for (const auto& sla : cat.slas) {
    engine::ReportRequest req;
    req.sla = sla.id;
    req.label = current_label(sla.period, sla.timezone, as_of);
    req.as_of = as_of;
    if (const auto w = engine::report_window(cat, req)) engine::widen(window, *w);
    reqs.push_back(std::move(req));
  }
  std::vector<engine::ReportRequest> agreement_reqs;
  for (const auto& a : cat.agreements) {
    engine::ReportRequest req;
    req.agreements = true;
    req.agreement = a.id;
    req.label = current_label(a.period, a.timezone, as_of);
    req.as_of = as_of;
    if (const auto w = engine::agreement_window(cat, req)) engine::widen(window, *w);
    agreement_reqs.push_back(std::move(req));
  }
  const auto data = live::probe_data_for_reports(c.store, cat, window, as_of, {});
  engine::Graph graph(cat, {});
  engine::NodeTimelines nodes(graph, data);
  auto run = [&](const engine::ReportRequest& req) {
    engine::ReportSet set;
    try {
      set = engine::run_reports(nodes, data, cat, req);
    } catch (const std::bad_alloc&) {
      throw;
    } catch (const std::exception& e) {
      set.error = e.what();
    }
    return set;
  };
  for (const auto& req : agreement_reqs) {
    const auto set = run(req);
    if (!set.error.empty() || set.reports.empty()) {
      o.agreements_left_out.push_back(*req.agreement + ": " +
                                      (set.error.empty() && !set.left_out.empty() ? set.left_out.front() : set.error));
      continue;
    }
    const auto& r = set.reports.front();
    AgreementFigures f;
    f.agreement = r.sla;
    f.covers = r.service;
    if (r.agreement) {
      f.kind = std::string(catalogue::to_string(r.agreement->kind));
      f.provider = r.agreement->provider;
      if (r.agreement->restore_within_ms) f.restore_within_s = static_cast<double>(*r.agreement->restore_within_ms) / 1000.0;
    }
    f.period = r.period.label;
    f.complete = r.complete;
    f.target = r.target;
    f.availability = r.availability;
    f.error_budget_s = r.error_budget_s;
    f.error_budget_remaining_s = r.error_budget_remaining_s;
    f.longest_outage_s = static_cast<double>(r.longest_outage_ms) / 1000.0;
    f.met = r.met;
    f.missed_by = r.missed_by;
    o.agreements.push_back(std::move(f));
  }
  for (const auto& req : reqs) {
    const auto set = run(req);
    if (!set.error.empty() || set.reports.empty()) {
      o.left_out.push_back(*req.sla + ": " + (set.error.empty() && !set.left_out.empty() ? set.left_out.front() : set.error));
      continue;
    }
    const auto& r = set.reports.front();
    SlaFigures f;
    f.sla = r.sla;
    f.service = r.service;
    if (const auto sv = idx.services.find(r.service); sv != idx.services.end()) f.owner = sv->second->owner;
    else if (const auto ci = idx.cis.find(r.service); ci != idx.cis.end()) f.owner = ci->second->owner;
    f.period = r.period.label;
    f.complete = r.complete;
    f.target = r.target;
    f.availability = r.availability;
    f.error_budget_s = r.error_budget_s;
    f.error_budget_remaining_s = r.error_budget_remaining_s;
    f.met = r.met;
    if (f.met) {
      ++o.committed;
      if (*f.met) ++o.met;
    }
    o.slas.push_back(std::move(f));
  }
  return o;
}

std::string overview_to_json(const Overview& o) {
  JsonWriter w;
  w.begin_object().key("as_of").value(format_rfc3339(o.as_of));
  w.key("engine_position").begin_object().key("result_row").value(o.result_row).key("gap_row").value(o.gap_row);
  w.end_object();
  w.key("kpi").begin_object().key("committed").value(o.committed).key("met").value(o.met).key("percent");
  if (o.committed > 0) w.value(100.0 * o.met / o.committed);
  else w.null();
  w.end_object();
  w.key("slas").begin_array();
  for (const auto& f : o.slas) {
    w.begin_object().key("sla").value(f.sla).key("service").value(f.service).key("owner").value(f.owner);
    w.key("period").value(f.period).key("complete").value(f.complete);
    w.key("target").value(format_decimal4(f.target));
    w.key("availability");
    if (f.availability) w.value(*f.availability);
    else w.null();
    w.key("error_budget_s").value(f.error_budget_s).key("error_budget_remaining_s").value(f.error_budget_remaining_s);
    w.key("error_budget_remaining_percent");
    if (f.error_budget_s > 0) w.value(100.0 * f.error_budget_remaining_s / f.error_budget_s);
    else w.null();
    w.key("met");
    if (f.met) w.value(*f.met);
    else w.null();
    w.end_object();
  }
  w.end_array().key("left_out").begin_array();
  for (const auto& l : o.left_out) w.value(l);
  w.end_array().key("agreements").begin_array();
  auto opt = [&](const std::optional<double>& v) {
    if (v) w.value(*v);
    else w.null();
  };
  for (const auto& f : o.agreements) {
    w.begin_object().key("agreement").value(f.agreement).key("kind").value(f.kind).key("provider").value(f.provider);
    w.key("covers").value(f.covers).key("period").value(f.period).key("complete").value(f.complete);
    w.key("target").value(format_decimal4(f.target)).key("availability");
    opt(f.availability);
    w.key("error_budget_s").value(f.error_budget_s).key("error_budget_remaining_s").value(f.error_budget_remaining_s);
    w.key("longest_outage_s").value(f.longest_outage_s).key("restore_within_s");
    opt(f.restore_within_s);
    w.key("met");
    if (f.met) w.value(*f.met);
    else w.null();
    w.key("missed_by").begin_array();
    for (const auto& m : f.missed_by) w.value(m);
    w.end_array().end_object();
  }
  w.end_array().key("agreements_left_out").begin_array();
  for (const auto& l : o.agreements_left_out) w.value(l);
  w.end_array().end_object();
  return w.take();
}

std::optional<Routed> route_live(const Target& t, const ApiState& s) {
  if (auto alerts = route_alerts(t, s)) return alerts;
  const auto& seg = t.segments;  // "api", "v1", ...
  if (seg.size() < 3) return std::nullopt;
  const std::string& what = seg[2];
  if (what == "notifications" && seg.size() == 3) return route_notifications(t);
  const bool status = what == "status" && seg.size() <= 4;
  const bool overview = what == "overview" && seg.size() == 3;
  const bool kpi = what == "kpi" && seg.size() == 3;
  const std::string sub = seg.size() == 5 ? seg[4] : "";
  const bool history = sub == "history" && (what == "services" || what == "cis" || what == "probes");
  const bool results = sub == "results" && what == "probes";
  const bool report = sub == "report" && (what == "slas" || what == "agreements");
  const bool feasibility = sub == "feasibility" && what == "slas";
  if (!(status || overview || kpi || history || results || report || feasibility)) return std::nullopt;
  auto now = [](Response r) { return Routed{std::move(r), {}, false, {}}; };
  if (!s.catalogue) return now(json_error(503, "no catalogue is loaded yet"));
  if (status || overview) {
    if (!s.live) return now(no_snapshot());
    if (overview) return route_overview(s);
    return now(seg.size() == 3 ? status_list(t, s) : status_one(seg[3], s));
  }
  if (kpi) return route_kpi(t, s);
  if (history) return route_history(t, s, what, seg[3]);
  if (results) return route_results(t, s, seg[3]);
  if (feasibility) return route_feasibility(t, s, seg[3]);
  return route_report(t, s, what == "agreements", seg[3]);
}

}  // namespace slamon::collector::api
