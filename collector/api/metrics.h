// /metrics: the collector's figures in the Prometheus text exposition format (version 0.0.4): every
// name starts with `slamon_`, values in base units (seconds, bytes), counters end in `_total`.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

#include "collector/api/catalogue_json.h"
#include "collector/api/counters.h"
#include "collector/api/live_routes.h"
#include "collector/live/live_snapshot.h"
#include "collector/served_catalogue.h"
#include "collector/store/store.h"
#include "common/time.h"

namespace slamon::collector::api {

struct MetricsInput {
  const LinkCounters* link = nullptr;
  const CatalogueCounters* catalogue_counters = nullptr;
  const HttpCounters* http = nullptr;
  const NotificationCounters* notifications = nullptr;
  const ServedCatalogue* catalogue = nullptr;
  const std::map<std::string, store::AgentRecord, std::less<>>* agents = nullptr;
  std::size_t sessions = 0;       // agent connections open
  std::size_t ingest_queued = 0;  // batches waiting for the store thread
  std::size_t store_jobs_queued = 0;  // HTTP jobs waiting for the store worker
  TimeMs start_ms = 0;            // when the collector started
  std::string version;
  const CatalogueIndex* index = nullptr;     // the running catalogue's (node kinds)
  const live::LiveSnapshot* live = nullptr;  // node status, engine lag; null: none yet
  const Overview* overview = nullptr;        // per-SLA figures of the current periods; null: none yet
  TimeMs now_ms = 0;
};

std::string render_metrics(const MetricsInput& in);

// A label value escaped as the exposition format wants it (backslash, double quote, newline).
std::string escape_label_value(std::string_view v);

}  // namespace slamon::collector::api
