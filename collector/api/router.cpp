// Routing and handlers of the HTTP API (see router.h).
#include "collector/api/router.h"

#include <algorithm>
#include <atomic>
#include <functional>
#include <set>

#include "collector/api/live_routes.h"
#include "collector/api/pagination.h"
#include "common/json_writer.h"

namespace slamon::collector::api {
namespace {

using namespace slamon::catalogue;

Response method_not_allowed(std::string_view allow) {
  auto r = json_error(405, "method not allowed here (allowed: " + std::string(allow) + ")");
  r.headers.emplace_back("Allow", std::string(allow));
  return r;
}

// A paginated list over a map kept in key order.
template <class Map, class Write>
Response list(const Target& t, const Map& items, Write write) {
  const auto page = read_page(t);
  if (!page.page) return json_error(400, page.error);
  JsonWriter w;
  w.begin_object().key("items").begin_array();
  auto it = page.page->after ? items.upper_bound(*page.page->after) : items.begin();
  std::size_t n = 0;
  std::string last;
  for (; it != items.end() && n < page.page->limit; ++it, ++n) {
    write(w, it->first, it->second);
    last = it->first;
  }
  w.end_array();
  if (it != items.end()) w.key("next_cursor").value(encode_cursor(last));
  else w.key("next_cursor").null();
  w.end_object();
  return json_ok(w.take());
}

// One item of a map by its id, or 404.
template <class Map, class Write>
Response one(const Map& items, const std::string& id, std::string_view what, Write write) {
  const auto it = items.find(id);
  if (it == items.end()) return json_error(404, std::string(what) + " '" + id.substr(0, 128) + "' is not in the catalogue");
  JsonWriter w;
  write(w, it->first, it->second);
  return json_ok(w.take());
}

struct AgentView {
  const Agent* agent = nullptr;             // null: known to the store only
  const ServedAgent* served = nullptr;
  const store::AgentRecord* record = nullptr;
};

void write_agent_view(JsonWriter& w, const std::string& name, const AgentView& v) {
  w.begin_object().key("name").value(name).key("in_catalogue").value(v.agent != nullptr);
  if (v.agent) {
    w.key("labels").begin_object();
    for (const auto& [k, l] : v.agent->labels) w.key(k).value(l);
    w.end_object();
  }
  const auto* r = v.record;
  w.key("connected").value(r && r->connected);
  if (r && !r->peer.empty()) w.key("peer").value(r->peer);
  else w.key("peer").null();
  if (r && r->last_seen_ms > 0) w.key("last_seen").value(format_rfc3339(r->last_seen_ms));
  else w.key("last_seen").null();
  if (r && r->clock_offset_ms) w.key("clock_offset_ms").value(std::int64_t{*r->clock_offset_ms});
  else w.key("clock_offset_ms").null();
  w.key("backlog").value(static_cast<std::int64_t>(r ? r->backlog : 0));
  if (r && !r->assignment_version.empty()) w.key("assignment_version").value(r->assignment_version);
  else w.key("assignment_version").null();
  if (v.served) {
    w.key("assigned_version").value(v.served->assignment.version());
    w.key("assignment_current").value(r && r->assignment_version == v.served->assignment.version());
    w.key("probes").value(static_cast<std::int64_t>(v.served->assigned.size()));
  } else {
    w.key("assigned_version").null().key("assignment_current").value(false).key("probes").value(0);
  }
  w.key("epoch").value(static_cast<std::int64_t>(r ? r->epoch : 0));
  w.key("committed_seq").value(static_cast<std::int64_t>(r ? r->committed_seq : 0));
  w.end_object();
}

std::map<std::string, AgentView, std::less<>> agent_views(const ApiState& s) {
  std::map<std::string, AgentView, std::less<>> out;
  if (s.catalogue) {
    for (const auto& [name, a] : s.catalogue->index.agents) out[name].agent = a;
    for (const auto& [name, a] : s.catalogue->served->agents) out[name].served = &a;
  }
  if (s.agents)
    for (const auto& [name, r] : *s.agents) out[name].record = &r;
  return out;
}

std::string catalogue_tree(const ApiCatalogue& c) {
  const auto& idx = c.index;
  JsonWriter w;
  w.begin_object();
  w.key("loaded_at").value(format_rfc3339(c.loaded_ms));
  w.key("counts").begin_object()
      .key("services").value(static_cast<std::int64_t>(idx.services.size()))
      .key("cis").value(static_cast<std::int64_t>(idx.cis.size()))
      .key("probes").value(static_cast<std::int64_t>(idx.probes.size()))
      .key("slas").value(static_cast<std::int64_t>(idx.slas.size()))
      .key("agreements").value(static_cast<std::int64_t>(idx.agreements.size()))
      .key("maintenance").value(static_cast<std::int64_t>(idx.maintenance.size()))
      .key("agents").value(static_cast<std::int64_t>(idx.agents.size()))
      .end_object();
  w.key("roots").begin_array();
  for (const auto& r : idx.roots) w.value(r);
  w.end_array();
  w.key("services").begin_array();
  for (const auto& [_, s] : idx.services) write_service(w, *s, idx);
  w.end_array().key("cis").begin_array();
  for (const auto& [_, ci] : idx.cis) write_ci(w, *ci, idx);
  w.end_array().key("probes").begin_array();
  for (const auto& [_, p] : idx.probes) write_probe(w, *p);
  w.end_array().key("slas").begin_array();
  for (const auto& [_, s] : idx.slas) write_sla(w, *s);
  w.end_array().key("agreements").begin_array();
  for (const auto& [_, a] : idx.agreements) write_agreement(w, *a);
  w.end_array().key("maintenance").begin_array();
  for (const auto& [_, m] : idx.maintenance) write_maintenance(w, *m);
  w.end_array().key("agents").begin_array();
  for (const auto& [_, a] : idx.agents) write_agent(w, *a);
  w.end_array().end_object();
  return w.take();
}

Response api_index() {
  JsonWriter w;
  w.begin_object().key("version").value("v1").key("endpoints").begin_array();
  for (const char* e : {"/api/v1/catalogue", "/api/v1/services", "/api/v1/services/{id}", "/api/v1/cis",
                        "/api/v1/cis/{id}", "/api/v1/probes", "/api/v1/probes/{id}", "/api/v1/slas",
                        "/api/v1/slas/{id}", "/api/v1/agreements", "/api/v1/agreements/{id}", "/api/v1/maintenance",
                        "/api/v1/maintenance/{id}", "POST /api/v1/maintenance", "POST /api/v1/maintenance/{id}/end",
                        "/api/v1/agents", "/api/v1/agents/{name}", "/api/v1/status",
                        "/api/v1/status/{id}", "/api/v1/services/{id}/history", "/api/v1/cis/{id}/history",
                        "/api/v1/probes/{id}/history", "/api/v1/probes/{id}/results", "/api/v1/slas/{id}/report",
                        "/api/v1/slas/{id}/feasibility", "/api/v1/agreements/{id}/report", "/api/v1/kpi",
                        "/api/v1/alerts", "/api/v1/slas/{id}/alerts", "/api/v1/overview", "/api/v1/notifications", "/healthz", "/readyz", "/metrics"})
    w.value(e);
  w.end_array().end_object();
  return json_ok(w.take());
}

// The catalogue's windows and the API's, in id order (a catalogue window wins a clash of ids).
struct WindowView {
  const Maintenance* catalogue = nullptr;
  const store::MaintenanceWindow* api = nullptr;
};

Response maintenance_get(const Target& t, const ApiState& s) {
  const auto& api_cat = *s.catalogue;
  std::map<std::string, WindowView, std::less<>> windows;
  for (const auto& w : api_cat.maintenance->windows) windows[w.id].api = &w;
  for (const auto& [id, m] : api_cat.index.maintenance) windows[id] = WindowView{m, nullptr};
  const auto& seg = t.segments;
  const TimeMs now = s.now_ms;
  const bool one_window = seg.size() == 4;
  auto write = [&](JsonWriter& w, const std::string&, const WindowView& v) {
    if (v.catalogue) write_maintenance(w, *v.catalogue);
    else write_window(w, *v.api, now, one_window ? &api_cat.maintenance->history : nullptr);
  };
  if (!one_window) return list(t, windows, write);
  return one(windows, seg[3], "maintenance window", write);
}

// POST /api/v1/maintenance and POST /api/v1/maintenance/{id}/end (maintenance_api.h): a job on the
// store worker's writer, which then hands the windows as they are to on_maintenance.
Routed maintenance_post(const Target& t, const Request& request, const ApiState& s) {
  auto now = [](Response r) { return Routed{std::move(r), {}, false, {}}; };
  const auto& seg = t.segments;
  const bool create = seg.size() == 3;
  const bool end = seg.size() == 5 && seg[4] == "end";
  if (!create && !end) {
    if (seg.size() == 4) return now(method_not_allowed("GET, HEAD"));
    return now(json_error(404, "no such endpoint (see /api/v1)"));
  }
  if (auto denied = check_access(s.access, request.authorization, Need::admin)) return now(*denied);
  if (!s.catalogue) return now(json_error(503, "no catalogue is loaded yet"));
  const TimeMs at = s.now_ms;
  auto publish = [on = s.on_maintenance](store::MaintenanceStore& ms) {
    std::shared_ptr<const StoredMaintenance> m = read_stored_maintenance(ms);
    if (on) on(m);
    return m;
  };
  auto unsupported = [] { return json_error(501, "this store keeps no maintenance windows"); };
  Routed r;
  r.writes = true;
  if (create) {
    auto plan = plan_create(request.body, s.catalogue->index, at);
    if (!plan.window) return now(std::move(plan.refusal));
    r.job = [window = std::move(*plan.window), at, publish, unsupported](StoreContext& c) {
      auto* ms = dynamic_cast<store::MaintenanceStore*>(&c.store);
      if (ms == nullptr) return unsupported();
      const auto made = ms->create_maintenance(window);
      const auto m = publish(*ms);
      JsonWriter w;
      write_window(w, made, at, &m->history);
      Response out = json_ok(w.take());
      out.status = 201;
      out.headers.emplace_back("Location", "/api/v1/maintenance/" + made.id);
      return out;
    };
    return r;
  }
  r.job = [id = seg[3], body = request.body, at, publish, unsupported](StoreContext& c) {
    auto* ms = dynamic_cast<store::MaintenanceStore*>(&c.store);
    if (ms == nullptr) return unsupported();
    // Decided over the store's windows (not the view the request came with): writes run one at a time.
    const auto windows = ms->maintenance_windows();
    const auto it = std::find_if(windows.begin(), windows.end(), [&](const auto& w) { return w.id == id; });
    auto plan = plan_end(body, it == windows.end() ? nullptr : &*it, id, at);
    if (!plan.who_why) return std::move(plan.refusal);
    const auto ended = ms->end_maintenance(id, at, plan.who_why->first, plan.who_why->second);
    if (!ended) return json_error(404, "maintenance window '" + id + "' is gone");
    const auto m = publish(*ms);
    JsonWriter w;
    write_window(w, *ended, at, &m->history);
    return json_ok(w.take());
  };
  return r;
}

Response route_api(const Target& t, const ApiState& s) {
  const auto& seg = t.segments;  // "api", "v1", ...
  if (seg.size() == 2) return api_index();
  const std::string& what = seg[2];
  if (seg.size() > 4) return json_error(404, "no such endpoint (see /api/v1)");
  if (what == "agents") {
    const auto views = agent_views(s);
    if (seg.size() == 3) return list(t, views, write_agent_view);
    return one(views, seg[3], "agent", write_agent_view);
  }
  const auto known = {"catalogue", "services", "cis", "probes", "slas", "agreements", "maintenance"};
  if (std::find(known.begin(), known.end(), what) == known.end())
    return json_error(404, "no such endpoint (see /api/v1)");
  if (!s.catalogue) return json_error(503, "no catalogue is loaded yet");
  const auto& idx = s.catalogue->index;
  if (what == "catalogue") {
    if (seg.size() != 3) return json_error(404, "no such endpoint (see /api/v1)");
    return json_ok(s.catalogue->tree_json);
  }
  auto by = [&](const auto& items, std::string_view noun, auto write) {
    if (seg.size() == 3) return list(t, items, write);
    return one(items, seg[3], noun, write);
  };
  if (what == "services")
    return by(idx.services, "service", [&](JsonWriter& w, const std::string&, const Service* x) { write_service(w, *x, idx); });
  if (what == "cis")
    return by(idx.cis, "CI", [&](JsonWriter& w, const std::string&, const Ci* x) { write_ci(w, *x, idx); });
  if (what == "probes")
    return by(idx.probes, "probe", [](JsonWriter& w, const std::string&, const Probe* x) { write_probe(w, *x); });
  if (what == "slas")
    return by(idx.slas, "SLA", [](JsonWriter& w, const std::string&, const Sla* x) { write_sla(w, *x); });
  if (what == "agreements")
    return by(idx.agreements, "agreement",
              [](JsonWriter& w, const std::string&, const Agreement* x) { write_agreement(w, *x); });
  return maintenance_get(t, s);
}

Response readyz_response(bool store_open, bool catalogue_loaded) {
  const bool ready = store_open && catalogue_loaded;
  JsonWriter w;
  w.begin_object().key("status").value(ready ? "ready" : "not ready");
  w.key("store_open").value(store_open).key("catalogue_loaded").value(catalogue_loaded);
  w.end_object();
  Response r = json_ok(w.take());
  if (!ready) r.status = 503;
  return r;
}

// Ready: the store answers (with a worker: its connection runs a trivial query) and a catalogue is
// loaded.
Routed readyz(const ApiState& s) {
  const bool loaded = s.catalogue != nullptr;
  if (!s.store_open || !s.store_worker) return Routed{readyz_response(s.store_open, loaded), {}, false, {}};
  Routed r;
  r.job = [loaded](StoreContext& c) {
    bool answers = true;
    try {
      (void)c.engine.engine_position();
    } catch (const store::StoreFailure&) {
      answers = false;
    }
    return readyz_response(answers, loaded);
  };
  return r;
}

Response static_file(const Target& t, const Request& req, const ApiState& s) {
  if (!s.web) {
    if (!t.segments.empty()) return json_error(404, "not found");
    Response r;
    r.content_type = "text/plain; charset=utf-8";
    r.body = "slamon-collector: the web UI is not available (" + s.web_missing +
             "); build it with scripts/build-web.sh. The API is at /api/v1, metrics at /metrics.\n";
    return r;
  }
  std::string path;
  for (const auto& seg : t.segments) path += (path.empty() ? "" : "/") + seg;
  if (path.empty()) path = "index.html";
  const auto it = s.web->files.find(path);
  if (it == s.web->files.end()) return json_error(404, "not found");
  Response r;
  r.content_type = it->second.content_type;
  const bool gzip_ok = req.accept_encoding.find("gzip") != std::string::npos;
  if (gzip_ok && it->second.gzip) {
    r.body = *it->second.gzip;
    r.headers.emplace_back("Content-Encoding", "gzip");
  } else {
    r.body = it->second.bytes;
  }
  r.headers.emplace_back("Vary", "Accept-Encoding");
  // index.html names the bundle; the bundle's name changes with its content (esbuild's hash).
  r.headers.emplace_back("Cache-Control", path == "index.html" ? "no-cache" : "public, max-age=3600");
  return r;
}

// /metrics: rendered at once from what is at hand; the per-SLA figures come from the latest overview
// computed off the io thread, refreshed in the background when the engine has moved on since.
Routed metrics_route(const ApiState& s) {
  Routed out;
  out.response.content_type = "text/plain; version=0.0.4; charset=utf-8";
  MetricsInput in = s.metrics;  // the catalogue's figures from the running catalogue, never another
  in.catalogue = s.catalogue ? s.catalogue->served.get() : nullptr;
  in.index = s.catalogue ? &s.catalogue->index : nullptr;
  in.live = s.live.get();
  in.now_ms = s.now_ms;
  const auto overview = s.cache ? s.cache->overview() : nullptr;
  in.overview = overview.get();
  out.response.body = render_metrics(in);
  const bool stale = !overview || !s.live || overview->result_row != s.live->position.result_row ||
                     overview->gap_row != s.live->position.gap_row || overview->as_of != s.live->as_of;
  if (s.cache && s.catalogue && s.live && stale && s.cache->begin_refresh()) {
    out.background = [cat = s.catalogue, snap = s.live, cache = s.cache](StoreContext& c) {
      struct Done {
        ReportCache& cache;
        ~Done() { cache.refresh_done(); }
      } done{*cache};
      auto o = std::make_shared<Overview>(compute_overview(c, *cat, snap->as_of));
      o->result_row = snap->position.result_row;
      o->gap_row = snap->position.gap_row;
      o->arrivals_behind = count_arrivals_after(c, snap->position);
      cache->set_overview(std::move(o));
    };
  }
  return out;
}

}  // namespace

Response json_error(int status, std::string_view message) {
  JsonWriter w;
  w.begin_object().key("error").begin_object().key("status").value(status).key("message").value(message);
  w.end_object().end_object();
  Response r;
  r.status = status;
  r.body = w.take();
  return r;
}

Response json_ok(std::string body) {
  Response r;
  r.body = std::move(body);
  return r;
}

namespace {

std::shared_ptr<const catalogue::Catalogue> reported_catalogue(const std::shared_ptr<const ServedCatalogue>& served,
                                                               const StoredMaintenance& m,
                                                               std::vector<std::string>& clashes) {
  if (store::maintenance_as_catalogue(m.windows).empty()) return served->catalogue;
  return std::make_shared<const catalogue::Catalogue>(
      store::with_stored_maintenance(*served->catalogue, m.windows, &clashes));
}

std::atomic<std::uint64_t> next_view{1};

}  // namespace

ApiCatalogue::ApiCatalogue(std::shared_ptr<const ServedCatalogue> s, TimeMs loaded,
                           std::shared_ptr<const StoredMaintenance> m)
    : served(std::move(s)),
      maintenance(m ? std::move(m) : std::make_shared<const StoredMaintenance>()),
      reported(reported_catalogue(served, *maintenance, window_clashes)),
      index(*served->catalogue),
      loaded_ms(loaded),
      version(next_view.fetch_add(1)),
      tree_json(catalogue_tree(*this)) {}

Response handle(const Request& request, const ApiState& state, StoreContext* store) {
  Routed r = route(request, state);
  if (!r.job) return std::move(r.response);
  if (!store) return json_error(503, "the store is not available here");
  return r.job(*store);
}

Routed route(const Request& request, const ApiState& state) {
  auto now = [](Response r) { return Routed{std::move(r), {}, false, {}}; };
  auto parsed = parse_target(request.target, state.limits);
  if (!parsed.target) return now(json_error(parsed.status, parsed.error));
  const Target& t = *parsed.target;
  const bool get = request.method == "GET" || request.method == "HEAD";
  const auto& seg = t.segments;
  const bool api = seg.size() >= 2 && seg[0] == "api" && seg[1] == "v1";
  if (seg.size() == 1 && (seg[0] == "healthz" || seg[0] == "readyz")) {
    if (!get) return now(method_not_allowed("GET, HEAD"));
    if (seg[0] == "healthz") return now(json_ok("{\"status\":\"ok\"}"));
    return readyz(state);
  }
  const bool maintenance = api && seg.size() >= 3 && seg[2] == "maintenance";
  if (maintenance && request.method == "POST") return maintenance_post(t, request, state);
  const bool ending = maintenance && seg.size() == 5 && seg[4] == "end";
  if (!get || ending)
    return now(method_not_allowed(ending ? "POST" : maintenance && seg.size() == 3 ? "GET, HEAD, POST" : "GET, HEAD"));
  const bool metrics = seg.size() == 1 && seg[0] == "metrics";
  if (api || metrics)
    if (auto denied = check_access(state.access, request.authorization, Need::read)) return now(*denied);
  if (metrics) return metrics_route(state);
  if (api) {
    if (auto live = route_live(t, state)) return std::move(*live);
    return now(route_api(t, state));
  }
  if (!seg.empty() && seg[0] == "api") return now(json_error(404, "no such API version (this collector serves /api/v1)"));
  return now(static_file(t, request, state));
}

}  // namespace slamon::collector::api
