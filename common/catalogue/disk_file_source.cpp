// DiskFileSource: the catalogue's files on the real file system; globs match one directory level per
// path component (fnmatch, hidden files only when the pattern starts with a dot), sorted.
#include <algorithm>
#include <fnmatch.h>
#include <fstream>
#include <sstream>

#include "common/catalogue/parser.h"

namespace slamon::catalogue {

namespace fs = std::filesystem;

std::optional<std::string> DiskFileSource::read(const fs::path& path) const {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) return std::nullopt;
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream out;
  out << in.rdbuf();
  if (in.bad()) return std::nullopt;
  return std::move(out).str();
}

std::vector<fs::path> DiskFileSource::glob(const fs::path& pattern) const {
  std::vector<fs::path> current{pattern.root_path()};
  std::vector<fs::path> parts;
  for (const auto& part : pattern.relative_path()) parts.push_back(part);
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const std::string comp = parts[i].string();
    const bool last = i + 1 == parts.size();
    std::vector<fs::path> next;
    for (const auto& dir : current) {
      std::error_code ec;
      if (comp.find_first_of("*?[") == std::string::npos) {
        const fs::path p = dir / comp;
        if (last ? fs::is_regular_file(p, ec) : fs::is_directory(p, ec)) next.push_back(p);
        continue;
      }
      for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (fnmatch(comp.c_str(), name.c_str(), FNM_PERIOD) != 0) continue;
        std::error_code ec2;
        if (last ? it->is_regular_file(ec2) : it->is_directory(ec2)) next.push_back(it->path());
      }
    }
    current = std::move(next);
    if (current.empty()) break;
  }
  std::sort(current.begin(), current.end());
  return current;
}

}  // namespace slamon::catalogue
