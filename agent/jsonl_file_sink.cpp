// The JSONL file sink (see jsonl_file_sink.h).
#include "agent/jsonl_file_sink.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "common/results_jsonl.h"

namespace slamon::agent {

namespace {
constexpr std::size_t kFlushAtBytes = 1 << 20;    // a very large batch is written in parts
constexpr std::size_t kCompactAtBytes = 1 << 16;  // written or dropped bytes are freed from the front past this
}  // namespace

JsonlFileSink::JsonlFileSink(const std::filesystem::path& path, std::shared_ptr<spdlog::logger> log, std::string agent,
                             JsonlFileSinkOptions options)
    : path_(path.string()), log_(std::move(log)), agent_(std::move(agent)), options_(options) {
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "cannot open " + path.string());
}

JsonlFileSink::~JsonlFileSink() {
  flush();
  if (fd_ >= 0) ::close(fd_);
}

void JsonlFileSink::write(const ProbeResult& result) {
  const std::size_t before = buffer_.size();
  append_result_line(buffer_, result);
  lines_.push_back(buffer_.size() - before);
  // While the file is being written a large batch goes at once; while it fails, the next flush()
  // tries again, and the bound holds meanwhile.
  if (!failing_ && unwritten_bytes() >= std::min(kFlushAtBytes, options_.max_unwritten_bytes)) flush();
  while (unwritten_bytes() > options_.max_unwritten_bytes && lines_.size() > (partial_ > 0 ? 1u : 0u)) drop_oldest();
}

void JsonlFileSink::flush() {
  std::error_code error;
  bool wrote = false;
  while (head_ < buffer_.size()) {
    const ssize_t n = ::write(fd_, buffer_.data() + head_, buffer_.size() - head_);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      error = std::error_code(n < 0 ? errno : EIO, std::generic_category());
      break;
    }
    consume(static_cast<std::size_t>(n));
    wrote = true;
  }
  if (error && partial_ > 0) {
    // A short write ended inside a line: cut the file back to its last whole line (the line is
    // written again whole next time). Where that fails, its rest goes first next time.
    struct stat st {};
    if (::fstat(fd_, &st) == 0 && st.st_size >= static_cast<off_t>(partial_) &&
        ::ftruncate(fd_, st.st_size - static_cast<off_t>(partial_)) == 0) {
      head_ -= partial_;
      partial_ = 0;
    }
  }
  if (error) failed(error);
  else if (wrote && failing_) recovered();
  if (head_ == buffer_.size()) {
    buffer_.clear();
    head_ = 0;
    if (buffer_.capacity() > 2 * kFlushAtBytes) buffer_.shrink_to_fit();  // after a failure episode
  } else if (head_ >= kCompactAtBytes && head_ >= buffer_.size() / 2) {
    buffer_.erase(0, head_);
    head_ = 0;
  }
}

// `n` more bytes from head_ are in the file.
void JsonlFileSink::consume(std::size_t n) {
  head_ += n;
  partial_ += n;
  while (!lines_.empty() && partial_ >= lines_.front()) {
    partial_ -= lines_.front();
    lines_.pop_front();
    ++written_;
  }
}

void JsonlFileSink::drop_oldest() {
  if (partial_ == 0) {
    head_ += lines_.front();
    lines_.pop_front();
  } else {  // the oldest line is partly in the file and must be finished: drop the one after it
    const std::size_t second = head_ - partial_ + lines_[0];
    buffer_.erase(second, lines_[1]);
    lines_.erase(lines_.begin() + 1);
  }
  ++dropped_;
  ++episode_dropped_;
  if (!episode_dropping_) {
    episode_dropping_ = true;
    if (log_)
      log_->error("{}: {}: {} bytes of results wait in memory (the bound, --max-unwritten); dropping the oldest", agent_,
                  path_, options_.max_unwritten_bytes);
  }
}

void JsonlFileSink::failed(std::error_code ec) {
  last_error_ = ec;
  if (failing_) return;
  failing_ = true;
  if (log_)
    log_->error("{}: cannot write {}: {}; results wait in memory (up to {} bytes) until writing works again", agent_,
                path_, ec.message(), options_.max_unwritten_bytes);
}

void JsonlFileSink::recovered() {
  if (failing_ && log_)
    log_->warn("{}: writing {} works again; {} results dropped while it failed", agent_, path_, episode_dropped_);
  failing_ = false;
  last_error_ = {};
  episode_dropped_ = 0;
  episode_dropping_ = false;
}

}  // namespace slamon::agent
