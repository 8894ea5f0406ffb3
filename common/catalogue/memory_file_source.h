// A FileSource over files held in memory, for tests, the fuzz target and the benchmark. Paths are
// made absolute and normal on both sides, so "a/b.yaml" and "./a/b.yaml" name the same file.
#pragma once

#include <map>

#include "common/catalogue/parser.h"

namespace slamon::catalogue {

class MemoryFileSource final : public FileSource {
 public:
  void add(const std::filesystem::path& path, std::string content);
  FileText read(const std::filesystem::path& path, std::size_t max_bytes) const override;
  GlobResult glob(const std::filesystem::path& pattern) const override;

 private:
  std::map<std::string, std::string> files_;  // absolute normal path -> bytes
};

}  // namespace slamon::catalogue
