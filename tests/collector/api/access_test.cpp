// Tests for collector/api/access.h: no token on an open (loopback) listener; with tokens, reads need
// the read or admin token, writes the admin one; errors are 401/403 JSON.
#include "collector/api/access.h"

#include <doctest/doctest.h>

#include "collector/session_logic.h"

using namespace slamon::collector;
using namespace slamon::collector::api;

TEST_CASE("no tokens configured: reads and writes are open") {
  const AccessPolicy open;
  CHECK_FALSE(check_access(open, "", Need::read));
  CHECK_FALSE(check_access(open, "", Need::admin));
}

TEST_CASE("a read token: reads need it (or the admin one), a wrong one is 401, writes need the admin token") {
  AccessPolicy p{sha256_hex("r3ad"), sha256_hex("adm1n")};
  CHECK_FALSE(check_access(p, "Bearer r3ad", Need::read));
  CHECK_FALSE(check_access(p, "Bearer adm1n", Need::read));
  CHECK_FALSE(check_access(p, "Bearer adm1n", Need::admin));
  const auto none = check_access(p, "", Need::read);
  REQUIRE(none);
  CHECK(none->status == 401);
  CHECK(none->body.find("\"status\":401") != std::string::npos);
  CHECK(none->headers.at(0).first == "WWW-Authenticate");
  CHECK(check_access(p, "Bearer wrong", Need::read)->status == 401);
  CHECK(check_access(p, "Basic cjNhZA==", Need::read)->status == 401);
  CHECK(check_access(p, "Bearer r3ad", Need::admin)->status == 403);
  AccessPolicy read_only{sha256_hex("r3ad"), ""};
  const auto w = check_access(read_only, "Bearer r3ad", Need::admin);
  REQUIRE(w);
  CHECK(w->status == 403);
  CHECK(w->body.find("writes are disabled") != std::string::npos);
}
