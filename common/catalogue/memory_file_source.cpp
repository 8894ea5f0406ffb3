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

std::optional<std::string> MemoryFileSource::read(const std::filesystem::path& path) const {
  const auto it = files_.find(normal(path));
  if (it == files_.end()) return std::nullopt;
  return it->second;
}

std::vector<std::filesystem::path> MemoryFileSource::glob(const std::filesystem::path& pattern) const {
  const std::string p = normal(pattern);
  std::vector<std::filesystem::path> out;
  for (const auto& [name, content] : files_)
    if (fnmatch(p.c_str(), name.c_str(), FNM_PATHNAME | FNM_PERIOD) == 0) out.emplace_back(name);
  return out;
}

}  // namespace slamon::catalogue
