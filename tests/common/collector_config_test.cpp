// The collector configuration loader: the example file, defaults, relative paths, store locations,
// and its errors in the catalogue's form.
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include "common/catalogue/memory_file_source.h"
#include "common/collector_config.h"
#include "tests/common/catalogue_test_util.h"

using namespace slamon;
using namespace slamon::catalogue;

namespace {

CollectorConfigResult load(const std::string& text, bool with_files = true) {
  MemoryFileSource files;
  files.add("/etc/slamon/collector.yaml", text);
  if (with_files) {
    files.add("/etc/slamon/catalogue.yaml", "version: 1\n");
    files.add("/etc/slamon/tls/collector.pem", "pem");
    files.add("/etc/slamon/tls/collector.key", "key");
    files.add("/etc/slamon/tls/agents-ca.pem", "pem");
  }
  return load_collector_config("/etc/slamon/collector.yaml", files);
}

std::string errors(const CollectorConfigResult& r) {
  std::string out;
  for (const auto& e : r.errors) out += format_diagnostic(e) + "\n";
  return out;
}

bool has(const CollectorConfigResult& r, int line, int col, const std::string& part) {
  for (const auto& e : r.errors)
    if (e.line == line && e.col == col && e.message.find(part) != std::string::npos) return true;
  return false;
}

const char* kMinimal = "catalogue: catalogue.yaml\ntls:\n  cert_file: tls/collector.pem\n  key_file: tls/collector.key\n";

}  // namespace

TEST_CASE("config/collector.yaml loads, given the files it names") {
  std::ifstream in(test::source_dir() + "/config/collector.yaml");
  std::stringstream text;
  text << in.rdbuf();
  MemoryFileSource files;
  const std::string dir = test::source_dir() + "/config";
  files.add(dir + "/collector.yaml", text.str());
  files.add(dir + "/example.yaml", "version: 1\n");
  files.add(dir + "/tls/collector.pem", "pem");
  files.add(dir + "/tls/collector.key", "key");
  const auto r = load_collector_config(dir + "/collector.yaml", files);
  REQUIRE_MESSAGE(r.config, errors(r));
  CHECK(r.config->catalogue == dir + "/example.yaml");
  CHECK(r.config->listen_host == "0.0.0.0");
  CHECK(r.config->listen_port == 7443);
  CHECK(r.config->store == StoreLocation{StoreLocation::Kind::sqlite, "/var/lib/slamon-collector/store.db"});
  CHECK(r.config->retention_ms == 35LL * 24 * 3600 * 1000);
  CHECK(r.config->clock_skew_limit_ms == 2000);
}

TEST_CASE("a minimal collector.yaml takes the documented defaults, paths relative to its folder") {
  const auto r = load(kMinimal);
  REQUIRE_MESSAGE(r.config, errors(r));
  const auto& c = *r.config;
  CHECK(c.catalogue == "/etc/slamon/catalogue.yaml");
  CHECK(c.tls.cert_file == "/etc/slamon/tls/collector.pem");
  CHECK(c.tls.key_file == "/etc/slamon/tls/collector.key");
  CHECK_FALSE(c.tls.client_ca_file);
  CHECK(c.listen_host == "0.0.0.0");
  CHECK(c.listen_port == 7443);
  CHECK(c.state_dir == "/var/lib/slamon-collector");
  CHECK(c.store == StoreLocation{StoreLocation::Kind::sqlite, "/var/lib/slamon-collector/store.db"});
  CHECK(c.retention_ms == 35LL * 24 * 3600 * 1000);
  CHECK(c.clock_skew_limit_ms == 2000);
  CHECK(c.log_level == "info");
}

TEST_CASE("every field of collector.yaml is read") {
  const auto r = load(std::string(kMinimal) +
                      "  client_ca_file: tls/agents-ca.pem\nlisten: '[::1]:9443'\nstate_dir: state\nstore: sqlite:data/s.db\n"
                      "retention: 90d\nclock_skew_limit: 500ms\nlog_level: debug\n");
  REQUIRE_MESSAGE(r.config, errors(r));
  const auto& c = *r.config;
  CHECK(c.tls.client_ca_file == std::optional<std::string>("/etc/slamon/tls/agents-ca.pem"));
  CHECK(c.listen_host == "::1");
  CHECK(c.listen_port == 9443);
  CHECK(c.state_dir == "/etc/slamon/state");
  CHECK(c.store == StoreLocation{StoreLocation::Kind::sqlite, "/etc/slamon/data/s.db"});
  CHECK(c.retention_ms == 90LL * 24 * 3600 * 1000);
  CHECK(c.clock_skew_limit_ms == 500);
  CHECK(c.log_level == "debug");
}

TEST_CASE("store takes a SQLite path, sqlite:PATH or a postgresql:// URL, and nothing else") {
  std::string error;
  CHECK(parse_store_location("postgresql://slamon@db.example/slamon", "/x", error) ==
        StoreLocation{StoreLocation::Kind::postgresql, "postgresql://slamon@db.example/slamon"});
  CHECK(parse_store_location("postgres://db/s", "/x", error)->kind == StoreLocation::Kind::postgresql);
  CHECK(parse_store_location("/abs/s.db", "/x", error)->target == "/abs/s.db");
  CHECK(parse_store_location("rel/s.db", "/x", error)->target == "/x/rel/s.db");
  CHECK_FALSE(parse_store_location("mysql://db/s", "/x", error));
  CHECK(error.find("mysql://") != std::string::npos);
  CHECK_FALSE(parse_store_location("postgresql://", "/x", error));
  CHECK_FALSE(parse_store_location("sqlite:", "/x", error));
}

TEST_CASE("collector.yaml errors name file, line, column and what is wrong, all at once") {
  const auto r = load("catalogue: missing.yaml\nlisten: 7443\ntls:\n  cert_file: tls/none.pem\n  key_file: tls/collector.key\n"
                      "  client_ca: x\nstore: mysql://db\nretention: 2h\nclock_skew_limit: soon\nlog_levle: info\n");
  CHECK_FALSE(r.config);
  INFO(errors(r));
  CHECK(has(r, 1, 12, "cannot read catalogue 'missing.yaml'"));
  CHECK(has(r, 2, 9, "listen must be host:port"));
  CHECK(has(r, 4, 14, "cannot read tls.cert_file 'tls/none.pem'"));
  CHECK(has(r, 6, 3, "unknown key 'client_ca'"));
  CHECK(has(r, 7, 8, "mysql://"));
  CHECK(has(r, 8, 12, "at least 1d"));
  CHECK(has(r, 9, 19, "clock_skew_limit"));
  CHECK(has(r, 10, 1, "did you mean 'log_level'"));
  const auto missing = load("listen: 0.0.0.0:7443\n");
  CHECK(has(missing, 1, 1, "catalogue"));
  CHECK(has(missing, 1, 1, "tls"));
  const auto unreadable = load(kMinimal, false);
  CHECK(unreadable.errors.size() == 3);
}

// ---- http: the API's listener --------------------------------------------------------------------

namespace {
const std::string kDigestA(64, 'a');
const std::string kDigestB = "ABCDEF0123456789abcdef0123456789ABCDEF0123456789abcdef0123456789";
}  // namespace

TEST_CASE("http defaults to 127.0.0.1:8080 without tokens, TLS or web_root") {
  const auto r = load(kMinimal);
  REQUIRE_MESSAGE(r.config, errors(r));
  CHECK(r.config->http.listen_host == "127.0.0.1");
  CHECK(r.config->http.listen_port == 8080);
  CHECK(r.config->http.read_token_sha256.empty());
  CHECK(r.config->http.admin_token_sha256.empty());
  CHECK_FALSE(r.config->http.tls);
  CHECK(r.config->http.web_root.empty());
}

TEST_CASE("http: listen, token digests inline or in a file (lower-cased), tls and web_root") {
  MemoryFileSource files;
  files.add("/etc/slamon/collector.yaml", std::string(kMinimal) +
                                              "http:\n  listen: 0.0.0.0:9443\n  read_token_sha256: " + kDigestB +
                                              "\n  admin_token_sha256_file: secrets/admin.sha256\n  tls:\n"
                                              "    cert_file: tls/collector.pem\n    key_file: tls/collector.key\n"
                                              "  web_root: ui\n");
  files.add("/etc/slamon/catalogue.yaml", "version: 1\n");
  files.add("/etc/slamon/tls/collector.pem", "pem");
  files.add("/etc/slamon/tls/collector.key", "key");
  files.add("/etc/slamon/secrets/admin.sha256", kDigestA + "\n");
  const auto r = load_collector_config("/etc/slamon/collector.yaml", files);
  REQUIRE_MESSAGE(r.config, errors(r));
  const auto& h = r.config->http;
  CHECK(h.listen_host == "0.0.0.0");
  CHECK(h.listen_port == 9443);
  CHECK(h.read_token_sha256.value() == "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789");
  CHECK(h.admin_token_sha256.value() == kDigestA);
  CHECK(h.admin_token_sha256.source_file() == "/etc/slamon/secrets/admin.sha256");
  REQUIRE(h.tls);
  CHECK(h.tls->cert_file == "/etc/slamon/tls/collector.pem");
  CHECK(h.web_root == "/etc/slamon/ui");
}

TEST_CASE("http on a non-loopback address without a read token is an error at the listen value") {
  const auto r = load(std::string(kMinimal) + "http:\n  listen: 0.0.0.0:8080\n  admin_token_sha256: " + kDigestA + "\n");
  CHECK_FALSE(r.config);
  CHECK_MESSAGE(has(r, 6, 11, "http.listen 0.0.0.0:8080 is not a loopback address: set http.read_token_sha256"),
                errors(r));
  for (const char* ok : {"127.0.0.1:8080", "127.1.2.3:80", "\"[::1]:8080\"", "localhost:8080"}) {
    const auto l = load(std::string(kMinimal) + "http:\n  listen: " + ok + "\n");
    CHECK_MESSAGE(l.config, ok, errors(l));
  }
}

TEST_CASE("http errors: bad listen, bad digest, inline and file both, unreadable file, unknown key") {
  const auto r = load(std::string(kMinimal) +
                      "http:\n  listen: 8080\n  read_token_sha256: xyz\n  admin_token_sha256: " + kDigestA +
                      "\n  admin_token_sha256_file: nope.sha256\n  web_rot: ui\n  tls: {cert_file: missing.pem}\n");
  CHECK_FALSE(r.config);
  CHECK_MESSAGE(has(r, 6, 11, "http.listen must be host:port"), errors(r));
  CHECK_MESSAGE(has(r, 7, 22, "http.read_token_sha256 must be 64 hexadecimal digits"), errors(r));
  CHECK_MESSAGE(has(r, 9, 28, "give admin_token_sha256 or admin_token_sha256_file, not both"), errors(r));
  CHECK_MESSAGE(has(r, 10, 3, "unknown key 'web_rot'; did you mean 'web_root'?"), errors(r));
  CHECK_MESSAGE(has(r, 11, 20, "cannot read http.tls.cert_file"), errors(r));
  CHECK_MESSAGE(has(r, 11, 8, "key_file"), errors(r));
  const auto f = load(std::string(kMinimal) + "http:\n  read_token_sha256_file: none.sha256\n");
  CHECK_MESSAGE(has(f, 6, 27, "cannot read http.read_token_sha256_file 'none.sha256'"), errors(f));
}

TEST_CASE("is_loopback_host: 127.0.0.0/8, ::1, localhost; nothing else") {
  for (const char* yes : {"127.0.0.1", "127.255.0.9", "::1", "localhost", "::ffff:127.0.0.1"}) CHECK_MESSAGE(is_loopback_host(yes), yes);
  for (const char* no : {"0.0.0.0", "::", "10.0.0.1", "127.0.0", "127.0.0.1.5", "127.0.0.1x", "1270.0.0.1",
                         "localhost.example", "", "128.0.0.1", "127..0.1"})
    CHECK_MESSAGE(!is_loopback_host(no), no);
}

TEST_CASE("log_levels sets a level per logger; an unknown logger or level is an error with its place") {
  const auto r = load(std::string(kMinimal) + "log_levels: {ingest: debug, http: warn}\n");
  REQUIRE_MESSAGE(r.config, errors(r));
  CHECK(r.config->log_levels == std::map<std::string, std::string>{{"ingest", "debug"}, {"http", "warn"}});
  CHECK(r.config->log_level == "info");
  const auto bad = load(std::string(kMinimal) + "log_levels:\n  ingst: debug\n  http: loud\n");
  CHECK_FALSE(bad.config);
  CHECK_MESSAGE(has(bad, 6, 3, "'ingst'"), errors(bad));
  CHECK_MESSAGE(has(bad, 7, 9, "loud"), errors(bad));
}

TEST_CASE("enrolled_agents defaults to STATE_DIR/enrolled-agents and is relative to the file's folder") {
  const auto r = load(std::string(kMinimal) + "state_dir: /srv/slamon\n");
  REQUIRE_MESSAGE(r.config, errors(r));
  CHECK(r.config->enrolled_agents == "/srv/slamon/enrolled-agents");
  const auto r2 = load(std::string(kMinimal) + "enrolled_agents: agents/enrolled\n");
  REQUIRE_MESSAGE(r2.config, errors(r2));
  CHECK(r2.config->enrolled_agents == "/etc/slamon/agents/enrolled");
}
