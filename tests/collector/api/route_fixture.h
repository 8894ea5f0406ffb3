// A router over a catalogue, without a store (tests of what the router decides on the io thread):
// the catalogue written to a temporary file and served, the store open, an engine snapshot at
// 1'790'000'000'000 (position 42/3) that a test may fill before its first request, a report cache.
#pragma once

#include <doctest/doctest.h>

#include <memory>
#include <string>

#include "collector/api/router.h"
#include "tests/temp_dir.h"

namespace slamon::collector::api::test_support {

struct RouteFixture {
  explicit RouteFixture(const char* catalogue) : snapshot(std::make_shared<live::LiveSnapshot>()) {
    auto loaded = load_served_catalogue(dir.write("cat.yaml", catalogue).string());
    REQUIRE_MESSAGE(loaded.served, (loaded.errors.empty() ? "" : loaded.errors.front()));
    state.catalogue = std::make_shared<ApiCatalogue>(loaded.served, 1'700'000'000'000);
    state.store_open = true;
    snapshot->as_of = 1'790'000'000'000;
    snapshot->position = store::EnginePosition{42, 3};
    state.live = snapshot;
    state.cache = std::make_shared<ReportCache>();
    state.now_ms = 1'790'000'001'000;
  }
  Routed at(const std::string& target) const {
    Request r;
    r.method = "GET";
    r.target = target;
    return route(r, state);
  }
  // A request the router answers at once (no job).
  Response now(const std::string& target) const {
    auto r = at(target);
    CHECK_MESSAGE(!r.job, target);
    return r.response;
  }
  slamon::test::TempDir dir;
  ApiState state;
  std::shared_ptr<live::LiveSnapshot> snapshot;  // state.live's, to fill
};

inline void check_status(const Response& r, int status) {
  CHECK_MESSAGE(r.status == status, r.body);
  if (status >= 400) CHECK(r.body.find("\"message\"") != std::string::npos);
}

}  // namespace slamon::collector::api::test_support
