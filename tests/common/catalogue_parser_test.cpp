// The catalogue loader on valid input: the spec's example with every default applied, includes,
// secrets, and the writer's round trip (load -> write -> load gives the same model).
#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "common/catalogue/writer.h"
#include "tests/common/catalogue_test_util.h"

using namespace slamon;
using namespace slamon::catalogue;
using namespace slamon::catalogue::test;

namespace {

const Ci& ci(const Catalogue& c, const std::string& id) {
  for (const auto& x : c.cis)
    if (x.id == id) return x;
  FAIL("no ci " << id);
  throw 0;
}

LoadResult load_example() {
  DiskFileSource disk;
  return load_catalogue(source_dir() + "/config/example.yaml", disk);
}

}  // namespace

TEST_CASE("the spec's example catalogue loads with every default applied") {
  const auto r = load_example();
  REQUIRE_MESSAGE(r.catalogue, all_errors(r));
  const Catalogue& c = *r.catalogue;
  CHECK(c.version == 1);
  CHECK(c.agents.size() == 1);
  CHECK(c.agents[0].name == "dc1-agent-01");
  CHECK(c.agents[0].token_sha256.value() == "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
  CHECK(c.agents[0].labels.at("site") == "dc1");
  REQUIRE(c.cis.size() == 4);
  const Ci& web = ci(c, "web-01");
  REQUIRE(web.probes.size() == 2);
  const Probe& http = web.probes[0];
  CHECK(http.id == "web-01.http");
  CHECK(http.interval_ms == 30'000);
  CHECK(http.timeout_ms == 5'000);
  CHECK(http.stale_after_ms == 120'000);
  const auto& hs = std::get<HttpSpec>(http.spec);
  CHECK(hs.url == "https://web-01.example.com/health");
  REQUIRE(hs.expect_status.size() == 2);
  CHECK(hs.expect_status[1] == StatusRange{204, 204});
  CHECK(hs.body_regex == std::optional<std::string>("version: [0-9.]+"));
  CHECK(hs.cert_min_days == 14);
  CHECK(hs.headers == std::vector<std::pair<std::string, std::string>>{{"Host", "shop.example.com"}});
  REQUIRE(http.degraded_if.size() == 1);
  CHECK(http.degraded_if[0] == Threshold{"latency_ms", 800});
  const Probe& icmp = web.probes[1];
  CHECK(icmp.id == "web-01.icmp");
  CHECK(icmp.interval_ms == 60'000);     // from defaults
  CHECK(icmp.stale_after_ms == 180'000);  // 3 x interval
  CHECK(icmp.down_if == std::vector<Threshold>{{"loss_percent", 100}});
  CHECK(std::get<IcmpSpec>(icmp.spec).count == 3);

  const Ci& sw = ci(c, "core-sw-1");
  REQUIRE(sw.probes.size() == 2);
  const auto& v2 = std::get<SnmpSpec>(sw.probes[0].spec);
  CHECK(sw.probes[0].id == "core-sw-1.snmp");
  CHECK(v2.version == SnmpVersion::v2c);
  CHECK(v2.community.value() == "public-example");
  CHECK(v2.community.source_file().ends_with("config/secrets/core.community"));
  REQUIRE(v2.get.size() == 2);
  REQUIRE(v2.get[1].expect);
  CHECK(v2.get[1].expect->equals->numeric);
  CHECK(v2.get[1].expect->equals->number == 1);
  const auto& v3 = std::get<SnmpSpec>(sw.probes[1].spec);
  CHECK(v3.security_level == SnmpSecurityLevel::authPriv);
  CHECK(v3.auth_protocol == SnmpAuthProtocol::SHA256);
  CHECK(v3.priv_protocol == SnmpPrivProtocol::AES);
  CHECK(v3.auth_password.value() == "example-auth-pass");
  CHECK(v3.walk.at(0).expect->all_equal->text == "1");

  const auto& tcp = std::get<TcpSpec>(ci(c, "db-02").probes.at(0).spec);
  CHECK(tcp.host == "192.0.2.21");
  CHECK(tcp.port == 5432);

  REQUIRE(c.services.size() == 3);
  CHECK(c.services[0].kind == ServiceKind::business);
  CHECK(c.services[0].children.size() == 3);
  CHECK(c.services[2].rule.kind == Rule::Kind::quorum);
  CHECK(c.services[2].rule.quorum == 1);

  REQUIRE(c.maintenance.size() == 2);
  REQUIRE(c.maintenance[0].every);
  CHECK(c.maintenance[0].every->windows.at(0) == HoursWindow{0x40, 120, 240});
  CHECK(c.maintenance[0].timezone == "Asia/Shanghai");
  CHECK(c.maintenance[1].from == parse_rfc3339("2026-10-10T14:00:00Z"));

  REQUIRE(c.slas.size() == 1);
  const Sla& sla = c.slas[0];
  CHECK(sla.period == PeriodKind::month);
  REQUIRE(sla.versions.size() == 2);
  CHECK(sla.versions[0].terms.target == *parse_decimal4("99.5"));
  CHECK(sla.versions[1].terms.target == *parse_decimal4("99.9"));
  CHECK(sla.versions[1].terms.hours == sla.versions[0].terms.hours);  // copied forward
  CHECK(sla.versions[0].terms.hours.windows.at(0) == HoursWindow{0x1f, 480, 1080});
  CHECK(sla.versions[0].terms.holidays.size() == 2);
  CHECK(sla.versions[0].terms.max_outage_ms == 7'200'000);
  CHECK(sla.versions[0].terms.response_time->probe == "web-01.http");
  CHECK(sla.versions[1].effective_from == LocalDate{std::chrono::year{2027}, std::chrono::January, std::chrono::day{1}});

  REQUIRE(c.agreements.size() == 1);
  CHECK(c.agreements[0].kind == AgreementKind::uc);
  CHECK(c.agreements[0].terms.hours.always);
  CHECK(c.agreements[0].restore_within_ms == 4 * 3'600'000);
}

TEST_CASE("the example and the demo round-trip through the writer") {
  for (const char* name : {"example.yaml", "demo.yaml"}) {
    CAPTURE(name);
    DiskFileSource disk;
    const auto first = load_catalogue(source_dir() + "/config/" + name, disk);
    REQUIRE_MESSAGE(first.catalogue, all_errors(first));
    const std::string yaml = write_catalogue_yaml(*first.catalogue, WriteOptions{true});
    // Written elsewhere on disk: the secret files are named by absolute paths, so they still resolve.
    const auto dir = std::filesystem::temp_directory_path() / ("slamon-roundtrip-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "out.yaml") << yaml;
    const auto second = load_catalogue(dir / "out.yaml", disk);
    std::filesystem::remove_all(dir);
    REQUIRE_MESSAGE(second.catalogue, all_errors(second) << yaml);
    Catalogue a = *first.catalogue, b = *second.catalogue;
    clear_locations(a);
    clear_locations(b);
    CHECK(a == b);
    // and once more: the written text is stable
    CHECK(write_catalogue_yaml(*second.catalogue, WriteOptions{true}) == yaml);
  }
}

TEST_CASE("the writer never writes an inline secret unless asked") {
  const auto r = load_example();
  REQUIRE(r.catalogue);
  const std::string yaml = write_catalogue_yaml(*r.catalogue);
  CHECK(yaml.find("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08") == std::string::npos);
  CHECK(yaml.find("public-example") == std::string::npos);
  CHECK(yaml.find("community_file:") != std::string::npos);
  CHECK(yaml.find("# token_sha256: inline secret not written") != std::string::npos);
}

TEST_CASE("a maintenance-only catalogue writes a maintenance list") {
  Catalogue c;
  Maintenance m;
  m.id = "w1";
  m.targets = {"db-01"};
  m.from = *parse_rfc3339("2026-10-10T22:00:00+08:00");
  m.to = *parse_rfc3339("2026-10-11T02:00:00+08:00");
  c.maintenance.push_back(m);
  const std::string yaml = write_catalogue_yaml(c);
  CHECK(yaml.find("maintenance:\n  - id: w1\n") != std::string::npos);
  CHECK(yaml.find("from: 2026-10-10T14:00:00Z") != std::string::npos);
  CHECK(yaml.find("cis:") == std::string::npos);
}

TEST_CASE("every field of every probe type round-trips") {
  const std::string text = R"(version: 1
defaults: {interval: 2m, timeout: 10s, confirm: 2, stale_after: 10m}
agents:
  - {name: a1, labels: {site: "x y", "k:1": "v#2"}}
cis:
  - id: h1
    name: "Host: one"
    type: host
    owner: ops
    rule: {min_percent: 50.25}
    labels: {rack: "12"}
    probes:
      - type: http
        agent: a1
        weight: 0
        confirm: 3
        url: http://[2001:db8::1]:8080/x?y=1
        method: HEAD
        headers: {X-A: "1", Accept: "*/*"}
        body: "line1\nline2"
        follow_redirects: true
        ip_version: 6
        expect: {status: [200, 301-302], body_not_contains: "err", cert_min_days: 0}
        tls: {verify: false, server_name: example.com}
        down_if: {http_status: 500, ttfb_ms: 2000.5}
      - type: icmp
        agent: a1
        target: "2001:db8::2"
        count: 100
        spacing: 1500ms
        size: 0
        ip_version: 4
        down_if: {}
      - type: tcp
        agent: a1
        target: "[2001:db8::3]:22"
        expect: {banner_contains: SSH, banner_regex: "^SSH-2\\.0"}
      - id: h1.snmp-v1
        type: snmp
        agent: a1
        target: sw.example.com
        version: 1
        community: "not:plain"
        retries: 0
        max_repetitions: 10
        walk:
          - {oid: 1.3.6.1.2.1.2.2.1.8, expect: {all_equal: "up", min_rows: 2}}
        get:
          - {oid: 1.3.6.1.2.1.1.5.0, expect: {equals: "42", not_equals: 7}}
          - {oid: 1.3.6.1.2.1.1.3.0, expect: {min: -1.5, max: 1e3}}
      - id: h1.snmp-v3
        type: snmp
        agent: a1
        target: 192.0.2.1
        version: 3
        user: u
        context: ctx
        security_level: authNoPriv
        auth_protocol: MD5
        auth_password: longenough
        get: [{oid: 1.3.6.1.2.1.1.1.0}]
services:
  - {id: s1, kind: network, rule: any, children: [h1, {id: s2, weight: 0}, {id: s2b, weight: 3}]}
  - {id: s2, kind: application, labels: {a: b}}
  - {id: s2b}
maintenance:
  - {id: m1, targets: s1, every: ["mon,wed,fri 00:00-24:00", "sat-sun 10:00-11:30"], timezone: Europe/Paris, description: "weekly"}
slas:
  - id: sla1
    name: Gold
    customer: ACME
    service: h1
    target: 99.0001
    period: week
    timezone: America/New_York
    unknown: down
    degraded: down
    planned: ignore
    max_outages: 0
    versions:
      - {effective_from: 2026-01-05, hours: "mon 09:00-17:00", max_outage: 90s}
      - {effective_from: 2026-03-02, holidays: [2026-12-25], response_time: {probe: h1.http, percentile: 99.9, under: 1s}}
agreements:
  - {id: ola1, covers: s2, target: 98, period: quarter, hours: 24x7, underpins: [sla1]}
)";
  const auto first = load_text(text);
  REQUIRE_MESSAGE(first.catalogue, all_errors(first));
  const std::string yaml = write_catalogue_yaml(*first.catalogue, WriteOptions{true});
  const auto second = load_text(yaml);
  REQUIRE_MESSAGE(second.catalogue, all_errors(second) << yaml);
  Catalogue a = *first.catalogue, b = *second.catalogue;
  clear_locations(a);
  clear_locations(b);
  CHECK(a == b);
  const auto& probes = a.cis.at(0).probes;
  CHECK(probes.at(0).interval_ms == 120'000);
  CHECK(probes.at(0).stale_after_ms == 600'000);
  CHECK(probes.at(0).confirm == 3);
  CHECK(probes.at(1).confirm == 2);
  CHECK(probes.at(1).down_if.empty());  // an explicit empty down_if replaces the icmp default
  CHECK(std::get<TcpSpec>(probes.at(2).spec).host == "2001:db8::3");
  const auto& v1 = std::get<SnmpSpec>(probes.at(3).spec);
  CHECK_FALSE(v1.get.at(0).expect->equals->numeric);  // quoted: a string
  CHECK(v1.get.at(0).expect->not_equals->numeric);
  CHECK(a.slas.at(0).versions.size() == 3);
  CHECK(a.slas.at(0).versions.at(2).terms.max_outage_ms == 90'000);  // copied from version 2
  CHECK(a.maintenance.at(0).every->windows.at(0).days == 0b10101);
}

TEST_CASE("includes: globs in sorted order, nesting, relative paths and secrets beside the naming file") {
  MemoryFileSource files;
  files.add("/m/root.yaml", "version: 1\ninclude: [sites/*.yaml, more/extra.yaml]\ncis: [{id: r}]\n");
  files.add("/m/sites/b.yaml", "cis: [{id: b}]\n");
  files.add("/m/sites/a.yaml", "cis: [{id: a}]\ninclude: ../nested/n.yaml\n");
  files.add("/m/nested/n.yaml", "agents: [{name: n1, token_sha256_file: tok}]\ncis: [{id: n}]\n");
  files.add("/m/nested/tok", "9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08\n");
  files.add("/m/more/extra.yaml", "services: [{id: s, children: [a, b, n, r]}]\n");
  const auto r = load_catalogue("/m/root.yaml", files);
  REQUIRE_MESSAGE(r.catalogue, all_errors(r));
  std::vector<std::string> ids;
  for (const auto& c : r.catalogue->cis) ids.push_back(c.id);
  CHECK(ids == std::vector<std::string>{"r", "a", "n", "b"});
  CHECK(r.catalogue->agents.at(0).token_sha256.value() ==
        "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
  CHECK(r.catalogue->agents.at(0).token_sha256.source_file() == "/m/nested/tok");
  CHECK(r.catalogue->agents.at(0).loc.file == "/m/nested/n.yaml");
}

TEST_CASE("an empty list section, a CI without probes and a pattern matching nothing are fine") {
  const auto r = load_text("version: 1\ninclude: 'nothing/*.yaml'\nagents:\ncis: [{id: lonely}]\n");
  REQUIRE_MESSAGE(r.catalogue, all_errors(r));
  CHECK(r.catalogue->cis.at(0).probes.empty());
}

TEST_CASE("YAML anchors and aliases are read as copies") {
  const auto r = load_text(
      "version: 1\nagents: [{name: a}]\ncis:\n  - id: c1\n    labels: &l {team: x}\n  - id: c2\n    labels: *l\n");
  REQUIRE_MESSAGE(r.catalogue, all_errors(r));
  CHECK(r.catalogue->cis.at(1).labels.at("team") == "x");
}

TEST_CASE("to_string names") {
  CHECK(to_string(ProbeType::snmp) == "snmp");
  CHECK(to_string(ServiceKind::infrastructure) == "infrastructure");
  CHECK(to_string(PeriodKind::quarter) == "quarter");
}

TEST_CASE("the demo catalogue loads and probes only loopback targets") {
  DiskFileSource disk;
  const auto r = load_catalogue(source_dir() + "/config/demo.yaml", disk);
  REQUIRE_MESSAGE(r.catalogue, all_errors(r));
  auto loopback = [](const std::string& host) { return host.rfind("127.", 0) == 0 || host == "::1"; };
  std::size_t n = 0;
  for (const auto& c : r.catalogue->cis)
    for (const auto& p : c.probes) {
      ++n;
      CHECK(p.agent == "demo-agent");
      if (const auto* h = std::get_if<HttpSpec>(&p.spec)) {
        CHECK((h->url.rfind("http://127.0.0.1:", 0) == 0 || h->url.rfind("https://127.0.0.1:", 0) == 0));
      } else if (const auto* i = std::get_if<IcmpSpec>(&p.spec)) {
        CHECK(loopback(i->target));
      } else if (const auto* s = std::get_if<SnmpSpec>(&p.spec)) {
        CHECK(loopback(s->target));
      } else if (const auto* t = std::get_if<TcpSpec>(&p.spec)) {
        CHECK(loopback(t->host));
      }
    }
  CHECK(n >= 6);
  CHECK(r.catalogue->maintenance.size() >= 1);
  CHECK(r.catalogue->slas.size() >= 1);
}

TEST_CASE("DiskFileSource: globs match one level per component, sorted, without hidden files") {
  namespace fs = std::filesystem;
  const auto dir = fs::temp_directory_path() / ("slamon-glob-" + std::to_string(::getpid()));
  fs::create_directories(dir / "sites" / "deep");
  for (const char* f : {"sites/b.yaml", "sites/a.yaml", "sites/.hidden.yaml", "sites/c.yml", "sites/deep/d.yaml"})
    std::ofstream(dir / f) << "cis: []\n";
  fs::create_directories(dir / "sites" / "dir.yaml");
  DiskFileSource disk;
  const auto m = disk.glob(dir / "sites" / "*.yaml").paths;
  REQUIRE(m.size() == 2);
  CHECK(m[0] == dir / "sites" / "a.yaml");
  CHECK(m[1] == dir / "sites" / "b.yaml");
  CHECK(disk.glob(dir / "*" / "deep" / "*.yaml").paths == std::vector<fs::path>{dir / "sites" / "deep" / "d.yaml"});
  CHECK(disk.glob(dir / "none" / "*.yaml").paths.empty());
  CHECK(disk.read(dir / "sites" / "a.yaml", 100).bytes == std::optional<std::string>("cis: []\n"));
  CHECK(disk.read(dir / "sites" / "missing.yaml", 100).error == "No such file or directory");
  CHECK(disk.read(dir / "sites" / "dir.yaml", 100).error == "is a directory");  // a directory is not a file
  CHECK(disk.read(dir / "sites" / "a.yaml", 4).error == "is larger than 4 bytes");
  fs::remove_all(dir);
}

TEST_CASE("the writer quotes what YAML would otherwise change") {
  Catalogue c;
  Ci ci;
  ci.id = "c";
  for (const std::string& s : {std::string("null"), std::string("~"), std::string(" lead"), std::string("a: b"),
                               std::string("x\xC2\x85y"), std::string("p\xE2\x80\xA8q"), std::string("\xEF\xBB\xBFz"),
                               std::string("tab\there"), std::string("#hash"), std::string("[x]"),
                               std::string("quote\"back\\slash"), std::string("ctl\x01")})
    ci.labels[std::string("k").append(std::to_string(ci.labels.size()))] = s;
  c.cis.push_back(ci);
  const auto r = load_text(write_catalogue_yaml(c));
  REQUIRE_MESSAGE(r.catalogue, all_errors(r));
  CHECK(r.catalogue->cis.at(0).labels == ci.labels);
}

TEST_CASE("include globs through symlinked directories that loop and fan out end, each real file once") {
  namespace fs = std::filesystem;
  const auto dir = fs::temp_directory_path() / ("slamon-globloop-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "d");
  std::ofstream(dir / "d" / "x.yaml") << "cis: [{id: x}]\n";
  // Each of ten links points back at d: "*/*/.../*.yaml" used to expand as 10^depth paths.
  for (int i = 0; i < 10; ++i) fs::create_directory_symlink(dir / "d", dir / "d" / ("l" + std::to_string(i)));
  std::string pattern = "d";
  for (int i = 0; i < 12; ++i) pattern += "/*";
  pattern += "/*.yaml";
  DiskFileSource disk;
  const auto g = disk.glob(dir / pattern);
  CHECK(g.error.empty());
  CHECK(g.paths.size() == 1);  // d/x.yaml is the one real file; 12 levels below d it is reached through links
  std::ofstream(dir / "root.yaml") << "version: 1\ninclude: [d/*.yaml, d/*/*.yaml, d/*/*/*.yaml]\n";
  const auto r = load_catalogue(dir / "root.yaml", disk);
  INFO(all_errors(r));
  // The same real file through three patterns: loaded once, the other two are "included more than once".
  CHECK(r.errors.size() == 2);
  for (const auto& e : r.errors) CHECK(e.message.find("included more than once") != std::string::npos);
  // A pattern that would match more than kMaxGlobMatches directories is refused with a reason.
  std::string many;
  for (std::size_t i = 0; i <= kMaxGlobComponents; ++i) many += "/*";
  CHECK(disk.glob(dir / ("d" + many)).error.find("path components") != std::string::npos);
  fs::remove_all(dir);
}

TEST_CASE("an include chain through a symlink to its own folder stops at the cycle") {
  namespace fs = std::filesystem;
  const auto dir = fs::temp_directory_path() / ("slamon-inclink-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  fs::create_directory_symlink(dir, dir / "sub");
  std::ofstream(dir / "root.yaml") << "version: 1\ninclude: a.yaml\n";
  std::ofstream(dir / "a.yaml") << "include: sub/a.yaml\n";  // sub/a.yaml is a.yaml again
  DiskFileSource disk;
  const auto r = load_catalogue(dir / "root.yaml", disk);
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].message.find("include cycle") != std::string::npos);
  fs::remove_all(dir);
}

TEST_CASE("burn_rate: absent gives the three default rules, [] none, a list its own rules; all round-trip") {
  const auto r = load_text(R"(version: 1
services: [{id: shop}]
slas:
  - {id: a, service: shop, target: 99.9}
  - {id: b, service: shop, target: 99.9, burn_rate: []}
  - id: c
    service: shop
    target: 99.9
    burn_rate:
      - {long: 2h, short: 10m, factor: 7.5, severity: ticket}
)");
  REQUIRE_MESSAGE(r.catalogue, all_errors(r));
  const auto& slas = r.catalogue->slas;
  CHECK_FALSE(slas[0].burn_rate);
  const auto defaults = slas[0].burn_rate_rules();
  REQUIRE(defaults.size() == 3);
  CHECK(defaults[0] == BurnRateRule{3'600'000, 300'000, Decimal4{144'000}, "page"});
  CHECK(defaults[1] == BurnRateRule{21'600'000, 1'800'000, Decimal4{60'000}, "page"});
  CHECK(defaults[2] == BurnRateRule{259'200'000, 21'600'000, Decimal4{10'000}, "ticket"});
  REQUIRE(slas[1].burn_rate);
  CHECK(slas[1].burn_rate_rules().empty());
  REQUIRE(slas[2].burn_rate);
  CHECK(*slas[2].burn_rate == std::vector<BurnRateRule>{BurnRateRule{7'200'000, 600'000, Decimal4{75'000}, "ticket"}});

  const std::string yaml = write_catalogue_yaml(*r.catalogue);
  CHECK(yaml.find("burn_rate: []") != std::string::npos);
  CHECK(yaml.find("burn_rate: [{long: 2h, short: 10m, factor: 7.5, severity: ticket}]") != std::string::npos);
  auto again = load_text(yaml);
  REQUIRE_MESSAGE(again.catalogue, all_errors(again));
  for (std::size_t i = 0; i < 3; ++i) CHECK(again.catalogue->slas[i].burn_rate == slas[i].burn_rate);
}

TEST_CASE("notifications: ca_file on a webhook and on smtp is resolved against the file, checked readable, written back") {
  const std::string text = R"(version: 1
notifications:
  webhooks:
    - {id: ops, url: "https://hooks.example.com/slamon", ca_file: certs/ca.pem}
  smtp: {server: "smtp.example.com:587", from: slamon@example.com, ca_file: certs/ca.pem}
)";
  const auto r = load_text(text, {{"certs/ca.pem", "-----BEGIN CERTIFICATE-----\n"}});
  REQUIRE_MESSAGE(r.catalogue, all_errors(r));
  const Notifications& n = r.catalogue->notifications;
  CHECK(n.webhooks.at(0).ca_file == "/mem/certs/ca.pem");
  REQUIRE(n.smtp);
  CHECK(n.smtp->ca_file == "/mem/certs/ca.pem");
  auto again = load_text(write_catalogue_yaml(*r.catalogue), {{"certs/ca.pem", "-----BEGIN CERTIFICATE-----\n"}});
  REQUIRE_MESSAGE(again.catalogue, all_errors(again));
  CHECK(again.catalogue->notifications == n);
  const auto missing = load_text(text);
  CHECK_FALSE(missing.catalogue);
  CHECK(all_errors(missing).find("cannot read ca_file 'certs/ca.pem'") != std::string::npos);
}

TEST_CASE("notifications: webhooks, smtp and routes are read, secrets from files, and round-trip through the writer") {
  const auto r = load_text(R"(version: 1
services: [{id: shop}]
slas: [{id: gold, service: shop, target: 99.9}]
notifications:
  routes:
    - {slas: [gold], severities: [page], webhooks: [ops], emails: [oncall@example.com]}
    - {owners: [finance], kinds: [outage_opened, outage_closed], emails: finance-it@example.com}
  webhooks:
    - {id: ops, url: "https://hooks.example.com/slamon", token_file: secrets/ops.token}
  smtp: {server: "smtp.example.com:587", from: slamon@example.com, user: slamon, password_file: secrets/smtp.pass}
)",
                           {{"secrets/ops.token", "hook-secret-value\n"}, {"secrets/smtp.pass", "smtp-secret-value\n"}});
  REQUIRE_MESSAGE(r.catalogue, all_errors(r));
  const Notifications& n = r.catalogue->notifications;
  REQUIRE(n.webhooks.size() == 1);
  CHECK(n.webhooks[0].id == "ops");
  CHECK(n.webhooks[0].url == "https://hooks.example.com/slamon");
  CHECK(n.webhooks[0].token.value() == "hook-secret-value");
  REQUIRE(n.smtp);
  CHECK(n.smtp->server == "smtp.example.com:587");
  CHECK(n.smtp->password.value() == "smtp-secret-value");
  CHECK(n.smtp->starttls);
  REQUIRE(n.routes.size() == 2);
  CHECK(n.routes[0] == NotificationRoute{{"gold"}, {}, {"page"}, {}, {"ops"}, {"oncall@example.com"}});
  CHECK(n.routes[1].emails == std::vector<std::string>{"finance-it@example.com"});
  const std::string yaml = write_catalogue_yaml(*r.catalogue);
  CHECK(yaml.find("secret-value") == std::string::npos);
  CHECK(yaml.find("      token_file: /mem/secrets/ops.token\n") != std::string::npos);
  CHECK(yaml.find("    password_file: /mem/secrets/smtp.pass\n") != std::string::npos);
  auto again = load_text(yaml, {{"secrets/ops.token", "hook-secret-value\n"}, {"secrets/smtp.pass", "smtp-secret-value\n"}});
  REQUIRE_MESSAGE(again.catalogue, all_errors(again));
  CHECK(again.catalogue->notifications == n);
}
