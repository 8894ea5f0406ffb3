// Loading collector.yaml with the catalogue's YAML tree and typed readers.
#include "common/collector_config.h"

#include <array>

#include "common/catalogue/reader.h"
#include "common/catalogue/yaml_tree.h"
#include "common/config_file.h"

namespace slamon {
namespace {

using namespace slamon::catalogue;
namespace fs = std::filesystem;

constexpr std::array<std::string_view, 8> kTopKeys = {"catalogue", "listen", "tls", "store", "state_dir",
                                                      "retention", "clock_skew_limit", "log_level"};
constexpr std::array<std::string_view, 3> kTlsKeys = {"cert_file", "key_file", "client_ca_file"};
constexpr std::array<std::string_view, 7> kLevels = {"trace", "debug", "info", "warn", "error", "critical", "off"};

}  // namespace

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
  if (auto* v = m.find("retention"))
    if (auto d = read_duration(ctx, *v, "retention")) {
      if (*d < 24LL * 3600 * 1000) ctx.error(*v, "retention must be at least 1d (reports need a period's raw results)");
      else c.retention_ms = *d;
    }
  if (auto* v = m.find("clock_skew_limit"))
    if (auto d = read_duration(ctx, *v, "clock_skew_limit")) c.clock_skew_limit_ms = *d;
  if (auto* v = m.find("log_level"))
    if (auto k = read_choice(ctx, *v, "log_level", kLevels)) c.log_level = std::string(kLevels[*k]);
  if (result.errors.empty()) result.config = std::move(c);
  return result;
}

}  // namespace slamon
