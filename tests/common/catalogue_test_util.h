// Helpers shared by the catalogue tests: loading text from an in-memory file set, comparing models
// without their source locations, and finding a diagnostic.
#pragma once

#include <string>
#include <vector>

#include "common/catalogue/memory_file_source.h"
#include "common/catalogue/parser.h"
#include "common/diagnostic.h"

namespace slamon::catalogue::test {

inline std::string source_dir() { return SLAMON_SOURCE_DIR; }

// Loads `text` as /mem/root.yaml with the extra files given (paths relative to /mem).
inline LoadResult load_text(const std::string& text,
                            const std::vector<std::pair<std::string, std::string>>& extra = {}) {
  MemoryFileSource files;
  files.add("/mem/root.yaml", text);
  for (const auto& [path, content] : extra) files.add("/mem/" + path, content);
  return load_catalogue("/mem/root.yaml", files);
}

inline std::string all_errors(const LoadResult& r) {
  std::string out;
  for (const auto& e : r.errors) out += format_diagnostic(e) + "\n";
  return out;
}

// True when some error is at line:col and contains `part`.
inline bool has_error(const LoadResult& r, int line, int col, const std::string& part) {
  for (const auto& e : r.errors)
    if (e.line == line && e.col == col && e.message.find(part) != std::string::npos) return true;
  return false;
}

inline void clear_locations(Catalogue& c) {
  c.root_file.clear();
  for (auto& a : c.agents) a.loc = {};
  for (auto& ci : c.cis) {
    ci.loc = {};
    for (auto& p : ci.probes) {
      p.loc = {};
      if (auto* s = std::get_if<SnmpSpec>(&p.spec)) {
        for (auto& o : s->get) o.loc = {};
        for (auto& o : s->walk) o.loc = {};
      }
    }
  }
  for (auto& s : c.services) {
    s.loc = {};
    for (auto& ch : s.children) ch.loc = {};
  }
  for (auto& m : c.maintenance) m.loc = {};
  for (auto& s : c.slas) {
    s.loc = {};
    for (auto& v : s.versions) v.loc = {};
  }
  for (auto& a : c.agreements) a.loc = {};
}

}  // namespace slamon::catalogue::test
