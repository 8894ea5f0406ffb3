// Loading a catalogue: YAML text (with includes and secret files) to the model, or every error at once.
// The function is pure over a FileSource, so tests run it on in-memory files.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "common/catalogue/model.h"
#include "common/diagnostic.h"

namespace slamon::catalogue {

// Where the loader reads files from: the real file system, or a map in tests.
class FileSource {
 public:
  virtual ~FileSource() = default;
  // The file's bytes, or nullopt when it is missing or unreadable.
  virtual std::optional<std::string> read(const std::filesystem::path& path) const = 0;
  // Paths matching a glob pattern (in one directory level per component), sorted.
  virtual std::vector<std::filesystem::path> glob(const std::filesystem::path& pattern) const = 0;
};

class DiskFileSource final : public FileSource {
 public:
  std::optional<std::string> read(const std::filesystem::path& path) const override;
  std::vector<std::filesystem::path> glob(const std::filesystem::path& pattern) const override;
};

struct LoadResult {
  std::optional<Catalogue> catalogue;  // set exactly when errors is empty
  std::vector<Diagnostic> errors;      // in file order
};

// Parses and validates the catalogue rooted at `root` (includes resolved relative to each file).
LoadResult load_catalogue(const std::filesystem::path& root, const FileSource& files);

}  // namespace slamon::catalogue
