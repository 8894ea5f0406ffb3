// SNMP expectations as pure functions (probes/codec/snmp_expect.h): equals, not_equals, ranges,
// walks (min_rows, all_equal), bulk halving and the display of values.
#include "probes/codec/snmp_expect.h"

#include <doctest/doctest.h>

using namespace slamon;
using catalogue::SnmpExpect;
using catalogue::SnmpValue;
using probes::SnmpVarbind;

namespace {

SnmpValue num(double v) { return {true, v, std::to_string(static_cast<long long>(v))}; }
SnmpValue str(std::string s) { return {false, 0, std::move(s)}; }
SnmpVarbind number_vb(double v) { return {"1.3.6.1.4.1.1.0", SnmpVarbind::Kind::value, "INTEGER", true, v, std::to_string(static_cast<long long>(v))}; }
SnmpVarbind string_vb(std::string s, std::string oid = "1.3.6.1.4.1.2.0") {
  return {std::move(oid), SnmpVarbind::Kind::value, "STRING", false, 0, std::move(s)};
}

}  // namespace

TEST_CASE("snmp expectations") {
  using probes::check_value;
  using probes::check_walk;
  SnmpExpect e;
  CHECK_FALSE(check_value(nullptr, string_vb("x")));
  auto nso = string_vb("");
  nso.kind = SnmpVarbind::Kind::no_such_object;
  CHECK(check_value(nullptr, nso) == "noSuchObject");
  nso.kind = SnmpVarbind::Kind::no_such_instance;
  CHECK(check_value(nullptr, nso) == "noSuchInstance");
  nso.kind = SnmpVarbind::Kind::end_of_mib_view;
  CHECK(check_value(nullptr, nso) == "endOfMibView");

  e.equals = num(5);
  CHECK_FALSE(check_value(&e, number_vb(5)));
  CHECK(check_value(&e, number_vb(6)) == "got 6, expected 5");
  CHECK_FALSE(check_value(&e, string_vb("5")));  // a string compares with the text as written
  e.equals = str("up");
  CHECK(check_value(&e, string_vb("down")) == "got \"down\", expected \"up\"");
  e = {};
  e.not_equals = str("down");
  CHECK(check_value(&e, string_vb("down")) == "got \"down\", expected anything but \"down\"");
  CHECK_FALSE(check_value(&e, string_vb("up")));
  e = {};
  e.min = 10;
  e.max = 20;
  CHECK_FALSE(check_value(&e, number_vb(10)));
  CHECK_FALSE(check_value(&e, number_vb(20)));
  CHECK(check_value(&e, number_vb(9)) == "got 9, expected at least 10");
  CHECK(check_value(&e, number_vb(21)) == "got 21, expected at most 20");
  CHECK(check_value(&e, string_vb("15")) == "got \"15\", expected a number");

  CHECK(check_walk(nullptr, {}) == "empty walk");
  CHECK_FALSE(check_walk(nullptr, {string_vb("a")}));
  e = {};
  e.min_rows = 2;
  CHECK(check_walk(&e, {string_vb("a")}) == "1 rows, expected at least 2");
  e = {};
  e.all_equal = str("up");
  CHECK_FALSE(check_walk(&e, {string_vb("up", "1.1"), string_vb("up", "1.2")}));
  CHECK(check_walk(&e, {string_vb("up", "1.1"), string_vb("down", "1.2")}) ==
        "1.2: got \"down\", expected all equal to \"up\"");

  CHECK(probes::halve_repetitions(25) == 12);
  CHECK(probes::halve_repetitions(2) == 1);
  CHECK(probes::halve_repetitions(1) == 1);
  CHECK(probes::describe(number_vb(7)) == "INTEGER: 7");
  CHECK(probes::describe(string_vb("x")) == "STRING: \"x\"");
}

