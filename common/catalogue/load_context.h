// Internal to the loader: what the section readers share while one catalogue loads (the file being
// read, the errors so far, time-zone and secret-file look-ups) and the references they collect for
// the cross-object checks in validate.cpp.
#pragma once

#include <filesystem>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/catalogue/model.h"
#include "common/catalogue/parser.h"
#include "common/catalogue/reader.h"

namespace slamon::catalogue {

// One file of the catalogue: the name shown in messages and its absolute folder.
struct FileInfo {
  std::string display;
  std::filesystem::path dir;
};

// A reference from one object to another, checked once everything is loaded.
struct Reference {
  enum class To : unsigned char { agent, node, sla, probe };  // node: a CI or a service
  To to = To::node;
  std::string id;
  std::string field;   // "agent", "child", "service", ...
  std::string object;  // the referring object's name
  SourceLoc at;
};

class LoadContext {
 public:
  LoadContext(const FileSource& files, std::vector<Diagnostic>& errors) : files_(files), errors_(errors) {}

  Ctx ctx(const FileInfo& file, std::string object) const { return Ctx{&file.display, std::move(object), &errors_}; }
  SourceLoc loc(const FileInfo& file, const YamlNode& n) const { return SourceLoc{file.display, n.line, n.col}; }

  // True when the IANA zone exists (cached); reports the error at n otherwise.
  bool check_zone(const Ctx& ctx, const YamlNode& n, const std::string& zone);
  // A path relative to the naming file's folder, made absolute and normal.
  std::filesystem::path resolve(const FileInfo& file, const std::string& path) const;
  // Reads `value` inline or `value_file` from disk (trailing newline stripped); both given, or an
  // unreadable file, is an error. Empty Secret when neither is given.
  std::optional<Secret> read_secret(const Ctx& ctx, const FileInfo& file, const MapView& map,
                                    std::string_view key, std::string_view file_key);
  void add_ref(Reference::To to, std::string id, std::string field, const Ctx& ctx, const FileInfo& file,
               const YamlNode& at) {
    refs.push_back(Reference{to, std::move(id), std::move(field), ctx.object, loc(file, at)});
  }

  const FileSource& files() const { return files_; }
  std::vector<Diagnostic>& errors() { return errors_; }

  Defaults defaults;
  Notifications notifications;
  std::vector<Reference> refs;

 private:
  const FileSource& files_;
  std::vector<Diagnostic>& errors_;
  std::unordered_map<std::string, bool> zones_;
};

// Section readers (sections.cpp, probe_reader.cpp, sla_reader.cpp); each appends to `out` what it
// could read and reports the rest. `index` numbers objects without an id in messages.
void read_defaults(LoadContext& lc, const FileInfo& file, const YamlNode& n, Defaults& out);
void read_notifications(LoadContext& lc, const FileInfo& file, const YamlNode& n, Notifications& out);
void read_agent(LoadContext& lc, const FileInfo& file, const YamlNode& n, std::size_t index, Catalogue& out);
void read_ci(LoadContext& lc, const FileInfo& file, const YamlNode& n, std::size_t index, Catalogue& out);
void read_service(LoadContext& lc, const FileInfo& file, const YamlNode& n, std::size_t index, Catalogue& out);
void read_maintenance(LoadContext& lc, const FileInfo& file, const YamlNode& n, std::size_t index,
                      Catalogue& out);
void read_sla(LoadContext& lc, const FileInfo& file, const YamlNode& n, std::size_t index, Catalogue& out);
void read_agreement(LoadContext& lc, const FileInfo& file, const YamlNode& n, std::size_t index,
                    Catalogue& out);
// One probe of CI `ci_id`.
std::optional<Probe> read_probe(LoadContext& lc, const FileInfo& file, const YamlNode& n, const std::string& ci_id,
                                std::size_t index);
// Rules ("all", "any", {quorum: K}, {min_percent: P}) and service hours lists.
std::optional<Rule> read_rule(const Ctx& ctx, const YamlNode& n);
std::optional<ServiceHours> read_hours(const Ctx& ctx, const YamlNode& n, std::string_view what);
// Checks a rule against the number of counted (weight > 0) children.
void check_rule_children(const Ctx& ctx, const YamlNode& rule_node, const Rule& rule, std::size_t counted,
                         std::string_view children_word);
// Ids: [A-Za-z0-9._-]{1,128}; agent names: [a-z0-9._-]{1,64}.
bool valid_id(std::string_view s);
bool valid_agent_name(std::string_view s);
std::optional<std::string> read_id(const Ctx& ctx, const YamlNode& n, std::string_view what);
// An object's required `id` into `id`; later messages then name the object "<kind> <id>".
void read_object_id(Ctx& ctx, const MapView& m, std::string_view kind, std::string& id);
// "ci #3": how an object is named in messages until its id is known.
std::string nth(std::string_view what, std::size_t index);

// Cross-object checks: references, duplicate ids, cycles in the service graph.
void validate_catalogue(const Catalogue& cat, const std::vector<Reference>& refs, std::vector<Diagnostic>& errors);

}  // namespace slamon::catalogue
