// A result sink that appends results JSONL (spec/interchange.md) to a file, one write(2) per batch.
// When the file cannot be written (a full disk, a quota, an I/O error) results wait in memory, up to a
// bound beyond which the oldest are dropped (counted), and are written when writing works again. The
// file only ever holds whole lines: a write cut short inside a line is truncated back to the last whole
// line (or, where that fails, the line's rest is written first next time). The failure is logged once
// when it starts and once when it ends, with the results dropped meanwhile.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <memory>
#include <spdlog/fwd.h>
#include <string>
#include <system_error>

#include "agent/result_sink.h"

namespace slamon::agent {

struct JsonlFileSinkOptions {
  // Bytes of result lines kept in memory while the file cannot be written; beyond, the oldest
  // results are dropped. 32 MiB: about 15 minutes of 10,000 probes a minute (slamon-agent
  // --max-unwritten).
  std::size_t max_unwritten_bytes = std::size_t{32} << 20;
};

class JsonlFileSink final : public ResultSink {
 public:
  // Opens (creates) `path` for appending; throws std::system_error when it cannot (start-up error).
  // `log` (may be null) gets the failure and recovery lines, which start with `agent`.
  explicit JsonlFileSink(const std::filesystem::path& path, std::shared_ptr<spdlog::logger> log = nullptr,
                         std::string agent = {}, JsonlFileSinkOptions options = {});
  ~JsonlFileSink() override;  // a last flush; what still cannot be written is lost
  JsonlFileSink(const JsonlFileSink&) = delete;
  JsonlFileSink& operator=(const JsonlFileSink&) = delete;

  void write(const ProbeResult& result) override;
  void flush() override;

  std::uint64_t written() const { return written_; }      // results whose whole line is in the file
  std::uint64_t dropped() const { return dropped_; }      // results dropped to keep within the bound
  std::size_t unwritten() const { return lines_.size(); } // results in memory, not yet in the file
  std::size_t unwritten_bytes() const { return buffer_.size() - head_; }
  // The error of the failure in progress; empty when the last flush wrote everything.
  std::error_code last_error() const { return last_error_; }

 private:
  void consume(std::size_t n);
  void drop_oldest();
  void failed(std::error_code ec);
  void recovered();

  int fd_ = -1;
  std::string path_;
  std::shared_ptr<spdlog::logger> log_;
  std::string agent_;
  JsonlFileSinkOptions options_;
  std::string buffer_;               // result lines; [head_, end) not yet in the file
  std::size_t head_ = 0;
  std::deque<std::size_t> lines_;    // length of each line not yet (wholly) in the file, oldest first
  std::size_t partial_ = 0;          // bytes of lines_.front() already in the file (a torn line left)
  std::uint64_t written_ = 0;
  std::uint64_t dropped_ = 0;
  std::error_code last_error_;
  bool failing_ = false;             // a failure episode: logged when it starts and ends
  std::uint64_t episode_dropped_ = 0;
  bool episode_dropping_ = false;
};

}  // namespace slamon::agent
