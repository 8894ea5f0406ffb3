// What the store-backed endpoints share (see route_helpers.h).
#include "collector/api/route_helpers.h"

#include "collector/api/router.h"
#include "collector/engine/period.h"

namespace slamon::collector::api {

Response not_found(std::string_view what, const std::string& id) {
  return json_error(404, std::string(what) + " '" + id.substr(0, 128) + "' is not in the catalogue");
}

Response no_snapshot() { return json_error(503, "the engine has not published the live status yet"); }

std::string catalogue_key(const ApiCatalogue& c) { return std::to_string(c.version); }

std::string position_key(const ApiState& s) {
  if (!s.live) return "-";
  return std::to_string(s.live->position.result_row) + "/" + std::to_string(s.live->position.gap_row);
}

Routed cached(const ApiState& s, std::string key, StoreJob compute) {
  std::shared_ptr<ReportCache> cache = s.live ? s.cache : nullptr;
  if (cache)
    if (auto hit = cache->find(key)) return answer(*hit);
  Routed r;
  r.job = [cache, key = std::move(key), compute = std::move(compute)](StoreContext& c) {
    if (cache)
      if (auto hit = cache->find(key)) return *hit;
    Response out = compute(c);
    if (cache && out.status == 200) cache->put(key, std::make_shared<const Response>(out));
    return out;
  };
  return r;
}

std::optional<TimeMs> time_param(const Target& t, const char* name, std::string& error) {
  const auto* v = t.param(name);
  if (!v) return std::nullopt;
  const auto ts = parse_rfc3339(*v);
  if (!ts || !engine::writable_instant(*ts))
    error = std::string(name) + " '" + v->substr(0, 64) + "' is not an RFC 3339 timestamp with an offset (years 0001-9999)";
  return ts;
}

}  // namespace slamon::collector::api
