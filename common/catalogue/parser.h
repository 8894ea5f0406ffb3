// Loading a catalogue: YAML text (with includes and secret files) to the model, or every error at once.
// The function is pure over a FileSource, so tests run it on in-memory files.
#pragma once

#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/catalogue/model.h"
#include "common/diagnostic.h"
#include "common/small_file.h"

namespace slamon::catalogue {

// Limits on includes: nesting depth, path components of a pattern, files one pattern may match.
constexpr int kMaxIncludeDepth = 32;
constexpr std::size_t kMaxGlobComponents = 64;
constexpr std::size_t kMaxGlobMatches = 10'000;

// Paths matching a pattern, or why the pattern was given up (too many matches, too deep).
struct GlobResult {
  std::vector<std::filesystem::path> paths;
  std::string error;
};

// Where the loader reads files from: the real file system, or a map in tests.
class FileSource {
 public:
  virtual ~FileSource() = default;
  // The file's bytes (at most max_bytes), or why not (see common/small_file.h).
  virtual FileText read(const std::filesystem::path& path, std::size_t max_bytes) const = 0;
  // Paths matching a glob pattern (in one directory level per component), sorted; at most
  // kMaxGlobMatches, each real file once.
  virtual GlobResult glob(const std::filesystem::path& pattern) const = 0;
  // The name a file is known by once links are resolved: a file is loaded once whatever path names it.
  virtual std::string identity(const std::filesystem::path& path) const { return path.lexically_normal().string(); }
};

class DiskFileSource final : public FileSource {
 public:
  FileText read(const std::filesystem::path& path, std::size_t max_bytes) const override;
  GlobResult glob(const std::filesystem::path& pattern) const override;
  std::string identity(const std::filesystem::path& path) const override;
};

struct LoadResult {
  std::optional<Catalogue> catalogue;  // set exactly when errors is empty
  std::vector<Diagnostic> errors;      // in file order
};

// Parses and validates the catalogue rooted at `root` (includes resolved relative to each file).
// `maintenance_files` are extra files that hold only a `maintenance:` list (slamon report
// --maintenance): read as files of their own, with their own names and line numbers in errors.
LoadResult load_catalogue(const std::filesystem::path& root, const FileSource& files,
                          std::span<const std::filesystem::path> maintenance_files = {});

}  // namespace slamon::catalogue
