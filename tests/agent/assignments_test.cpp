// Tests for agent/assignments.h: the cached assignment runs at start; a new one that decodes and can
// be cached replaces it (cached, run, its version reported); one with an invalid probe is refused
// naming the probe, and the previous one stays cached and running.
#include "agent/assignments.h"

#include <doctest/doctest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <sstream>

#include "tests/temp_dir.h"

using namespace slamon;
using namespace slamon::agent;
using slamon::test::TempDir;

namespace {

class FixedClock final : public Clock {
 public:
  TimeMs now_ms() const override { return 1'700'000'000'000; }
  std::int64_t steady_ns() const override { return 0; }
};

wire::v1::Assignment tcp_assignment(const std::string& version, const std::vector<std::string>& ids) {
  wire::v1::Assignment a;
  a.set_version(version);
  for (const auto& id : ids) {
    auto* p = a.add_probes();
    p->set_id(id);
    p->set_interval_ms(60'000);
    p->set_timeout_ms(5'000);
    p->set_stale_after_ms(180'000);
    p->set_confirm(1);
    p->set_weight(1);
    p->mutable_tcp()->set_host("db.example");
    p->mutable_tcp()->set_port(5432);
  }
  return a;
}

}  // namespace

TEST_CASE("assignments: applied, cached and run; an invalid one refused with the probe named, the previous kept") {
  TempDir d;
  FixedClock clock;
  std::ostringstream text;
  auto log = std::make_shared<spdlog::logger>("agent", std::make_shared<spdlog::sinks::ostream_sink_st>(text));
  AssignmentCache cache(d.file("state"), "a1", clock);
  std::vector<std::vector<std::string>> runs;
  auto run = [&](std::vector<catalogue::Probe> probes) {
    std::vector<std::string> ids;
    for (const auto& p : probes) ids.push_back(p.id + "@" + p.agent);
    runs.push_back(ids);
  };
  Assignments as(cache, run, log, "a1");
  CHECK_FALSE(as.start_cached());
  CHECK(text.str().find("a1: no cached assignment; waiting for the collector's assignment") != std::string::npos);
  CHECK(runs.empty());

  auto out = as.apply(tcp_assignment("v1", {"x.tcp", "y.tcp"}), "c:7443");
  CHECK(out.accepted);
  CHECK(out.reason.empty());
  CHECK(as.version() == "v1");
  REQUIRE(runs.size() == 1);
  CHECK(runs[0] == std::vector<std::string>{"x.tcp@a1", "y.tcp@a1"});
  CHECK(std::filesystem::exists(cache.path()));

  auto bad = tcp_assignment("v2", {"x.tcp", "z.tcp"});
  bad.mutable_probes(1)->mutable_tcp()->set_port(0);
  out = as.apply(bad, "c:7443");
  CHECK_FALSE(out.accepted);
  CHECK(out.reason.find("z.tcp") != std::string::npos);
  CHECK(as.version() == "v1");
  CHECK(runs.size() == 1);
  CHECK(text.str().find("a1: refused assignment v2 from collector c:7443: ") != std::string::npos);
  CHECK(text.str().find("assignment v1 keeps running") != std::string::npos);

  // A restart runs what was cached: v1, not the refused v2.
  std::vector<std::vector<std::string>> later;
  Assignments again(cache, [&](std::vector<catalogue::Probe> p) { later.push_back({p.front().id}); }, log, "a1");
  CHECK(again.start_cached());
  CHECK(again.version() == "v1");
  REQUIRE(later.size() == 1);
  CHECK(text.str().find("probing with the cached assignment (version v1, 2 probes)") != std::string::npos);
}

TEST_CASE("assignments: one that cannot be cached is refused, the previous keeps running") {
  TempDir d;
  FixedClock clock;
  AssignmentCache cache(d.file("state"), "a1", clock);
  int runs = 0;
  Assignments as(cache, [&](std::vector<catalogue::Probe>) { ++runs; }, nullptr, "a1");
  REQUIRE(as.apply(tcp_assignment("v1", {"x.tcp"}), "c:1").accepted);
  // The state folder becomes a file: nothing can be written there any more.
  std::filesystem::remove_all(d.file("state"));
  d.write("state", "not a folder");
  const auto out = as.apply(tcp_assignment("v2", {"y.tcp"}), "c:1");
  CHECK_FALSE(out.accepted);
  CHECK(out.reason.find("the agent cannot store it") != std::string::npos);
  CHECK(as.version() == "v1");
  CHECK(runs == 1);
}
