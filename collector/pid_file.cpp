// The collector's pid file (see pid_file.h).
#include "collector/pid_file.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace slamon::collector {

std::optional<PidFile> PidFile::acquire(const std::string& path, std::string& error) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    error = "cannot open the pid file " + path + ": " + std::strerror(errno);
    return std::nullopt;
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int e = errno;
    ::close(fd);
    if (e == EWOULDBLOCK) {
      const auto pid = running_pid(path);
      error = "another collector is running with this state_dir (pid " + (pid ? std::to_string(*pid) : "?") +
              ", " + path + ")";
    } else {
      error = "cannot lock the pid file " + path + ": " + std::strerror(e);
    }
    return std::nullopt;
  }
  const std::string text = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, text.data(), text.size(), 0) != static_cast<ssize_t>(text.size())) {
    error = "cannot write the pid file " + path + ": " + std::strerror(errno);
    ::close(fd);
    return std::nullopt;
  }
  return PidFile(path, fd);
}

PidFile::~PidFile() {
  if (fd_ < 0) return;
  ::unlink(path_.c_str());
  ::close(fd_);
}

std::optional<pid_t> running_pid(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::optional<pid_t> pid;
  if (::flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK) {
    char buf[32] = {};
    const ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
    if (n > 0) {
      const long v = std::strtol(buf, nullptr, 10);
      if (v > 0) pid = static_cast<pid_t>(v);
    }
  }
  ::close(fd);  // also releases a shared lock taken on a stale file
  return pid;
}

}  // namespace slamon::collector
