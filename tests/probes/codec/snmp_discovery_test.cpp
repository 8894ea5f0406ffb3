// SNMPv3 engine discovery bytes (probes/codec/snmp_discovery.h): the request we send and the parse
// of a Report. Real reports from snmpd are the fuzzer's seeds in
// tests/fuzz/corpus/snmp_discovery/; tests/probes/snmp_test.cpp parses live ones.
#include "probes/codec/snmp_discovery.h"

#include <doctest/doctest.h>

#include <cstdint>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

using namespace slamon;

TEST_CASE("snmp engine discovery bytes") {
  const auto req = probes::build_discovery_request(0x12345678, 99);
  REQUIRE(req.size() > 20);
  CHECK(req[0] == 0x30);
  CHECK(static_cast<std::size_t>(req[1]) == req.size() - 2);
  // Our own request carries an empty engine id: not a usable answer.
  CHECK_FALSE(probes::parse_discovery_response(req, 0x12345678));
  // A report with an engine id, boots and time, built by hand.
  const std::vector<std::uint8_t> report = {
      0x30, 0x38, 0x02, 0x01, 0x03,                                          // v3
      0x30, 0x11, 0x02, 0x04, 0x12, 0x34, 0x56, 0x78, 0x02, 0x03, 0x00, 0xff, 0xe3, 0x04, 0x01, 0x00, 0x02,
      0x01, 0x03,                                                            // global data
      0x04, 0x1a, 0x30, 0x18, 0x04, 0x08, 0x80, 0x00, 0x1f, 0x88, 0x80, 0x01, 0x02, 0x03,  // engine id
      0x02, 0x01, 0x07,                                                      // boots 7
      0x02, 0x03, 0x01, 0x00, 0x00,                                          // time 65536
      0x04, 0x00, 0x04, 0x00, 0x04, 0x00,                                    // user, auth, priv
      0x30, 0x04, 0x04, 0x00, 0x04, 0x00};                                   // scoped PDU (cut short)
  const auto info = probes::parse_discovery_response(report, 0x12345678);
  REQUIRE(info.has_value());
  CHECK(info->id == std::string("\x80\x00\x1f\x88\x80\x01\x02\x03", 8));
  CHECK(info->boots == 7);
  CHECK(info->time_s == 65536);
  CHECK_FALSE(probes::parse_discovery_response(report, 0x12345679));  // another message's answer
  CHECK_FALSE(probes::parse_discovery_response(std::span(report).first(30), 0x12345678));
}


TEST_CASE("snmp engine discovery: reports captured from snmpd") {
  // Seeds of the fuzzer, captured from snmpd 5.9 by tests/probes/peers/snmp_capture_reports.py, answering
  // message id 4242: the engine id report, and reports that carry the engine id after a probe with it.
  const auto load = [](const char* name) {
    std::ifstream in(std::string(SLAMON_SOURCE_DIR) + "/tests/fuzz/corpus/snmp_discovery/" + name, std::ios::binary);
    return std::vector<std::uint8_t>(std::istreambuf_iterator<char>(in), {});
  };
  const auto unknown_engine = load("report_unknown_engine");
  REQUIRE(unknown_engine.size() > 60);
  const auto info = probes::parse_discovery_response(unknown_engine, 4242);
  REQUIRE(info.has_value());
  CHECK(info->id.size() == 17);
  CHECK(info->id.substr(0, 4) == std::string("\x80\x00\x1f\x88", 4));  // net-snmp's enterprise, RFC 3411 format
  CHECK_FALSE(probes::parse_discovery_response(unknown_engine, 4243));
  for (std::size_t cut = 0; cut < unknown_engine.size(); ++cut)  // every truncation is refused
    CHECK_FALSE(probes::parse_discovery_response(std::span(unknown_engine).first(cut), 4242));
  const auto unknown_user = probes::parse_discovery_response(load("report_unknown_user"), 4242);
  REQUIRE(unknown_user.has_value());
  CHECK(unknown_user->id == info->id);
}
