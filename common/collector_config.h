// The collector's configuration file (collector.yaml): its catalogue, where it listens for agents
// and with which certificate, where it stores results and for how long, and the clock skew it
// tolerates, and its HTTP listener (`http:`). Loaded with the catalogue's error quality (file:line:col, unknown keys with a
// suggestion, unreadable files named). docs/collector-config.md describes the file;
// config/collector.yaml is an example.
#pragma once

#include <array>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/catalogue/model.h"
#include "common/catalogue/parser.h"
#include "common/diagnostic.h"
#include "common/time.h"

namespace slamon {

// The daemon's spdlog loggers, the names `log_levels` takes.
inline constexpr std::array<std::string_view, 5> kCollectorLoggers = {"collector", "ingest", "engine", "http", "notify"};

struct CollectorTlsConfig {
  std::string cert_file;                       // absolute; the collector's certificate (chain)
  std::string key_file;                        // absolute
  std::optional<std::string> client_ca_file;   // set: agents must present a certificate it signed
  bool operator==(const CollectorTlsConfig&) const = default;
};

// The HTTP listener (API, metrics, web UI): `http:` in collector.yaml.
struct HttpTlsConfig {
  std::string cert_file;  // absolute
  std::string key_file;   // absolute
  bool operator==(const HttpTlsConfig&) const = default;
};

struct HttpConfig {
  std::string listen_host = "127.0.0.1";
  int listen_port = 8080;
  // SHA-256 digests (64 lower-case hex digits) of the tokens a client presents as
  // "Authorization: Bearer TOKEN". Unset read token on a loopback listen address: reads are open.
  // A non-loopback address requires a read token; writes always need the admin token when one is
  // set, and are refused when none is (but on loopback with no token at all).
  catalogue::Secret read_token_sha256;
  catalogue::Secret admin_token_sha256;
  std::optional<HttpTlsConfig> tls;  // set: HTTPS only
  std::string web_root;              // absolute; empty: "web" beside the slamon-collector binary
  bool operator==(const HttpConfig&) const = default;
};

// True for 127.0.0.0/8, ::1, ::ffff:127.x.y.z and "localhost": an address only this host reaches.
bool is_loopback_host(std::string_view host);

// Where results are stored: a SQLite file (the default) or a PostgreSQL URL.
struct StoreLocation {
  enum class Kind : unsigned char { sqlite, postgresql };
  Kind kind = Kind::sqlite;
  std::string target;  // sqlite: absolute file path; postgresql: the URL as written
  bool operator==(const StoreLocation&) const = default;
};

struct CollectorConfig {
  std::string catalogue;        // absolute path of the root catalogue file
  std::string listen_host = "0.0.0.0";
  int listen_port = 7443;
  CollectorTlsConfig tls;
  StoreLocation store;          // default: STATE_DIR/store.db
  std::string state_dir = "/var/lib/slamon-collector";  // absolute
  // The agents `slamon-collector enroll` enrolled (collector/enrollment.h); default STATE_DIR/enrolled-agents.
  std::string enrolled_agents = "/var/lib/slamon-collector/enrolled-agents";  // absolute
  DurationMs retention_ms = 35LL * 24 * 3600 * 1000;    // raw results kept (35d)
  DurationMs clock_skew_limit_ms = 2000;                // 2s
  std::map<std::string, std::string> log_levels;  // by logger name (kCollectorLoggers): instead of log_level
  std::string log_level = "info";
  HttpConfig http;
  bool operator==(const CollectorConfig&) const = default;
};

struct CollectorConfigResult {
  std::optional<CollectorConfig> config;  // set exactly when errors is empty
  std::vector<Diagnostic> errors;
};

// Reads a `store` value: "PATH", "sqlite:PATH" (relative to `base_dir`) or "postgresql://..."
// ("postgres://" too). nullopt with `error` set when it is neither.
std::optional<StoreLocation> parse_store_location(const std::string& text, const std::filesystem::path& base_dir,
                                                  std::string& error);

// Relative paths in the file are relative to its folder.
CollectorConfigResult load_collector_config(const std::filesystem::path& path, const catalogue::FileSource& files);

}  // namespace slamon
