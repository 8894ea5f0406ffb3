// The journal's line format for spdlog sinks (see journal_log.h).
#include "common/systemd/journal_log.h"

#include <spdlog/pattern_formatter.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <cstdio>
#include <memory>

namespace slamon::systemd {
namespace {

// %* : `<N>`, the syslog priority of the line's level.
class PriorityFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override {
    static constexpr std::string_view kPriority[] = {"<7>", "<7>", "<6>", "<4>", "<3>", "<2>", "<6>"};
    const auto i = static_cast<std::size_t>(msg.level);
    const auto p = i < std::size(kPriority) ? kPriority[i] : std::string_view("<6>");
    dest.append(p.data(), p.data() + p.size());
  }
  std::unique_ptr<spdlog::custom_flag_formatter> clone() const override { return std::make_unique<PriorityFlag>(); }
};

}  // namespace

bool stderr_is_journal() {
  const char* stream = std::getenv("JOURNAL_STREAM");
  if (stream == nullptr) return false;
  unsigned long long dev = 0, ino = 0;
  if (std::sscanf(stream, "%llu:%llu", &dev, &ino) != 2) return false;
  struct stat st {};
  if (::fstat(STDERR_FILENO, &st) != 0) return false;
  return static_cast<unsigned long long>(st.st_dev) == dev && static_cast<unsigned long long>(st.st_ino) == ino;
}

void use_journal_format(spdlog::sinks::sink& sink) {
  auto formatter = std::make_unique<spdlog::pattern_formatter>();
  formatter->add_flag<PriorityFlag>('*').set_pattern("%*[%n] %v");
  sink.set_formatter(std::move(formatter));
}

bool use_journal_format_if_journal(spdlog::sinks::sink& sink) {
  if (!stderr_is_journal()) return false;
  use_journal_format(sink);
  return true;
}

}  // namespace slamon::systemd
