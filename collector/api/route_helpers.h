// What the store-backed endpoints share (live_routes.cpp, alert_routes.cpp): the cache keys of the
// running catalogue and of the engine's position, a job whose response is kept in the ReportCache,
// reading an RFC 3339 parameter, and the usual 404 and 503 answers.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "collector/api/request_target.h"
#include "collector/api/store_job.h"
#include "common/time.h"

namespace slamon::collector::api {

struct ApiState;
struct ApiCatalogue;

// What identifies the running catalogue in cache keys (a reload gives a new one).
std::string catalogue_key(const ApiCatalogue& c);
// The engine's position in the store's arrivals ("-" without a snapshot).
std::string position_key(const ApiState& s);

// A job whose response is kept in the cache under `key` (no cache, or no engine position to key it
// by: computed every time). Looked up on the io thread, and again by the job (a request that waited
// behind the same computation finds its result).
Routed cached(const ApiState& s, std::string key, StoreJob compute);

// An RFC 3339 parameter: nullopt when absent; nullopt and `error` set when it is there but bad.
std::optional<TimeMs> time_param(const Target& t, const char* name, std::string& error);

Response not_found(std::string_view what, const std::string& id);
Response no_snapshot();

// A response now (no job).
inline Routed answer(Response r) { return Routed{std::move(r), {}, false, {}}; }

}  // namespace slamon::collector::api
