// Loading collector.yaml with the catalogue's YAML tree and typed readers.
#include "common/collector_config.h"

#include <array>
#include <cctype>

#include "common/catalogue/reader.h"
#include "common/catalogue/yaml_tree.h"
#include "common/config_file.h"
#include "common/small_file.h"

namespace slamon {
namespace {

using namespace slamon::catalogue;
namespace fs = std::filesystem;

constexpr std::array<std::string_view, 11> kTopKeys = {"catalogue", "listen",           "tls",       "store", "state_dir",
                                                       "retention", "clock_skew_limit", "log_level", "http",
                                                       "enrolled_agents", "log_levels"};
constexpr std::array<std::string_view, 7> kHttpKeys = {"listen",
                                                       "read_token_sha256",
                                                       "read_token_sha256_file",
                                                       "admin_token_sha256",
                                                       "admin_token_sha256_file",
                                                       "tls",
                                                       "web_root"};
constexpr std::array<std::string_view, 2> kHttpTlsKeys = {"cert_file", "key_file"};
constexpr std::array<std::string_view, 3> kTlsKeys = {"cert_file", "key_file", "client_ca_file"};
constexpr std::array<std::string_view, 7> kLevels = {"trace", "debug", "info", "warn", "error", "critical", "off"};

bool is_hex64(std::string_view s) {
  if (s.size() != 64) return false;
  for (const char c : s)
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

// A token digest: `key` inline or `key`_file naming a file that holds it (one line); 64 hex digits.
Secret read_token_digest(const Ctx& ctx, const MapView& m, const std::string& key, const ConfigDocument& doc,
                         const FileSource& files) {
  const std::string file_key = key + "_file";
  const YamlNode* inline_value = m.find(key);
  const YamlNode* file_value = m.find(file_key);
  if (inline_value && file_value) {
    ctx.error(*file_value, "http: give " + key + " or " + file_key + ", not both");
    return {};
  }
  std::string value, source;
  const YamlNode* at = inline_value ? inline_value : file_value;
  if (inline_value) {
    auto s = read_string(ctx, *inline_value, "http." + key);
    if (!s) return {};
    value = *s;
  } else if (file_value) {
    auto s = read_string(ctx, *file_value, "http." + file_key);
    if (!s) return {};
    source = doc.resolve(*s);
    auto text = files.read(source, kMaxSecretFileBytes);
    if (!text.bytes) {
      ctx.error(*file_value, "cannot read http." + file_key + " '" + *s + "' (" + source + "): " + text.error);
      return {};
    }
    if (auto why = check_secret_text(*text.bytes)) {
      ctx.error(*file_value, "http." + file_key + " '" + *s + "' " + *why + " (a secret file holds one line)");
      return {};
    }
    value = std::move(*text.bytes);
  } else {
    return {};
  }
  if (!is_hex64(value)) {
    ctx.error(*at, "http." + key + " must be 64 hexadecimal digits (the SHA-256 of the token: printf %s TOKEN | sha256sum)");
    return {};
  }
  for (char& c : value) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return Secret(std::move(value), std::move(source));
}

void read_http(const Ctx& ctx, const YamlNode& n, const ConfigDocument& doc, const FileSource& files, HttpConfig& h) {
  if (!n.is_map()) {
    ctx.error(n, "http must be a map {listen, read_token_sha256, admin_token_sha256, tls, web_root}, not " +
                     std::string(kind_name(n)));
    return;
  }
  MapView m(ctx, n);
  m.check_keys(kHttpKeys);
  const YamlNode* listen = m.find("listen");
  if (listen) {
    if (auto s = read_string(ctx, *listen, "http.listen")) {
      if (auto hp = parse_host_port(*s)) {
        h.listen_host = hp->first;
        h.listen_port = hp->second;
      } else {
        ctx.error(*listen, "http.listen must be host:port or [v6-address]:port (e.g. 127.0.0.1:8080), not '" +
                               s->substr(0, 80) + "'");
      }
    }
  }
  h.read_token_sha256 = read_token_digest(ctx, m, "read_token_sha256", doc, files);
  h.admin_token_sha256 = read_token_digest(ctx, m, "admin_token_sha256", doc, files);
  if (auto* t = m.find("tls")) {
    if (!t->is_map()) {
      ctx.error(*t, "http.tls must be a map {cert_file, key_file}, not " + std::string(kind_name(*t)));
    } else {
      MapView tm(ctx, *t);
      tm.check_keys(kHttpTlsKeys);
      HttpTlsConfig tls;
      if (auto p = read_readable_file(ctx, tm, "cert_file", "http.tls.cert_file", true, doc, files)) tls.cert_file = *p;
      if (auto p = read_readable_file(ctx, tm, "key_file", "http.tls.key_file", true, doc, files)) tls.key_file = *p;
      h.tls = std::move(tls);
    }
  }
  if (auto* v = m.find("web_root"))
    if (auto s = read_string(ctx, *v, "http.web_root")) h.web_root = doc.resolve(*s);
  // Anyone who reaches a non-loopback address could read the catalogue: a read token is required.
  if (!is_loopback_host(h.listen_host) && h.read_token_sha256.empty())
    ctx.error(listen ? *listen : n,
              "http.listen " + h.listen_host + ":" + std::to_string(h.listen_port) +
                  " is not a loopback address: set http.read_token_sha256 (or read_token_sha256_file); only "
                  "127.0.0.1, ::1 and localhost serve without a token");
}

}  // namespace

bool is_loopback_host(std::string_view host) {
  if (host == "localhost" || host == "::1" || host == "0:0:0:0:0:0:0:1") return true;
  if (host.starts_with("::ffff:")) host.remove_prefix(7);
  // 127.0.0.0/8 written as a dotted quad.
  if (!host.starts_with("127.")) return false;
  int dots = 0, digits = 0;
  for (const char c : host) {
    if (c == '.') {
      if (digits == 0) return false;
      ++dots;
      digits = 0;
    } else if (c >= '0' && c <= '9') {
      if (++digits > 3) return false;
    } else {
      return false;
    }
  }
  return dots == 3 && digits > 0;
}

std::optional<StoreLocation> parse_store_location(const std::string& text, const fs::path& base_dir,
                                                  std::string& error) {
  for (const char* scheme : {"postgresql://", "postgres://"}) {
    if (text.rfind(scheme, 0) == 0) {
      if (text.size() == std::string_view(scheme).size()) {
        error = "store URL '" + text + "' names no server or database";
        return std::nullopt;
      }
      return StoreLocation{StoreLocation::Kind::postgresql, text};
    }
  }
  std::string path = text.rfind("sqlite:", 0) == 0 ? text.substr(7) : text;
  if (path.empty()) {
    error = "store must be a SQLite file path (or sqlite:PATH) or a postgresql:// URL";
    return std::nullopt;
  }
  if (path.find("://") != std::string::npos) {
    error = "store '" + text + "' is a URL of a kind slamon does not store into (sqlite:PATH or postgresql://...)";
    return std::nullopt;
  }
  const fs::path p(path);
  return StoreLocation{StoreLocation::Kind::sqlite, (p.is_relative() ? base_dir / p : p).lexically_normal().string()};
}

CollectorConfigResult load_collector_config(const fs::path& path, const FileSource& files) {
  CollectorConfigResult result;
  const ConfigDocument doc = read_config_document(path, files, "collector configuration", "collector config",
                                                  "catalogue, listen, tls, store, ...", result.errors);
  if (!doc.yaml) return result;
  const Ctx ctx{&doc.display, "collector config", &result.errors};
  const YamlNode& top = *doc.yaml->root;
  CollectorConfig c;
  MapView m(ctx, top);
  m.check_keys(kTopKeys);
  if (auto p = read_readable_file(ctx, m, "catalogue", "catalogue", true, doc, files)) c.catalogue = *p;
  if (auto* v = m.find("listen")) {
    if (auto s = read_string(ctx, *v, "listen")) {
      if (auto hp = parse_host_port(*s)) {
        c.listen_host = hp->first;
        c.listen_port = hp->second;
      } else {
        ctx.error(*v, "listen must be host:port or [v6-address]:port (e.g. 0.0.0.0:7443), not '" + s->substr(0, 80) + "'");
      }
    }
  }
  if (auto* t = m.require("tls")) {
    if (!t->is_map()) {
      ctx.error(*t, "tls must be a map {cert_file, key_file, client_ca_file}, not " + std::string(kind_name(*t)));
    } else {
      MapView tm(ctx, *t);
      tm.check_keys(kTlsKeys);
      auto file_field = [&](const char* key, bool required) {
        return read_readable_file(ctx, tm, key, std::string("tls.") + key, required, doc, files);
      };
      if (auto p = file_field("cert_file", true)) c.tls.cert_file = *p;
      if (auto p = file_field("key_file", true)) c.tls.key_file = *p;
      c.tls.client_ca_file = file_field("client_ca_file", false);
    }
  }
  if (auto* v = m.find("state_dir"))
    if (auto s = read_string(ctx, *v, "state_dir")) c.state_dir = doc.resolve(*s);
  c.store = StoreLocation{StoreLocation::Kind::sqlite, (fs::path(c.state_dir) / "store.db").string()};
  if (auto* v = m.find("store")) {
    if (auto s = read_string(ctx, *v, "store")) {
      std::string error;
      if (auto loc = parse_store_location(*s, doc.dir, error)) c.store = *loc;
      else ctx.error(*v, error);
    }
  }
  c.enrolled_agents = (fs::path(c.state_dir) / "enrolled-agents").string();
  if (auto* v = m.find("enrolled_agents"))
    if (auto s = read_string(ctx, *v, "enrolled_agents")) c.enrolled_agents = doc.resolve(*s);
  if (auto* v = m.find("retention"))
    if (auto d = read_duration(ctx, *v, "retention")) {
      if (*d < 24LL * 3600 * 1000) ctx.error(*v, "retention must be at least 1d (reports need a period's raw results)");
      else c.retention_ms = *d;
    }
  if (auto* v = m.find("clock_skew_limit"))
    if (auto d = read_duration(ctx, *v, "clock_skew_limit")) c.clock_skew_limit_ms = *d;
  if (auto* v = m.find("log_level"))
    if (auto k = read_choice(ctx, *v, "log_level", kLevels)) c.log_level = std::string(kLevels[*k]);
  if (auto* v = m.find("log_levels")) c.log_levels = read_log_levels(ctx, *v, kCollectorLoggers);
  if (auto* v = m.find("http")) read_http(ctx, *v, doc, files, c.http);
  if (result.errors.empty()) result.config = std::move(c);
  return result;
}

}  // namespace slamon
