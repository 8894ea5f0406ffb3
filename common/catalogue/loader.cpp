// load_catalogue: reads the root file and its includes (depth first, cycles refused), gathers the
// list sections in order, reads each object with the section readers, then runs the cross-object
// checks. Every error is collected; only a YAML syntax error stops the reading of its own file.
#include <algorithm>
#include <array>
#include <deque>
#include <unordered_map>
#include <unordered_set>

#include "common/catalogue/load_context.h"
#include "common/catalogue/parser.h"

namespace slamon::catalogue {
namespace {

namespace fs = std::filesystem;

constexpr std::array<std::string_view, 6> kLists = {"agents", "cis", "services", "maintenance", "slas", "agreements"};
constexpr std::array<std::string_view, 10> kRootKeys = {"version", "include", "defaults", "agents", "cis",
                                                        "services", "maintenance", "slas", "agreements", "notifications"};
constexpr std::array<std::string_view, 1> kMaintenanceFileKeys = {"maintenance"};
constexpr std::array<std::string_view, 7> kIncludedKeys = {"include", "agents", "cis", "services",
                                                           "maintenance", "slas", "agreements"};

bool has_glob(std::string_view s) { return s.find_first_of("*?[") != std::string_view::npos; }

class Gatherer {
 public:
  Gatherer(LoadContext& lc) : lc_(lc) {}

  struct Item {
    const FileInfo* file;
    const YamlNode* list;
  };

  enum class Role : unsigned char { root, included, maintenance };

  // Loads one file; `at` is the include entry naming it (nullptr for the root and extra files).
  void load(const fs::path& abs, const std::string& display, Role role, const FileInfo* parent, const YamlNode* at) {
    const bool root = role == Role::root;
    const std::string key = lc_.files().identity(abs);
    if (std::find(stack_.begin(), stack_.end(), key) != stack_.end()) {
      std::string cycle;
      bool on = false;
      for (std::size_t i = 0; i < stack_.size(); ++i) {
        on = on || stack_[i] == key;
        if (on) cycle += stack_display_[i] + " -> ";
      }
      cycle += display;
      lc_.ctx(*parent, "include").error(*at, "include cycle: " + cycle);
      return;
    }
    if (loaded_.count(key) != 0) {
      if (at != nullptr) lc_.ctx(*parent, "include").error(*at, "file '" + display + "' is included more than once");
      else lc_.errors().push_back(Diagnostic{display, 0, 0, "", "this file is already part of the catalogue"});
      return;
    }
    if (stack_.size() >= static_cast<std::size_t>(kMaxIncludeDepth)) {
      lc_.ctx(*parent, "include").error(*at, "includes nest more than " + std::to_string(kMaxIncludeDepth) + " deep");
      return;
    }
    loaded_.insert(key);
    auto text = lc_.files().read(abs, kMaxCatalogueFileBytes);
    if (!text.bytes) {
      if (at == nullptr)
        lc_.errors().push_back(Diagnostic{display, 0, 0, "",
                                          std::string(role == Role::root ? "cannot read the catalogue file: "
                                                                         : "cannot read the maintenance file: ") +
                                              text.error});
      else
        lc_.ctx(*parent, "include").error(*at, "cannot read included file '" + at->text + "' (" + abs.string() +
                                                   "): " + text.error);
      return;
    }
    files_.push_back(FileInfo{display, abs.parent_path()});
    const FileInfo& file = files_.back();
    order_.emplace(display, order_.size());
    auto parsed = parse_yaml(*text.bytes);
    if (!parsed.doc) {
      lc_.errors().push_back(Diagnostic{display, parsed.error->line, parsed.error->col, "", parsed.error->message});
      return;
    }
    docs_.push_back(std::move(*parsed.doc));
    const YamlNode& top = *docs_.back().root;
    const Ctx ctx = lc_.ctx(file, root ? "catalogue" : role == Role::maintenance ? "maintenance file" : "included file");
    if (role == Role::maintenance) {
      if (!top.is_map() && !top.is_null()) {
        ctx.error(top, "a maintenance file must be a map with a 'maintenance' list, not " + std::string(kind_name(top)));
        return;
      }
      MapView m(ctx, top);
      m.check_keys(kMaintenanceFileKeys);
      if (auto* v = m.find("maintenance"); v != nullptr && !v->is_null()) {
        if (!v->is_sequence()) ctx.error(*v, "maintenance must be a list, not " + std::string(kind_name(*v)));
        else sections_[3].push_back(Item{&file, v});
      }
      return;
    }
    if (!top.is_map()) {
      ctx.error(top, std::string(root ? "the catalogue" : "an included file") +
                         " must be a map of sections (version, agents, cis, ...), not " + std::string(kind_name(top)));
      return;
    }
    MapView m(ctx, top);
    if (root) {
      m.check_keys(kRootKeys);
      if (auto* v = m.require("version")) {
        if (auto ver = read_int(ctx, *v, "version", 0, 1'000'000)) {
          if (*ver != 1) ctx.error(*v, "unsupported catalogue version " + std::to_string(*ver) + " (this slamon reads version 1)");
        }
      }
      if (auto* v = m.find("defaults")) read_defaults(lc_, file, *v, lc_.defaults);
      if (auto* v = m.find("notifications")) read_notifications(lc_, file, *v, lc_.notifications);
    } else {
      for (std::size_t i = 0; i < top.map_size(); ++i)
        if (top.key(i).is_scalar() &&
            (top.key(i).text == "version" || top.key(i).text == "defaults" || top.key(i).text == "notifications"))
          ctx.error(top.key(i), "'" + top.key(i).text + "' belongs to the root file, not an included file");
      std::vector<std::string_view> known(kIncludedKeys.begin(), kIncludedKeys.end());
      known.insert(known.end(), {"version", "defaults", "notifications"});  // reported above
      m.check_keys(known);
    }
    for (std::size_t s = 0; s < kLists.size(); ++s) {
      if (auto* v = m.find(kLists[s])) {
        if (v->is_null()) continue;
        if (!v->is_sequence()) {
          ctx.error(*v, std::string(kLists[s]) + " must be a list, not " + std::string(kind_name(*v)));
          continue;
        }
        sections_[s].push_back(Item{&file, v});
      }
    }
    if (auto* v = m.find("include")) {
      auto entries = read_list(ctx, *v, "include", true);
      if (!entries) return;
      stack_.push_back(key);
      stack_display_.push_back(display);
      for (const YamlNode* e : *entries) {
        auto pattern = read_string(ctx, *e, "include");
        if (!pattern) continue;
        if (pattern->empty()) {
          ctx.error(*e, "include entries must not be empty");
          continue;
        }
        const fs::path rel(*pattern);
        const fs::path abs_pattern = lc_.resolve(file, *pattern);
        const fs::path display_dir = fs::path(display).parent_path();
        if (!has_glob(*pattern)) {
          const std::string d = rel.is_absolute() ? rel.lexically_normal().string()
                                                  : (display_dir / rel).lexically_normal().string();
          load(abs_pattern, d, Role::included, &file, e);
          continue;
        }
        const GlobResult matches = lc_.files().glob(abs_pattern);
        if (!matches.error.empty()) {
          ctx.error(*e, "include pattern '" + pattern->substr(0, 200) + "' " + matches.error);
          continue;
        }
        for (const auto& match : matches.paths) {
          const fs::path norm = match.lexically_normal();
          const std::string d = rel.is_absolute() ? norm.string()
                                                  : (display_dir / norm.lexically_relative(file.dir)).lexically_normal().string();
          load(norm, d, Role::included, &file, e);
        }
      }
      stack_.pop_back();
      stack_display_.pop_back();
    }
  }

  const std::vector<Item>& section(std::size_t s) const { return sections_[s]; }
  std::size_t file_order(const std::string& display) const {
    const auto it = order_.find(display);
    return it == order_.end() ? order_.size() : it->second;
  }

 private:
  LoadContext& lc_;
  std::deque<FileInfo> files_;
  std::deque<YamlDocument> docs_;
  std::array<std::vector<Item>, kLists.size()> sections_;
  std::vector<std::string> stack_;
  std::vector<std::string> stack_display_;
  std::unordered_set<std::string> loaded_;
  std::unordered_map<std::string, std::size_t> order_;
};

}  // namespace

LoadResult load_catalogue(const std::filesystem::path& root, const FileSource& files,
                          std::span<const std::filesystem::path> maintenance_files) {
  LoadResult result;
  std::vector<Diagnostic>& errors = result.errors;
  LoadContext lc(files, errors);
  Gatherer g(lc);
  std::error_code ec;
  fs::path abs = fs::absolute(root, ec);
  if (ec) abs = root;
  g.load(abs.lexically_normal(), root.string(), Gatherer::Role::root, nullptr, nullptr);
  for (const auto& extra : maintenance_files) {
    fs::path a = fs::absolute(extra, ec);
    if (ec) a = extra;
    g.load(a.lexically_normal(), extra.string(), Gatherer::Role::maintenance, nullptr, nullptr);
  }

  Catalogue cat;
  cat.root_file = root.string();
  cat.defaults = lc.defaults;
  cat.notifications = lc.notifications;
  using Reader = void (*)(LoadContext&, const FileInfo&, const YamlNode&, std::size_t, Catalogue&);
  constexpr std::array<Reader, kLists.size()> readers = {read_agent, read_ci, read_service, read_maintenance,
                                                         read_sla, read_agreement};
  for (std::size_t s = 0; s < kLists.size(); ++s)
    for (const auto& item : g.section(s))
      for (std::size_t i = 0; i < item.list->items.size(); ++i) readers[s](lc, *item.file, *item.list->items[i], i, cat);

  validate_catalogue(cat, lc.refs, errors);

  std::stable_sort(errors.begin(), errors.end(), [&g](const Diagnostic& a, const Diagnostic& b) {
    const auto fa = g.file_order(a.file), fb = g.file_order(b.file);
    if (fa != fb) return fa < fb;
    if (a.line != b.line) return a.line < b.line;
    return a.col < b.col;
  });
  if (errors.empty()) result.catalogue = std::move(cat);
  return result;
}

}  // namespace slamon::catalogue
