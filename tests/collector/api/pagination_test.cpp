// Tests for collector/api/pagination.h: limit bounds, cursors that round-trip, cursors refused.
#include "collector/api/pagination.h"

#include <doctest/doctest.h>

#include <vector>

using namespace slamon::collector::api;

namespace {
PageResult page_of(const std::string& target) { return read_page(*parse_target(target).target); }
}  // namespace

TEST_CASE("a cursor is the base64url of a key and decodes back to it") {
  for (const std::string& key : std::vector<std::string>{"a", "ab", "abc", "web.tcp", std::string("\0\xff/x", 4), std::string(300, 'k')})
    CHECK(decode_cursor(encode_cursor(key)) == key);
  CHECK(encode_cursor("ab") == "YWI");
}

TEST_CASE("limit defaults to 100, takes 1..1000, refuses the rest") {
  CHECK(page_of("/x").page->limit == kDefaultLimit);
  CHECK(page_of("/x?limit=1").page->limit == 1);
  CHECK(page_of("/x?limit=1000").page->limit == 1000);
  for (const char* bad : {"/x?limit=0", "/x?limit=1001", "/x?limit=-1", "/x?limit=1x", "/x?limit=", "/x?limit=99999999999999999999"})
    CHECK_MESSAGE(page_of(bad).error.find("limit must be") == 0, bad);
}

TEST_CASE("a cursor that is not one the API wrote is refused") {
  CHECK(page_of("/x?cursor=" + encode_cursor("web")).page->after == "web");
  for (const char* bad : {"/x?cursor=", "/x?cursor=a", "/x?cursor=%2B%2F", "/x?cursor=YWJ"})
    CHECK_MESSAGE(!page_of(bad).page, bad);
}
