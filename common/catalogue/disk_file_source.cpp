// DiskFileSource: the catalogue's files on the real file system; globs match one directory level per
// path component (fnmatch, hidden files only when the pattern starts with a dot), sorted. Symbolic
// links are followed, but each real directory is entered once per level and each real file matched
// once, so links that fan out or loop cannot make a pattern expand beyond the files that exist.
#include <algorithm>
#include <fnmatch.h>
#include <unordered_set>

#include "common/catalogue/parser.h"

namespace slamon::catalogue {

namespace fs = std::filesystem;

FileText DiskFileSource::read(const fs::path& path, std::size_t max_bytes) const {
  return read_small_file(path, max_bytes);
}

std::string DiskFileSource::identity(const fs::path& path) const {
  std::error_code ec;
  const fs::path real = fs::weakly_canonical(path, ec);
  return ec ? path.lexically_normal().string() : real.string();
}

GlobResult DiskFileSource::glob(const fs::path& pattern) const {
  GlobResult out;
  std::vector<fs::path> parts;
  for (const auto& part : pattern.relative_path()) parts.push_back(part);
  if (parts.size() > kMaxGlobComponents) {
    out.error = "has more than " + std::to_string(kMaxGlobComponents) + " path components";
    return out;
  }
  std::vector<fs::path> current{pattern.root_path()};
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const std::string comp = parts[i].string();
    const bool last = i + 1 == parts.size();
    std::vector<fs::path> next;
    std::unordered_set<std::string> seen;  // real paths reached at this level
    auto add = [&](const fs::path& p) {
      if (!seen.insert(identity(p)).second) return true;
      next.push_back(p);
      return next.size() <= kMaxGlobMatches;
    };
    for (const auto& dir : current) {
      std::error_code ec;
      if (comp.find_first_of("*?[") == std::string::npos) {
        const fs::path p = dir / comp;
        if ((last ? fs::is_regular_file(p, ec) : fs::is_directory(p, ec)) && !add(p)) break;
        continue;
      }
      bool full = false;
      for (fs::directory_iterator it(dir, ec), end; !ec && it != end && !full; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (fnmatch(comp.c_str(), name.c_str(), FNM_PERIOD) != 0) continue;
        std::error_code ec2;
        if (last ? it->is_regular_file(ec2) : it->is_directory(ec2)) full = !add(it->path());
      }
      if (full) break;
    }
    if (next.size() > kMaxGlobMatches) {
      out.error = "matches more than " + std::to_string(kMaxGlobMatches) + (last ? " files" : " directories");
      return out;
    }
    current = std::move(next);
    if (current.empty()) break;
  }
  std::sort(current.begin(), current.end());
  out.paths = std::move(current);
  return out;
}

}  // namespace slamon::catalogue
