// What the local configuration files (agent.yaml, collector.yaml) share: reading and parsing the file
// as a map with the catalogue's error quality, resolving paths relative to its folder, and a field that
// names a file that must be readable. Each loader keeps its own keys and meanings.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/catalogue/parser.h"
#include "common/catalogue/reader.h"
#include "common/catalogue/yaml_tree.h"
#include "common/diagnostic.h"

namespace slamon {

struct ConfigDocument {
  std::string display;                          // the path as given, for messages
  std::filesystem::path dir;                    // the file's folder: relative paths start here
  std::optional<catalogue::YamlDocument> yaml;  // set when the file was read, parsed and is a map
  // `p` made absolute against the file's folder.
  std::string resolve(const std::string& p) const;
};

// Reads `path` and parses it; an unreadable file, a YAML error or a top level that is not a map is
// reported into `errors` ("cannot read the NOUN file: ...", "the NOUN must be a map (KEYS_HINT), not
// ..." for OBJECT), and then `yaml` is empty.
ConfigDocument read_config_document(const std::filesystem::path& path, const catalogue::FileSource& files,
                                    std::string_view noun, std::string_view object, std::string_view keys_hint,
                                    std::vector<Diagnostic>& errors);

// The field `key` of `map` (`label` in messages, e.g. "tls.cert_file"): a path relative to the
// document's folder naming a file that can be read. Missing: an error when `required`, else nothing.
std::optional<std::string> read_readable_file(const catalogue::Ctx& ctx, const catalogue::MapView& map,
                                              std::string_view key, std::string_view label, bool required,
                                              const ConfigDocument& doc, const catalogue::FileSource& files);

// `log_levels: {NAME: LEVEL, ...}`: a level per logger, NAME one of `loggers` (the daemon's spdlog
// logger names; an unknown one is an error with a suggestion), LEVEL trace | debug | info | warn |
// error | critical | off.
std::map<std::string, std::string> read_log_levels(const catalogue::Ctx& ctx, const catalogue::YamlNode& node,
                                                   std::span<const std::string_view> loggers);

}  // namespace slamon
