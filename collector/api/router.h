// The HTTP API's routing and handlers: one pure function from a request and a read-only view of the
// collector's state to a response, or to a job that computes it from the store off the io thread
// (store_job.h, live_routes.h). The Beast listener (collector/http_server.cpp) only moves bytes;
// everything a request means is decided here (docs/api.md lists the endpoints).
#pragma once

#include <map>
#include <memory>
#include <string>

#include "collector/api/access.h"
#include "collector/api/catalogue_json.h"
#include "collector/api/http_message.h"
#include "collector/api/metrics.h"
#include "collector/api/report_cache.h"
#include "collector/api/request_target.h"
#include "collector/api/store_job.h"
#include "collector/api/web_bundle.h"
#include "collector/live/live_snapshot.h"
#include "collector/served_catalogue.h"
#include "collector/store/store.h"
#include "common/time.h"

namespace slamon::collector::api {

// The running catalogue with the index the API reads it through, and its whole tree as JSON (built
// once, off the io thread: at start and on the reload helper thread); replaced as a whole on reload.
struct ApiCatalogue {
  ApiCatalogue(std::shared_ptr<const ServedCatalogue> s, TimeMs loaded_ms);
  std::shared_ptr<const ServedCatalogue> served;  // served->catalogue is set
  CatalogueIndex index;
  TimeMs loaded_ms = 0;
  std::string tree_json;  // GET /api/v1/catalogue
};

using AgentRecords = std::map<std::string, store::AgentRecord, std::less<>>;

struct ApiState {
  std::shared_ptr<const ApiCatalogue> catalogue;  // null: none loaded (/readyz says so)
  const AgentRecords* agents = nullptr;           // the link's latest record of each agent
  bool store_open = false;    // the store was opened (false: /readyz says not ready at once)
  bool store_worker = false;  // a store worker runs jobs: /readyz asks its connection a trivial query
  std::shared_ptr<const live::LiveSnapshot> live;  // the engine's latest snapshot; null: none yet
  std::shared_ptr<ReportCache> cache;              // null: reports are not cached
  MetricsInput metrics;  // its `catalogue` is taken from `catalogue` above
  const WebBundle* web = nullptr;  // null: the UI is not there (`/` says why: web_missing)
  std::string web_missing;
  AccessPolicy access;
  TargetLimits limits;
  TimeMs now_ms = 0;
};

// The decision for a request: a response, or a job to run over the store (store_job.h).
Routed route(const Request& request, const ApiState& state);
// route(), with a job run at once over `store` (tests, fuzzing: null runs none and answers 503).
Response handle(const Request& request, const ApiState& state, StoreContext* store = nullptr);

}  // namespace slamon::collector::api
