// The OpenSLO v1 documents written from a catalogue: names mapped to RFC 1123, the target as a
// ratio, the calendar window of the period, annotations for what OpenSLO has no field for, SLAs
// OpenSLO cannot express left out, and no secret in the output. (The schema check is
// tests/cli/openslo_test.sh.)
#include "common/catalogue/openslo_writer.h"

#include <doctest/doctest.h>

#include "tests/common/catalogue_test_util.h"

using namespace slamon;
using namespace slamon::catalogue;
using namespace slamon::catalogue::test;

TEST_CASE("openslo_name maps ids to RFC 1123 labels") {
  CHECK(openslo_name("Shop_Web.eu") == "shop-web-eu");
  CHECK(openslo_name("--x--") == "x");
  CHECK(openslo_name("___") == "x");
  CHECK(openslo_name(std::string(80, 'a')).size() == 63);
}

TEST_CASE("an SLA becomes a Service and an SLO with a calendar window, Timeslices and its target as a ratio") {
  const auto r = load_text(R"(version: 1
agents: [{name: dc1}]
cis:
  - id: db
    probes: [{type: snmp, agent: dc1, target: "127.0.0.1", version: 2c, community: s3cr3t-community, get: [{oid: 1.3.6.1.2.1.1.3.0}]}]
services: [{id: Shop_Web, name: "Web shop", owner: web-team, children: [db]}]
maintenance:
  - {id: patch, targets: [db], every: "sun 02:00-04:00", timezone: Europe/Zurich}
agreements:
  - {id: ola-db, kind: ola, provider: "DB team", covers: db, target: 99.95, restore_within: 4h}
slas:
  - id: gold
    name: "Gold shop"
    customer: ACME
    service: Shop_Web
    period: month
    timezone: Europe/Zurich
    target: 99.95
    hours: "mon-fri 08:00-18:00"
    holidays: [2026-12-25]
  - {id: perfect, service: Shop_Web, target: 100}
)");
  REQUIRE_MESSAGE(r.catalogue, all_errors(r));
  const OpensloExport ex = write_openslo(*r.catalogue);
  const std::string& y = ex.yaml;
  CHECK(y.find("kind: Service\nmetadata:\n  name: \"shop-web\"\n  displayName: \"Web shop\"") != std::string::npos);
  CHECK(y.find("kind: SLO\nmetadata:\n  name: \"gold\"\n  displayName: \"Gold shop\"") != std::string::npos);
  CHECK(y.find("  service: \"shop-web\"\n") != std::string::npos);
  CHECK(y.find("  timeWindow:\n    - duration: 1M\n      calendar:\n        startTime: \"2000-01-01 00:00:00\"\n"
               "        timeZone: \"Europe/Zurich\"\n      isRolling: false\n") != std::string::npos);
  CHECK(y.find("  budgetingMethod: Timeslices\n") != std::string::npos);
  CHECK(y.find("      target: 0.9995\n      timeSliceTarget: 1\n      timeSliceWindow: 1m\n") != std::string::npos);
  CHECK(y.find("slamon.io/service-hours: \"mon-fri 08:00-18:00\"") != std::string::npos);
  CHECK(y.find("slamon.io/holidays: \"2026-12-25\"") != std::string::npos);
  CHECK(y.find("slamon.io/maintenance: \"patch: every sun 02:00-04:00 Europe/Zurich on db\"") != std::string::npos);
  CHECK(y.find("slamon.io/agreements: \"ola-db (ola, DB team): 99.95 % on db, restore within 4h\"") != std::string::npos);
  CHECK(y.find("slamon.io/customer: \"ACME\"") != std::string::npos);
  // One Service for the two SLAs on it; the target-100 SLA is left out.
  CHECK(y.find("kind: Service", y.find("kind: Service") + 1) == std::string::npos);
  CHECK(y.find("name: \"perfect\"") == std::string::npos);
  REQUIRE(ex.left_out.size() == 1);
  CHECK(ex.left_out[0].find("sla perfect: target 100") == 0);
  CHECK(y.find("s3cr3t") == std::string::npos);
  CHECK(y.find("127.0.0.1") == std::string::npos);
}

TEST_CASE("a weekly SLA's window is 1w anchored on a Monday; the first version's effective_from anchors when set") {
  const auto r = load_text(R"(version: 1
services: [{id: shop}]
slas:
  - {id: w, service: shop, period: week, target: 99.5}
  - {id: q, service: shop, period: quarter, target: 99.5, effective_from: 2026-04-01}
)");
  REQUIRE_MESSAGE(r.catalogue, all_errors(r));
  const std::string y = write_openslo(*r.catalogue).yaml;
  CHECK(y.find("- duration: 1w\n      calendar:\n        startTime: \"2001-01-01 00:00:00\"") != std::string::npos);
  CHECK(y.find("- duration: 1Q\n      calendar:\n        startTime: \"2026-04-01 00:00:00\"") != std::string::npos);
  CHECK(y.find("      target: 0.995\n") != std::string::npos);
}
