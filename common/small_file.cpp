// Small files read with fstat on the open descriptor (no race between the check and the read) and
// O_NONBLOCK (a FIFO opens at once and is then refused, never read).
#include "common/small_file.h"

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace slamon {
namespace {

std::string size_text(std::size_t bytes) {
  if (bytes % (1024 * 1024) == 0) return std::to_string(bytes / (1024 * 1024)) + " MiB";
  if (bytes % 1024 == 0) return std::to_string(bytes / 1024) + " KiB";
  return std::to_string(bytes) + " bytes";
}

std::string kind_of(mode_t mode) {
  if (S_ISDIR(mode)) return "is a directory";
  if (S_ISFIFO(mode)) return "is a FIFO (named pipe), not a regular file";
  if (S_ISCHR(mode) || S_ISBLK(mode)) return "is a device, not a regular file";
  if (S_ISSOCK(mode)) return "is a socket, not a regular file";
  return "is not a regular file";
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

}  // namespace

FileText read_small_file(const std::filesystem::path& path, std::size_t max_bytes) {
  FileText out;
  const Fd fd(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY));
  if (fd.get() < 0) {
    out.error = std::strerror(errno);
    return out;
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) {
    out.error = std::strerror(errno);
    return out;
  }
  if (!S_ISREG(st.st_mode)) {
    out.error = kind_of(st.st_mode);
    return out;
  }
  if (static_cast<std::uint64_t>(st.st_size) > max_bytes) {
    out.error = "is larger than " + size_text(max_bytes);
    return out;
  }
  std::string bytes;
  bytes.resize(static_cast<std::size_t>(st.st_size));
  std::size_t got = 0;
  // The file may grow or shrink while read: read what fits in the limit, then look for more.
  for (;;) {
    if (got == bytes.size()) {
      if (bytes.size() > max_bytes) {
        out.error = "is larger than " + size_text(max_bytes);
        return out;
      }
      bytes.resize(std::min(max_bytes + 1, bytes.size() + 4096));
    }
    const ssize_t n = ::read(fd.get(), bytes.data() + got, bytes.size() - got);
    if (n < 0) {
      if (errno == EINTR) continue;
      out.error = std::strerror(errno);
      return out;
    }
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  if (got > max_bytes) {
    out.error = "is larger than " + size_text(max_bytes);
    return out;
  }
  bytes.resize(got);
  out.bytes = std::move(bytes);
  return out;
}

std::optional<std::string> check_secret_text(std::string& bytes) {
  if (bytes.find('\0') != std::string::npos) return "holds a NUL byte";
  if (!bytes.empty() && bytes.back() == '\n') bytes.pop_back();
  if (!bytes.empty() && bytes.back() == '\r') bytes.pop_back();
  if (bytes.find_first_of("\r\n") != std::string::npos) return "holds more than one line";
  if (bytes.empty()) return "is empty";
  return std::nullopt;
}

FileText read_secret_file(const std::filesystem::path& path) {
  FileText f = read_small_file(path, kMaxSecretFileBytes);
  if (f.bytes) {
    if (auto why = check_secret_text(*f.bytes)) {
      f.bytes.reset();
      f.error = std::move(*why);
    }
  }
  return f;
}

}  // namespace slamon
