// Tests for collector/api/request_target.h: splitting and percent-decoding request targets, and the
// targets refused (400) or too long (414).
#include "collector/api/request_target.h"

#include <doctest/doctest.h>

using namespace slamon::collector::api;

TEST_CASE("a target splits into decoded path segments and query parameters") {
  const auto r = parse_target("/api/v1/cis/web%2Dfront?limit=10&cursor=YWI&q=a+b%20c");
  REQUIRE(r.target);
  CHECK(r.target->segments == std::vector<std::string>{"api", "v1", "cis", "web-front"});
  REQUIRE(r.target->param("limit"));
  CHECK(*r.target->param("limit") == "10");
  CHECK(*r.target->param("q") == "a b c");
  CHECK(r.target->param("none") == nullptr);
  CHECK(parse_target("/").target->segments.empty());
  CHECK(parse_target("/a//b/").target->segments == std::vector<std::string>{"a", "b"});
}

TEST_CASE("percent_decode refuses a '%' without two hex digits") {
  CHECK(percent_decode("%41%62", false) == "Ab");
  CHECK(percent_decode("a+b", false) == "a+b");
  CHECK(percent_decode("a+b", true) == "a b");
  CHECK_FALSE(percent_decode("%4", false));
  CHECK_FALSE(percent_decode("%", false));
  CHECK_FALSE(percent_decode("%zz", false));
}

TEST_CASE("bad targets are refused with 400 and a reason") {
  for (const char* t : {"", "api", "http://x/", "/a#frag", "/a%2Fb", "/a/%2e%2e/b", "/../etc", "/a%00", "/a?%",
                        "/a?=x", "/a?x=%0a", "/a b"}) {
    const auto r = parse_target(t);
    CHECK_MESSAGE(!r.target, t);
    CHECK(r.status == 400);
    CHECK_FALSE(r.error.empty());
  }
}

TEST_CASE("targets past the limits are refused with 414") {
  TargetLimits l;
  l.max_target_bytes = 100;
  l.max_query_bytes = 20;
  l.max_params = 3;
  CHECK(parse_target("/" + std::string(100, 'a'), l).status == 414);
  CHECK(parse_target("/a?" + std::string(21, 'b'), l).status == 414);
  CHECK(parse_target("/a?a=1&b=2&c=3&d=4", l).status == 414);
  CHECK(parse_target("/a?a=1&b=2&c=3", l).target);
}
