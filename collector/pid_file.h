// The collector's pid file (STATE_DIR/collector.pid): written at start and held with flock(2) for
// the process's life, so that `slamon-collector reload` finds the running collector and tells a
// stale file (no holder) from a live one.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

namespace slamon::collector {

class PidFile {
 public:
  // Creates (or takes over a stale) `path`, locks it and writes this process's pid. nullopt with
  // `error` set when another process holds it or the file cannot be written.
  static std::optional<PidFile> acquire(const std::string& path, std::string& error);
  PidFile(PidFile&& other) noexcept : path_(std::move(other.path_)), fd_(other.fd_) { other.fd_ = -1; }
  PidFile& operator=(PidFile&&) = delete;
  PidFile(const PidFile&) = delete;
  ~PidFile();  // removes the file, then releases the lock

 private:
  PidFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  std::string path_;
  int fd_ = -1;
};

// The pid of the process that holds `path` locked, or nullopt when none does (no file, or a stale one).
std::optional<pid_t> running_pid(const std::string& path);

}  // namespace slamon::collector
