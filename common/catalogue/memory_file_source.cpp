// MemoryFileSource: a sorted map of paths; globs use fnmatch with FNM_PATHNAME (one level per '*').
#include "common/catalogue/memory_file_source.h"

#include <fnmatch.h>

namespace slamon::catalogue {
namespace {

std::string normal(const std::filesystem::path& p) {
  std::error_code ec;
  auto abs = std::filesystem::absolute(p, ec);
  return (ec ? p : abs).lexically_normal().string();
}

}  // namespace

void MemoryFileSource::add(const std::filesystem::path& path, std::string content) {
  files_[normal(path)] = std::move(content);
}

FileText MemoryFileSource::read(const std::filesystem::path& path, std::size_t max_bytes) const {
  FileText out;
  const auto it = files_.find(normal(path));
  if (it == files_.end()) out.error = "No such file or directory";
  else if (it->second.size() > max_bytes) out.error = "is larger than " + std::to_string(max_bytes) + " bytes";
  else out.bytes = it->second;
  return out;
}

GlobResult MemoryFileSource::glob(const std::filesystem::path& pattern) const {
  const std::string p = normal(pattern);
  GlobResult out;
  for (const auto& [name, content] : files_) {
    if (fnmatch(p.c_str(), name.c_str(), FNM_PATHNAME | FNM_PERIOD) != 0) continue;
    if (out.paths.size() == kMaxGlobMatches) {
      out.error = "matches more than " + std::to_string(kMaxGlobMatches) + " files";
      out.paths.clear();
      break;
    }
    out.paths.emplace_back(name);
  }
  return out;
}

}  // namespace slamon::catalogue
