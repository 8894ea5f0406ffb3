// A result sink that appends results JSONL (spec/interchange.md) to a file, one write(2) per batch.
#pragma once

#include <filesystem>
#include <string>
#include <system_error>

#include "agent/result_sink.h"

namespace slamon::agent {

class JsonlFileSink final : public ResultSink {
 public:
  // Opens (creates) `path` for appending; throws std::system_error when it cannot (start-up error).
  explicit JsonlFileSink(const std::filesystem::path& path);
  ~JsonlFileSink() override;
  JsonlFileSink(const JsonlFileSink&) = delete;
  JsonlFileSink& operator=(const JsonlFileSink&) = delete;

  void write(const ProbeResult& result) override;
  void flush() override;
  std::uint64_t written() const { return written_; }
  // The last write error, if any (the sink keeps going and retries with the next batch).
  std::error_code last_error() const { return last_error_; }

 private:
  int fd_ = -1;
  std::string buffer_;
  std::uint64_t written_ = 0;
  std::error_code last_error_;
};

}  // namespace slamon::agent
