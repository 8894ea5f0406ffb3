// Reading the small files a user names (secrets, catalogue files, targets lists) with the same checks
// everywhere: a regular file only (a directory, FIFO or device is refused without blocking), a size
// limit, and for secrets exactly one line without NUL bytes. Every refusal says why.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>

namespace slamon {

// Limits (documented in docs/catalogue.md "Secrets" and "Limits").
constexpr std::size_t kMaxSecretFileBytes = 64 * 1024;          // 64 KiB
constexpr std::size_t kMaxTargetsFileBytes = 16 * 1024 * 1024;  // 16 MiB
constexpr std::size_t kMaxCatalogueFileBytes = 64 * 1024 * 1024;  // 64 MiB (also keeps line numbers small)

// A file's bytes, or why they could not be read ("No such file or directory", "is a directory",
// "is larger than 64 KiB", ...): exactly one of the two is set.
struct FileText {
  std::optional<std::string> bytes;
  std::string error;
};

// Opens `path` with O_NONBLOCK, refuses anything but a regular file, and reads at most max_bytes.
FileText read_small_file(const std::filesystem::path& path, std::size_t max_bytes);

// Checks and trims a secret's bytes in place: one trailing newline (and a CR before it) removed;
// empty, a NUL byte or a second line are refused. Returns the reason, or nothing when the secret is good.
std::optional<std::string> check_secret_text(std::string& bytes);

// read_small_file with kMaxSecretFileBytes, then check_secret_text.
FileText read_secret_file(const std::filesystem::path& path);

}  // namespace slamon
