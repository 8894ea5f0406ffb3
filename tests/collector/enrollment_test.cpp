// Tests for collector/enrollment.h: the enrolled-agents file read and written back, enroll and
// revoke, and the enrolled tokens merged into the catalogue's agents (both places: an error naming both).
#include "collector/enrollment.h"

#include <doctest/doctest.h>

using namespace slamon;
using namespace slamon::collector;

namespace {
const std::string kDigestA(64, 'a');
const std::string kDigestB(64, 'b');
constexpr TimeMs kT0 = 1'796'000'000'000;
}  // namespace

TEST_CASE("the enrolled-agents file round-trips: active and revoked agents with their times") {
  EnrolledAgents e;
  REQUIRE_FALSE(enroll_agent(e, "a1", kDigestA, kT0));
  REQUIRE_FALSE(enroll_agent(e, "a2", kDigestB, kT0 + 1000));
  REQUIRE_FALSE(revoke_agent(e, "a2", kT0 + 5000));
  const auto text = format_enrolled_agents(e);
  const auto parsed = parse_enrolled_agents(text, "enrolled-agents");
  REQUIRE_MESSAGE(parsed.enrolled, (parsed.errors.empty() ? std::string() : parsed.errors.front()));
  CHECK(*parsed.enrolled == e);
  CHECK(parsed.enrolled->find("a2")->revoked);
  CHECK(parsed.enrolled->find("a2")->revoked_ms == kT0 + 5000);
}

TEST_CASE("a damaged enrolled-agents file is refused with FILE:LINE:1 errors") {
  const auto parsed = parse_enrolled_agents(
      "# comment\n\na1 active " + kDigestA + " 2026-12-07T09:00:00Z\nA! active xyz nope\na1 revoked " + kDigestB +
          " 2026-12-07T09:00:00Z\n",
      "/var/lib/slamon-collector/enrolled-agents");
  CHECK_FALSE(parsed.enrolled);
  REQUIRE(parsed.errors.size() >= 3);
  CHECK(parsed.errors[0].starts_with("/var/lib/slamon-collector/enrolled-agents:4:1: error: agent name 'A!'"));
  bool twice = false;
  for (const auto& e : parsed.errors) twice = twice || e.find(":5:1: error: agent a1 is listed twice") != std::string::npos;
  CHECK(twice);
}

TEST_CASE("enroll refuses an active agent and a bad name; a revoked agent is enrolled again with a new token") {
  EnrolledAgents e;
  REQUIRE_FALSE(enroll_agent(e, "a1", kDigestA, kT0));
  const auto again = enroll_agent(e, "a1", kDigestB, kT0);
  REQUIRE(again);
  CHECK(again->find("enrolled already") != std::string::npos);
  CHECK(enroll_agent(e, "Bad Name", kDigestA, kT0));
  CHECK(revoke_agent(e, "nobody", kT0));
  REQUIRE_FALSE(revoke_agent(e, "a1", kT0 + 1));
  CHECK(revoke_agent(e, "a1", kT0 + 2));  // revoked already
  REQUIRE_FALSE(enroll_agent(e, "a1", kDigestB, kT0 + 3));
  REQUIRE(e.agents.size() == 1);
  CHECK_FALSE(e.agents[0].revoked);
  CHECK(e.agents[0].token_sha256 == kDigestB);
  CHECK_FALSE(e.agents[0].revoked_ms);
}

TEST_CASE("merging: an active enrolled token fills a catalogue agent without one; a revoked one does not") {
  std::vector<catalogue::Agent> agents(3);
  agents[0].name = "a1";
  agents[1].name = "a2";
  agents[2].name = "a3";
  EnrolledAgents e;
  REQUIRE_FALSE(enroll_agent(e, "a1", kDigestA, kT0));
  REQUIRE_FALSE(enroll_agent(e, "a2", kDigestB, kT0));
  REQUIRE_FALSE(revoke_agent(e, "a2", kT0));
  CHECK(merge_enrolled_tokens(agents, e, "/s/enrolled-agents").empty());
  CHECK(agents[0].token_sha256.value() == kDigestA);
  CHECK(agents[0].token_sha256.source_file() == "/s/enrolled-agents");
  CHECK(agents[1].token_sha256.empty());
  CHECK(agents[2].token_sha256.empty());
}

TEST_CASE("an agent with a token in the catalogue and enrolled too is an error naming both places") {
  std::vector<catalogue::Agent> agents(1);
  agents[0].name = "a1";
  agents[0].token_sha256 = catalogue::Secret(kDigestB, "");
  agents[0].loc = catalogue::SourceLoc{"/etc/slamon/cat.yaml", 4, 5};
  EnrolledAgents e;
  REQUIRE_FALSE(enroll_agent(e, "a1", kDigestA, kT0));
  const auto errors = merge_enrolled_tokens(agents, e, "/s/enrolled-agents");
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].starts_with("/etc/slamon/cat.yaml:4:5: error: agent a1: has a token_sha256 in the catalogue and "
                              "is enrolled in /s/enrolled-agents"));
}
