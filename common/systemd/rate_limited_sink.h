// Repeated log lines folded: a sink in front of another that passes a line (same logger, level and
// text) at most `max_repeats` times per `window`, counts the rest, and writes one
// "TEXT ... repeated K times in WINDOW" line for them when that window ends (with the next line
// logged after it, or at a flush or the sink's end). The time comes from an injected function, so
// tests run it without waiting. docs/operations.md, "Logs".
#pragma once

#include <spdlog/sinks/base_sink.h>

#include <chrono>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>

namespace slamon::systemd {

struct RateLimit {
  int max_repeats = 5;                       // lines of one text passed per window
  std::chrono::milliseconds window{10'000};  // 10 s
};

class RateLimitedSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  using Now = std::function<std::chrono::steady_clock::time_point()>;
  RateLimitedSink(spdlog::sink_ptr inner, RateLimit limit, Now now = [] { return std::chrono::steady_clock::now(); });
  ~RateLimitedSink() override;

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override;
  void flush_() override;
  void set_pattern_(const std::string& pattern) override;
  void set_formatter_(std::unique_ptr<spdlog::formatter> formatter) override;

 private:
  struct Seen {
    std::chrono::steady_clock::time_point since;  // the window's start: the text's first line in it
    std::string logger;
    spdlog::level::level_enum level = spdlog::level::info;
    std::string text;
    int passed = 0;
    long long folded = 0;  // lines not passed in this window
  };
  void end_windows(std::chrono::steady_clock::time_point now);  // those that ended by `now`
  void write_folded(Seen& s);

  spdlog::sink_ptr inner_;
  RateLimit limit_;
  Now now_;
  std::unordered_map<std::string, Seen> seen_;  // by logger, level and text
  std::deque<std::string> order_;               // seen_'s keys, oldest window first
};

}  // namespace slamon::systemd
