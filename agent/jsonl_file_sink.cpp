// The JSONL file sink (see jsonl_file_sink.h).
#include "agent/jsonl_file_sink.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "common/results_jsonl.h"

namespace slamon::agent {

namespace {
constexpr std::size_t kFlushAtBytes = 1 << 20;  // a very large batch is written in parts
}

JsonlFileSink::JsonlFileSink(const std::filesystem::path& path) {
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "cannot open " + path.string());
}

JsonlFileSink::~JsonlFileSink() {
  flush();
  if (fd_ >= 0) ::close(fd_);
}

void JsonlFileSink::write(const ProbeResult& result) {
  append_result_line(buffer_, result);
  ++written_;
  if (buffer_.size() >= kFlushAtBytes) flush();
}

void JsonlFileSink::flush() {
  std::size_t done = 0;
  while (done < buffer_.size()) {
    const ssize_t n = ::write(fd_, buffer_.data() + done, buffer_.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      last_error_ = std::error_code(errno, std::generic_category());
      break;
    }
    done += static_cast<std::size_t>(n);
  }
  buffer_.erase(0, done);
}

}  // namespace slamon::agent
