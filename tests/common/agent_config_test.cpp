// The agent configuration loader: the example file, defaults, relative paths, and its errors.
#include <doctest/doctest.h>

#include "common/agent_config.h"
#include "common/catalogue/memory_file_source.h"
#include "tests/common/catalogue_test_util.h"

using namespace slamon;
using namespace slamon::catalogue;

namespace {

AgentConfigResult load(const std::string& text, bool with_files = true) {
  MemoryFileSource files;
  files.add("/etc/slamon/agent.yaml", text);
  if (with_files) {
    files.add("/etc/slamon/agent.token", "tok-123\n");
    files.add("/etc/slamon/tls/ca.pem", "pem");
    files.add("/etc/slamon/tls/agent.pem", "pem");
    files.add("/etc/slamon/tls/agent.key", "key");
  }
  return load_agent_config("/etc/slamon/agent.yaml", files);
}

std::string errors(const AgentConfigResult& r) {
  std::string out;
  for (const auto& e : r.errors) out += format_diagnostic(e) + "\n";
  return out;
}

bool has(const AgentConfigResult& r, int line, int col, const std::string& part) {
  for (const auto& e : r.errors)
    if (e.line == line && e.col == col && e.message.find(part) != std::string::npos) return true;
  return false;
}

}  // namespace

TEST_CASE("config/agent.yaml loads") {
  DiskFileSource disk;
  const auto r = load_agent_config(test::source_dir() + "/config/agent.yaml", disk);
  REQUIRE_MESSAGE(r.config, errors(r));
  CHECK(r.config->collectors == std::vector<CollectorAddress>{{"collector.example.com", 7443}});
  CHECK(r.config->name == "dc1-agent-01");
  CHECK(r.config->token.value() == "test");
  CHECK(r.config->tls.ca_file == test::source_dir() + "/config/tls/ca.pem");
  CHECK_FALSE(r.config->tls.cert_file);
  CHECK(r.config->log_level == "info");
}

TEST_CASE("minimal agent configuration: defaults and relative paths") {
  const auto r = load("collector: \"[2001:db8::1]:7443\"\nname: a-1\ntoken_file: agent.token\n"
                      "tls: {ca_file: tls/ca.pem, cert_file: tls/agent.pem, key_file: tls/agent.key}\n"
                      "spool_dir: spool\n");
  REQUIRE_MESSAGE(r.config, errors(r));
  CHECK(r.config->collectors == std::vector<CollectorAddress>{{"2001:db8::1", 7443}});
  CHECK(r.config->collectors[0].text() == "[2001:db8::1]:7443");
  CHECK(r.config->token.value() == "tok-123");
  CHECK(r.config->token_file == "/etc/slamon/agent.token");
  CHECK(r.config->tls.cert_file == std::optional<std::string>("/etc/slamon/tls/agent.pem"));
  CHECK(r.config->spool_dir == "/etc/slamon/spool");
  CHECK(r.config->state_dir == "/var/lib/slamon-agent");
  CHECK(r.config->log_level == "info");
}

TEST_CASE("agent configuration errors are all reported with their places") {
  const auto r = load(
      "collector: collector.example.com\n"  // 1: no port
      "name: Agent_1\n"                      // 2: bad name
      "token_file: missing.token\n"          // 3: missing file
      "tls:\n"
      "  ca_file: tls/none.pem\n"            // 5: missing file
      "  cert_file: tls/agent.pem\n"         // 6: cert without key
      "log_levle: debug\n"                   // 7: unknown key
      "log_level: loud\n");                  // 8: bad level
  INFO(errors(r));
  CHECK_FALSE(r.config);
  CHECK(r.errors.size() == 7);
  CHECK(has(r, 1, 12, "collector must be host:port"));
  CHECK(has(r, 2, 7, "agent name 'Agent_1' is not valid"));
  CHECK(has(r, 3, 13, "cannot read token_file 'missing.token'"));
  CHECK(has(r, 5, 12, "cannot read tls.ca_file 'tls/none.pem'"));
  CHECK(has(r, 6, 14, "needs both tls.cert_file and tls.key_file"));
  CHECK(has(r, 7, 1, "unknown key 'log_levle'; did you mean 'log_level'?"));
  CHECK(has(r, 8, 12, "log_level must be one of"));
}

TEST_CASE("agent configuration: required fields, syntax errors, the token never in a message") {
  const auto empty = load("{}\n");
  CHECK(empty.errors.size() == 4);  // collector, name, token_file, tls
  const auto syntax = load("collector: [a\n");
  REQUIRE(syntax.errors.size() == 1);
  CHECK(syntax.errors[0].message.find("YAML syntax error") == 0);
  MemoryFileSource files;
  files.add("/a/agent.yaml", "collector: c:1\nname: a\ntoken_file: t\ntls: {ca_file: t, verify: no}\n");
  files.add("/a/t", "very-secret-token\n");
  const auto r = load_agent_config("/a/agent.yaml", files);
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].message.find("very-secret-token") == std::string::npos);
  CHECK(r.errors[0].message.find("unknown key 'verify'") == 0);
}

TEST_CASE("agent configuration: collectors lists several addresses in order; with collector too it is an error at its line") {
  const std::string rest = "name: a1\ntoken_file: agent.token\ntls: {ca_file: tls/ca.pem}\n";
  auto r = load("collectors: [\"c1.example:7443\", \"[2001:db8::2]:7444\", 127.0.0.1:7445]\n" + rest);
  REQUIRE_MESSAGE(r.config, errors(r));
  CHECK(r.config->collectors ==
        std::vector<CollectorAddress>{{"c1.example", 7443}, {"2001:db8::2", 7444}, {"127.0.0.1", 7445}});
  CHECK(collectors_text(r.config->collectors) == "c1.example:7443, [2001:db8::2]:7444, 127.0.0.1:7445");
  // Block style too.
  r = load("collectors:\n  - c1.example:7443\n  - c2.example:7443\n" + rest);
  REQUIRE_MESSAGE(r.config, errors(r));
  CHECK(r.config->collectors.size() == 2);
  // Both keys: one error naming both lines, at the second key's value.
  r = load("collector: c1.example:7443\n" + rest + "collectors: [c2.example:7443]\n");
  INFO(errors(r));
  CHECK_FALSE(r.config);
  REQUIRE(r.errors.size() == 1);
  CHECK(has(r, 5, 13, "give either collector or collectors, not both (collector is at line 1)"));
  CHECK(format_diagnostic(r.errors[0]).find("/etc/slamon/agent.yaml:5:13: error: agent config: give either") == 0);
  // Empty, a bad address, an address twice, not a list, neither key.
  r = load("collectors: []\n" + rest);
  CHECK(has(r, 1, 13, "collectors must list at least one host:port"));
  r = load("collectors: [c1.example:7443, c1.example, c1.example:7443]\n" + rest);
  CHECK(r.errors.size() == 2);
  CHECK(has(r, 1, 31, "collectors must be host:port or [v6-address]:port, not 'c1.example'"));
  CHECK(has(r, 1, 43, "collector c1.example:7443 is listed twice"));
  r = load("collectors: c1.example:7443\n" + rest);
  CHECK(has(r, 1, 13, "collectors must be a list"));
  r = load(rest);
  CHECK(has(r, 1, 1, "missing required field 'collector' (or 'collectors'"));
}

TEST_CASE("agent configuration: the spool's limits, with their units and bounds") {
  const std::string head = "collector: c.example:7443\nname: a1\ntoken_file: agent.token\ntls: {ca_file: tls/ca.pem}\n";
  auto r = load(head);
  REQUIRE_MESSAGE(r.config, errors(r));
  CHECK(r.config->spool_max_bytes == 1024ull * 1024 * 1024);
  CHECK(r.config->spool_max_age_ms == 24LL * 3600 * 1000);
  r = load(head + "spool_max_size: 200KiB\nspool_max_age: 10m\n");
  REQUIRE_MESSAGE(r.config, errors(r));
  CHECK(r.config->spool_max_bytes == 200 * 1024);
  CHECK(r.config->spool_max_age_ms == 600'000);
  r = load(head + "spool_max_size: 2GB\n");
  REQUIRE_MESSAGE(r.config, errors(r));
  CHECK(r.config->spool_max_bytes == 2'000'000'000);
  r = load(head + "spool_max_size: 1000\nspool_max_age: 500ms\n");
  CHECK(has(r, 5, 17, "at least 16KiB"));
  CHECK(has(r, 6, 16, "at least 1s"));
  r = load(head + "spool_max_size: lots\n");
  CHECK(has(r, 5, 17, "must be a size such as 1GiB"));
}

TEST_CASE("parse_size reads binary and decimal units and refuses the rest") {
  CHECK(parse_size("0") == 0u);
  CHECK(parse_size("1GiB") == 1ull << 30);
  CHECK(parse_size("16 KiB") == 16384u);
  CHECK(parse_size("3MB") == 3'000'000u);
  CHECK(parse_size("7B") == 7u);
  CHECK_FALSE(parse_size(""));
  CHECK_FALSE(parse_size("GiB"));
  CHECK_FALSE(parse_size("1.5GiB"));
  CHECK_FALSE(parse_size("1 gib"));
  CHECK_FALSE(parse_size("99999999999999999999"));
  CHECK_FALSE(parse_size("100000000TiB"));
}

TEST_CASE("agent log_levels sets a level per logger (probe.* included); an unknown logger is an error") {
  const std::string base = "collector: c:7443\nname: a-1\ntoken_file: agent.token\ntls: {ca_file: tls/ca.pem}\n";
  const auto r = load(base + "log_levels: {uplink: debug, probe.snmp: error}\n");
  REQUIRE_MESSAGE(r.config, errors(r));
  CHECK(r.config->log_levels == std::map<std::string, std::string>{{"uplink", "debug"}, {"probe.snmp", "error"}});
  const auto bad = load(base + "log_levels: {link: debug}\n");
  CHECK_FALSE(bad.config);
  CHECK_MESSAGE(has(bad, 5, 14, "'link'"), errors(bad));
}
