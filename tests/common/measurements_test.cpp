// Tests for common/catalogue/measurements.h: the one table of measurements, and the docs that list it.
#include "common/catalogue/measurements.h"

#include <doctest/doctest.h>

#include <fstream>
#include <set>
#include <sstream>
#include <string>

using namespace slamon::catalogue;

namespace {

std::string read_doc(const std::string& name) {
  std::ifstream in(std::string(SLAMON_SOURCE_DIR) + "/docs/" + name);
  REQUIRE(in.good());
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string types_text(const MeasurementInfo& m) {
  std::string out;
  for (auto t : {ProbeType::http, ProbeType::icmp, ProbeType::snmp, ProbeType::tcp})
    if (m.produced_by(t)) out += (out.empty() ? "" : ", ") + std::string(to_string(t));
  return out;
}

// The rows "| `name` | unit | types | ..." of the table under "## Measurements" in docs/probes.md.
std::vector<std::string> doc_rows(const std::string& text) {
  std::vector<std::string> rows;
  const auto at = text.find("\n## Measurements\n");
  REQUIRE(at != std::string::npos);
  std::istringstream in(text.substr(at + 1));
  std::string line;
  std::getline(in, line);  // the heading
  bool in_table = false;
  while (std::getline(in, line)) {
    if (line.rfind("## ", 0) == 0) break;
    if (line.rfind("| `", 0) == 0) {
      in_table = true;
      const auto name_end = line.find('`', 3);
      const auto unit_at = line.find("| ", name_end) + 2;
      const auto unit_end = line.find(" |", unit_at);
      const auto types_at = unit_end + 3;
      const auto types_end = line.find(" |", types_at);
      rows.push_back(line.substr(3, name_end - 3) + " " + line.substr(unit_at, unit_end - unit_at) + " " +
                     line.substr(types_at, types_end - types_at));
    } else if (in_table && line.empty()) {
      break;
    }
  }
  return rows;
}

}  // namespace

TEST_CASE("measurements: the table has unique names and each type measures latency_ms") {
  std::set<std::string_view> names;
  for (const auto& m : measurements()) {
    CHECK(names.insert(m.name).second);
    CHECK(m.types != 0);
    CHECK(!m.unit.empty());
  }
  for (auto t : {ProbeType::http, ProbeType::icmp, ProbeType::snmp, ProbeType::tcp})
    CHECK(has_measurement(t, measure::latency_ms));
  CHECK(has_measurement(ProbeType::http, measure::transfer_ms));
  CHECK(has_measurement(ProbeType::icmp, measure::errors));
  CHECK_FALSE(has_measurement(ProbeType::tcp, measure::loss_percent));
  CHECK(find_measurement("loss_procent") == nullptr);
  CHECK(measurement_names(ProbeType::snmp) == std::vector<std::string_view>{"latency_ms", "values"});
}

TEST_CASE("measurements: docs/probes.md lists exactly the table (name, unit, probe types)") {
  std::vector<std::string> expected;
  for (const auto& m : measurements())
    expected.push_back(std::string(m.name) + " " + std::string(m.unit) + " " + types_text(m));
  CHECK(doc_rows(read_doc("probes.md")) == expected);
}

TEST_CASE("measurements: every name the HTTP and ICMP docs tables show is in the table for that type") {
  const auto names_in = [](const std::string& text, std::string_view from, std::string_view to) {
    std::set<std::string> out;
    const auto a = text.find(from);
    REQUIRE(a != std::string::npos);
    const auto b = text.find(to, a);
    std::istringstream in(text.substr(a, b - a));
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind("| `", 0) != 0) continue;
      const auto cell = line.substr(2, line.find(" |", 2) - 2);
      for (auto p = cell.find('`'); p != std::string::npos; p = cell.find('`', cell.find('`', p + 1) + 1))
        out.insert(cell.substr(p + 1, cell.find('`', p + 1) - p - 1));
    }
    return out;
  };
  const auto icmp = names_in(read_doc("probes.md"), "## ICMP", "## TCP");
  CHECK(icmp.size() == measurement_names(ProbeType::icmp).size());
  for (const auto& n : icmp) CHECK_MESSAGE(has_measurement(ProbeType::icmp, n), n);
  const auto http = names_in(read_doc("probes-http-snmp.md"), "Measurements (all", "When a run is judged");
  CHECK(http.size() == measurement_names(ProbeType::http).size());
  for (const auto& n : http) CHECK_MESSAGE(has_measurement(ProbeType::http, n), n);
}
