// The shared opening of agent.yaml and collector.yaml (see config_file.h).
#include "common/config_file.h"

#include <algorithm>
#include <array>

#include "common/small_file.h"

namespace slamon {

namespace fs = std::filesystem;
using namespace slamon::catalogue;

std::string ConfigDocument::resolve(const std::string& p) const {
  const fs::path q(p);
  return (q.is_relative() ? dir / q : q).lexically_normal().string();
}

ConfigDocument read_config_document(const fs::path& path, const FileSource& files, std::string_view noun,
                                    std::string_view object, std::string_view keys_hint,
                                    std::vector<Diagnostic>& errors) {
  ConfigDocument doc;
  doc.display = path.string();
  std::error_code ec;
  fs::path abs = fs::absolute(path, ec);
  if (ec) abs = path;
  abs = abs.lexically_normal();
  doc.dir = abs.parent_path();
  const auto text = files.read(abs, kMaxCatalogueFileBytes);
  if (!text.bytes) {
    errors.push_back(Diagnostic{doc.display, 0, 0, "", "cannot read the " + std::string(noun) + " file: " + text.error});
    return doc;
  }
  auto parsed = parse_yaml(*text.bytes);
  if (!parsed.doc) {
    errors.push_back(Diagnostic{doc.display, parsed.error->line, parsed.error->col, "", parsed.error->message});
    return doc;
  }
  const YamlNode& top = *parsed.doc->root;
  if (!top.is_map()) {
    const Ctx ctx{&doc.display, std::string(object), &errors};
    ctx.error(top, "the " + std::string(noun) + " must be a map (" + std::string(keys_hint) + "), not " +
                       std::string(kind_name(top)));
    return doc;
  }
  doc.yaml = std::move(*parsed.doc);
  return doc;
}

std::optional<std::string> read_readable_file(const Ctx& ctx, const MapView& map, std::string_view key,
                                              std::string_view label, bool required, const ConfigDocument& doc,
                                              const FileSource& files) {
  const YamlNode* v = required ? map.require(key) : map.find(key);
  if (v == nullptr) return std::nullopt;
  auto s = read_string(ctx, *v, label);
  if (!s) return std::nullopt;
  const std::string p = doc.resolve(*s);
  if (const auto text = files.read(p, kMaxCatalogueFileBytes); !text.bytes) {
    ctx.error(*v, "cannot read " + std::string(label) + " '" + *s + "' (" + p + "): " + text.error);
    return std::nullopt;
  }
  return p;
}

std::map<std::string, std::string> read_log_levels(const catalogue::Ctx& ctx, const catalogue::YamlNode& node,
                                                   std::span<const std::string_view> loggers) {
  static constexpr std::array<std::string_view, 7> kLevels = {"trace", "debug", "info", "warn", "error", "critical", "off"};
  std::map<std::string, std::string> out;
  if (!node.is_map()) {
    ctx.error(node, "log_levels must be a map {LOGGER: LEVEL, ...}, not " + std::string(catalogue::kind_name(node)));
    return out;
  }
  catalogue::MapView m(ctx, node);
  m.check_keys(loggers);
  for (std::size_t i = 0; i < node.map_size(); ++i) {
    const auto& name = node.key(i).text;
    if (std::find(loggers.begin(), loggers.end(), name) == loggers.end()) continue;
    if (auto k = catalogue::read_choice(ctx, node.value(i), "log_levels." + name, kLevels))
      out[name] = std::string(kLevels[*k]);
  }
  return out;
}

}  // namespace slamon
