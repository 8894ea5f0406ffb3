// Tests for collector/served_catalogue.h: a catalogue as the collector serves it (each agent's token
// digest, assignment and probe ids), and an invalid one refused with every error in FILE:LINE:COL form.
#include "collector/served_catalogue.h"

#include <doctest/doctest.h>

#include "collector/assignment.h"
#include "common/catalogue/parser.h"
#include "tests/common/catalogue_test_util.h"
#include "tests/temp_dir.h"

using namespace slamon;
using namespace slamon::collector;

TEST_CASE("the demo catalogue is served: each agent with its token digest, probes and assignment version") {
  const auto path = catalogue::test::source_dir() + "/config/demo.yaml";
  const auto served = load_served_catalogue(path);
  REQUIRE_MESSAGE(served.served, (served.errors.empty() ? std::string() : served.errors.front()));
  CHECK(served.errors.empty());
  const catalogue::DiskFileSource disk;
  const auto loaded = catalogue::load_catalogue(path, disk);
  REQUIRE(loaded.catalogue);
  CHECK(served.served->agents.size() == loaded.catalogue->agents.size());
  for (const auto& share : assign_probes(*loaded.catalogue)) {
    const auto* a = served.served->find(share.agent);
    REQUIRE(a != nullptr);
    CHECK(a->known.token_sha256.size() == 64);
    CHECK(a->assigned.size() == share.probes.size());
    for (const auto* p : share.probes) CHECK(a->assigned.count(p->id) == 1);
    std::string error;
    const auto expected = make_assignment(share, [](const std::string&) { return std::optional<std::string>(""); }, error);
    REQUIRE(expected);
    CHECK(a->assignment.version() == expected->version());
  }
  CHECK(served.served->find("no-such-agent") == nullptr);
}

TEST_CASE("an invalid catalogue is not served; every error is given") {
  test::TempDir dir;
  const auto path = dir.write("bad.yaml", "version: 1\nagents:\n  - name: a\n    bogus: 1\n  - name: b\n    other: 2\n");
  const auto served = load_served_catalogue(path.string());
  CHECK_FALSE(served.served);
  REQUIRE(served.errors.size() >= 2);
  CHECK(served.errors[0].find("bad.yaml:4:5: error:") != std::string::npos);
}
