// Loading agent.yaml with the catalogue's YAML tree and typed readers.
#include "common/agent_config.h"

#include <algorithm>
#include <array>

#include "common/catalogue/reader.h"
#include "common/catalogue/yaml_tree.h"
#include "common/config_file.h"

namespace slamon {
namespace {

using namespace slamon::catalogue;
namespace fs = std::filesystem;

constexpr std::array<std::string_view, 12> kTopKeys = {"collector",   "collectors",     "name",         "token_file",
                                                       "tls",         "spool_dir",      "state_dir",    "log_level",
                                                       "results_log", "spool_max_size", "spool_max_age", "log_levels"};
constexpr std::array<std::string_view, 4> kTlsKeys = {"ca_file", "cert_file", "key_file", "server_name"};
constexpr std::array<std::string_view, 7> kLevels = {"trace", "debug", "info", "warn", "error", "critical", "off"};

bool valid_name(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (const char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-')) return false;
  return true;
}

// One "host:port" of `collector` or `collectors` (`what` names the field in messages).
std::optional<CollectorAddress> read_address(const Ctx& ctx, const YamlNode& v, const std::string& what) {
  auto s = read_string(ctx, v, what);
  if (!s) return std::nullopt;
  if (auto hp = parse_host_port(*s)) return CollectorAddress{hp->first, hp->second};
  ctx.error(v, what + " must be host:port or [v6-address]:port, not '" + s->substr(0, 80) + "'");
  return std::nullopt;
}

}  // namespace

std::string CollectorAddress::text() const {
  return (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::string collectors_text(const std::vector<CollectorAddress>& collectors) {
  std::string out;
  for (const auto& c : collectors) out += (out.empty() ? "" : ", ") + c.text();
  return out;
}

std::optional<std::uint64_t> parse_size(std::string_view text) {
  std::size_t i = 0;
  std::uint64_t n = 0;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
    if (n > (std::uint64_t{1} << 50)) return std::nullopt;
    n = n * 10 + static_cast<std::uint64_t>(text[i] - '0');
    ++i;
  }
  if (i == 0) return std::nullopt;
  std::string_view unit = text.substr(i);
  while (!unit.empty() && unit.front() == ' ') unit.remove_prefix(1);
  struct Unit {
    std::string_view name;
    std::uint64_t factor;
  };
  static constexpr Unit kUnits[] = {{"", 1},        {"B", 1},           {"KiB", 1ull << 10}, {"MiB", 1ull << 20},
                                    {"GiB", 1ull << 30}, {"TiB", 1ull << 40}, {"KB", 1000},      {"kB", 1000},
                                    {"MB", 1000'000},    {"GB", 1000'000'000}, {"TB", 1000'000'000'000}};
  for (const auto& u : kUnits)
    if (unit == u.name) {
      if (n > (std::uint64_t{1} << 62) / u.factor) return std::nullopt;
      return n * u.factor;
    }
  return std::nullopt;
}

AgentConfigResult load_agent_config(const fs::path& path, const FileSource& files) {
  AgentConfigResult result;
  const ConfigDocument doc = read_config_document(path, files, "agent configuration", "agent config",
                                                  "collector, name, token_file, tls, ...", result.errors);
  if (!doc.yaml) return result;
  const Ctx ctx{&doc.display, "agent config", &result.errors};
  const YamlNode& top = *doc.yaml->root;
  AgentConfig c;
  MapView m(ctx, top);
  m.check_keys(kTopKeys);
  const YamlNode* one = m.find("collector");
  const YamlNode* several = m.find("collectors");
  if (one && several) {
    ctx.error(*several, "give either collector or collectors, not both (collector is at line " +
                            std::to_string(one->line) + ")");
  } else if (one) {
    if (auto a = read_address(ctx, *one, "collector")) c.collectors.push_back(std::move(*a));
  } else if (several) {
    if (auto items = read_list(ctx, *several, "collectors", false)) {
      if (items->empty()) ctx.error(*several, "collectors must list at least one host:port");
      for (const YamlNode* item : *items) {
        auto a = read_address(ctx, *item, "collectors");
        if (!a) continue;
        if (std::find(c.collectors.begin(), c.collectors.end(), *a) != c.collectors.end())
          ctx.error(*item, "collector " + a->text() + " is listed twice");
        else
          c.collectors.push_back(std::move(*a));
      }
    }
  } else {
    ctx.error(top, "missing required field 'collector' (or 'collectors', a list of host:port)");
  }
  if (auto* v = m.require("name")) {
    if (auto s = read_string(ctx, *v, "name")) {
      if (valid_name(*s)) c.name = *s;
      else ctx.error(*v, "agent name '" + s->substr(0, 70) + "' is not valid (1 to 64 characters from a-z 0-9 . _ -)");
    }
  }
  if (auto* v = m.require("token_file")) {
    if (auto s = read_string(ctx, *v, "token_file")) {
      c.token_file = doc.resolve(*s);
      auto text = files.read(c.token_file, kMaxSecretFileBytes);
      if (!text.bytes) {
        ctx.error(*v, "cannot read token_file '" + *s + "' (" + c.token_file + "): " + text.error);
      } else if (auto why = check_secret_text(*text.bytes)) {
        ctx.error(*v, "token_file '" + *s + "' " + *why + " (a secret file holds one line)");
      } else {
        c.token = Secret(std::move(*text.bytes), c.token_file);
      }
    }
  }
  if (auto* t = m.require("tls")) {
    if (!t->is_map()) {
      ctx.error(*t, "tls must be a map {ca_file, cert_file, key_file}, not " + std::string(kind_name(*t)));
    } else {
      MapView tm(ctx, *t);
      tm.check_keys(kTlsKeys);
      auto file_field = [&](const char* key, bool required) {
        return read_readable_file(ctx, tm, key, std::string("tls.") + key, required, doc, files);
      };
      if (auto p = file_field("ca_file", true)) c.tls.ca_file = *p;
      c.tls.cert_file = file_field("cert_file", false);
      c.tls.key_file = file_field("key_file", false);
      const YamlNode* cert = tm.find("cert_file");
      const YamlNode* key = tm.find("key_file");
      if ((cert == nullptr) != (key == nullptr))
        ctx.error(cert ? *cert : *key, "a client certificate needs both tls.cert_file and tls.key_file");
      if (auto* v = tm.find("server_name")) c.tls.server_name = read_string(ctx, *v, "tls.server_name");
    }
  }
  if (auto* v = m.find("spool_dir"))
    if (auto s = read_string(ctx, *v, "spool_dir")) c.spool_dir = doc.resolve(*s);
  if (auto* v = m.find("state_dir"))
    if (auto s = read_string(ctx, *v, "state_dir")) c.state_dir = doc.resolve(*s);
  if (auto* v = m.find("results_log"))
    if (auto s = read_string(ctx, *v, "results_log")) c.results_log = doc.resolve(*s);
  if (auto* v = m.find("log_level"))
    if (auto k = read_choice(ctx, *v, "log_level", kLevels)) c.log_level = std::string(kLevels[*k]);
  if (auto* v = m.find("log_levels")) c.log_levels = read_log_levels(ctx, *v, kAgentLoggers);
  if (auto* v = m.find("spool_max_size")) {
    if (auto s = read_string(ctx, *v, "spool_max_size")) {
      const auto n = parse_size(*s);
      if (!n) ctx.error(*v, "spool_max_size must be a size such as 1GiB, 500MiB or 200000 (bytes), not '" + s->substr(0, 40) + "'");
      else if (*n < kMinSpoolBytes) ctx.error(*v, "spool_max_size must be at least 16KiB, not '" + *s + "'");
      else c.spool_max_bytes = *n;
    }
  }
  if (auto* v = m.find("spool_max_age")) {
    if (auto d = read_duration(ctx, *v, "spool_max_age")) {
      if (*d < 1000) ctx.error(*v, "spool_max_age must be at least 1s");
      else c.spool_max_age_ms = *d;
    }
  }
  if (result.errors.empty()) result.config = std::move(c);
  return result;
}

}  // namespace slamon
