// Repeated log lines folded (see rate_limited_sink.h).
#include "common/systemd/rate_limited_sink.h"

#include <spdlog/fmt/fmt.h>

namespace slamon::systemd {
namespace {

std::string window_text(std::chrono::milliseconds w) {
  return w.count() % 1000 == 0 ? std::to_string(w.count() / 1000) + "s" : std::to_string(w.count()) + "ms";
}

}  // namespace

RateLimitedSink::RateLimitedSink(spdlog::sink_ptr inner, RateLimit limit, Now now)
    : inner_(std::move(inner)), limit_(limit), now_(std::move(now)) {}

RateLimitedSink::~RateLimitedSink() {
  std::lock_guard lock(mutex_);
  for (auto& [key, s] : seen_) write_folded(s);
  inner_->flush();
}

void RateLimitedSink::write_folded(Seen& s) {
  if (s.folded == 0) return;
  const std::string line = s.text + " ... repeated " + std::to_string(s.folded) + " times in " + window_text(limit_.window);
  inner_->log(spdlog::details::log_msg(s.logger, s.level, line));
  s.folded = 0;
}

void RateLimitedSink::end_windows(std::chrono::steady_clock::time_point now) {
  while (!order_.empty()) {
    const auto it = seen_.find(order_.front());
    if (it != seen_.end() && now - it->second.since < limit_.window) break;
    if (it != seen_.end()) {
      write_folded(it->second);
      seen_.erase(it);
    }
    order_.pop_front();
  }
}

void RateLimitedSink::sink_it_(const spdlog::details::log_msg& msg) {
  const auto now = now_();
  end_windows(now);
  std::string key;
  key.reserve(msg.logger_name.size() + msg.payload.size() + 4);
  key.append(msg.logger_name.data(), msg.logger_name.size());
  key += '\0';
  key += static_cast<char>('0' + static_cast<int>(msg.level));
  key += '\0';
  key.append(msg.payload.data(), msg.payload.size());
  auto [it, fresh] = seen_.try_emplace(key);
  Seen& s = it->second;
  if (fresh) {
    s.since = now;
    s.logger.assign(msg.logger_name.data(), msg.logger_name.size());
    s.level = msg.level;
    s.text.assign(msg.payload.data(), msg.payload.size());
    order_.push_back(std::move(key));
  }
  if (s.passed < limit_.max_repeats) {
    ++s.passed;
    inner_->log(msg);
  } else {
    ++s.folded;
  }
}

void RateLimitedSink::flush_() {
  end_windows(now_());
  inner_->flush();
}

void RateLimitedSink::set_pattern_(const std::string& pattern) { inner_->set_pattern(pattern); }

void RateLimitedSink::set_formatter_(std::unique_ptr<spdlog::formatter> formatter) {
  inner_->set_formatter(std::move(formatter));
}

}  // namespace slamon::systemd
