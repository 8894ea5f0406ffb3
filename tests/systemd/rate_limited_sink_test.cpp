// Tests for common/systemd/rate_limited_sink.h: a line repeated more than N times in T is folded into
// one "... repeated K times" line when the window ends, other texts, loggers and levels pass
// unaffected; the clock is injected (no waiting).
#include "common/systemd/rate_limited_sink.h"

#include <doctest/doctest.h>
#include <spdlog/logger.h>
#include <spdlog/sinks/ostream_sink.h>

#include <memory>
#include <sstream>
#include <string>
#include <vector>

using namespace slamon::systemd;
using namespace std::chrono_literals;

namespace {

struct Fixture {
  std::ostringstream out;
  std::chrono::steady_clock::time_point t{};
  std::shared_ptr<RateLimitedSink> sink;
  std::shared_ptr<spdlog::logger> log, other;
  Fixture() {
    auto inner = std::make_shared<spdlog::sinks::ostream_sink_st>(out);
    inner->set_pattern("%n %l %v");
    sink = std::make_shared<RateLimitedSink>(inner, RateLimit{3, 10s}, [this] { return t; });
    log = std::make_shared<spdlog::logger>("uplink", sink);
    other = std::make_shared<spdlog::logger>("spool", sink);
    log->set_level(spdlog::level::trace);
  }
  std::vector<std::string> lines() const {
    std::vector<std::string> v;
    std::istringstream in(out.str());
    for (std::string l; std::getline(in, l);) v.push_back(l);
    return v;
  }
};

}  // namespace

TEST_CASE("a line repeated more than N times within T: N pass, the rest become one 'repeated K times' line") {
  Fixture f;
  for (int i = 0; i < 10; ++i) {
    f.log->warn("collector 127.0.0.1:7443: connect failed");
    f.t += 100ms;
  }
  CHECK(f.lines().size() == 3);
  f.t += 10s;  // the window ended: the next line brings the folded one first
  f.log->info("connected");
  const auto l = f.lines();
  REQUIRE(l.size() == 5);
  CHECK(l[0] == "uplink warning collector 127.0.0.1:7443: connect failed");
  CHECK(l[3] == "uplink warning collector 127.0.0.1:7443: connect failed ... repeated 7 times in 10s");
  CHECK(l[4] == "uplink info connected");
}

TEST_CASE("other texts, levels and loggers are counted apart; N or fewer repeats write no extra line") {
  Fixture f;
  for (int i = 0; i < 3; ++i) {
    f.log->warn("a");
    f.log->error("a");
    f.other->warn("a");
    f.log->warn("b");
  }
  f.t += 11s;
  f.log->info("c");
  CHECK(f.lines().size() == 13);
  CHECK(f.out.str().find("repeated") == std::string::npos);
}

TEST_CASE("a new window starts after T: the text passes N times again") {
  Fixture f;
  for (int i = 0; i < 5; ++i) f.log->warn("x");
  f.t += 10s;
  for (int i = 0; i < 5; ++i) f.log->warn("x");
  const auto l = f.lines();
  REQUIRE(l.size() == 7);
  CHECK(l[3] == "uplink warning x ... repeated 2 times in 10s");
  CHECK(l[4] == "uplink warning x");
}

TEST_CASE("a flush or the sink's end writes the folded count of a window still open") {
  Fixture f;
  for (int i = 0; i < 6; ++i) f.log->warn("y");
  f.t += 10s;
  f.log->flush();
  CHECK(f.lines().back() == "uplink warning y ... repeated 3 times in 10s");
  Fixture g;
  for (int i = 0; i < 4; ++i) g.log->warn("z");
  g.log.reset();
  g.other.reset();
  g.sink.reset();
  CHECK(g.lines().back() == "uplink warning z ... repeated 1 times in 10s");
}
