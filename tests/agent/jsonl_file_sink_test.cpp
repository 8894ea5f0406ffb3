// Tests for agent/jsonl_file_sink.h: appends result lines, writes on flush, keeps what was there; on a
// file that cannot take more (RLIMIT_FSIZE here; a real full tmpfs in tests/cli/agent_full_disk_test.sh)
// it leaves no torn line, keeps a bounded backlog, counts true and logs each failure episode once.
#include "agent/jsonl_file_sink.h"

#include <doctest/doctest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/results_jsonl.h"

using namespace slamon;

namespace {
std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::filesystem::path temp_file(const std::string& name) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("slamon-sink-" + name + "-" + std::to_string(::getpid()) + ".jsonl");
  std::filesystem::remove(path);
  return path;
}

ProbeResult result(int i) {
  ProbeResult r;
  r.probe = std::string("p").append(std::to_string(i)).append(".tcp");
  r.ts = 1'700'000'000'000 + i;
  r.status = Status::down;
  r.message = "refused, attempt " + std::to_string(i) + std::string(40, 'x');
  return r;
}

std::string line(int i) {
  std::string s;
  append_result_line(s, result(i));
  return s;
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// While alive, files this process writes cannot grow past `max_bytes` (a full disk, as write(2) sees
// it: a short write, then EFBIG).
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t max_bytes) {
    old_handler_ = std::signal(SIGXFSZ, SIG_IGN);
    ::getrlimit(RLIMIT_FSIZE, &old_);
    set(max_bytes);
  }
  ~FileSizeLimit() {
    ::setrlimit(RLIMIT_FSIZE, &old_);
    std::signal(SIGXFSZ, old_handler_);
  }
  void set(rlim_t max_bytes) {
    rlimit l = old_;
    l.rlim_cur = max_bytes;
    REQUIRE(::setrlimit(RLIMIT_FSIZE, &l) == 0);
  }
  void lift() { ::setrlimit(RLIMIT_FSIZE, &old_); }

 private:
  rlimit old_{};
  void (*old_handler_)(int) = nullptr;
};

struct CapturedLog {
  std::ostringstream text;
  std::shared_ptr<spdlog::logger> log =
      std::make_shared<spdlog::logger>("agent", std::make_shared<spdlog::sinks::ostream_sink_st>(text));
};
}  // namespace

TEST_CASE("jsonl file sink: appends on flush, one line per result, written counts lines in the file") {
  const auto path = temp_file("append");
  {
    std::ofstream(path) << "{\"old\":1}\n";
  }
  {
    agent::JsonlFileSink sink(path);
    ProbeResult r;
    r.probe = "a.icmp";
    r.ts = 1'700'000'000'000;
    r.status = Status::up;
    r.latency_ms = 0.5;
    r.metrics = {{"loss_percent", 0}};
    sink.write(r);
    CHECK(slurp(path) == "{\"old\":1}\n");  // nothing before the batch ends
    CHECK(sink.written() == 0);
    CHECK(sink.unwritten() == 1);
    sink.flush();
    CHECK(slurp(path) ==
          "{\"old\":1}\n{\"probe\":\"a.icmp\",\"ts\":\"2023-11-14T22:13:20Z\",\"status\":\"up\",\"latency_ms\":0.5,"
          "\"metrics\":{\"loss_percent\":0}}\n");
    CHECK(sink.written() == 1);
    r.probe = "b.tcp";
    r.status = Status::down;
    r.latency_ms.reset();
    r.metrics.clear();
    r.message = "refused";
    sink.write(r);
    CHECK(sink.written() == 1);
    CHECK(sink.unwritten() == 1);
  }  // the destructor flushes
  const auto text = slurp(path);
  CHECK(text.substr(text.find("b.tcp") - 10) ==
        "{\"probe\":\"b.tcp\",\"ts\":\"2023-11-14T22:13:20Z\",\"status\":\"down\",\"message\":\"refused\"}\n");
  std::filesystem::remove(path);
  CHECK_THROWS_AS(agent::JsonlFileSink("/nonexistent-dir/x.jsonl"), std::system_error);
}

TEST_CASE("jsonl file sink: a write cut short by a full file leaves no torn line; each failure and recovery is logged once") {
  const auto path = temp_file("short");
  CapturedLog captured;
  agent::JsonlFileSink sink(path, captured.log, "agent-1");
  {
    FileSizeLimit full(line(0).size() + line(1).size() + 10);  // two lines and a bit of the third fit
    for (int i = 0; i < 6; ++i) sink.write(result(i));
    sink.flush();
    CHECK(slurp(path) == line(0) + line(1));  // the third line's first 10 bytes were cut back off
    CHECK(sink.written() == 2);
    CHECK(sink.unwritten() == 4);
    CHECK(sink.last_error() == std::errc::file_too_large);
    for (int i = 6; i < 10; ++i) {
      sink.write(result(i));
      sink.flush();  // fails again, silently
    }
    CHECK(slurp(path) == line(0) + line(1));
    CHECK(sink.written() == 2);
    CHECK(sink.unwritten() == 8);
    full.lift();
    sink.flush();
  }
  std::string all;
  for (int i = 0; i < 10; ++i) all += line(i);
  CHECK(slurp(path) == all);  // each line once, whole, in order
  CHECK(sink.written() == 10);
  CHECK(sink.unwritten() == 0);
  CHECK(sink.dropped() == 0);
  CHECK_FALSE(sink.last_error());
  const auto log = captured.text.str();
  CHECK(count(log, "cannot write") == 1);
  CHECK(count(log, "agent-1: cannot write " + path.string() + ": File too large") == 1);
  CHECK(count(log, "works again; 0 results dropped while it failed") == 1);
  std::filesystem::remove(path);
}

TEST_CASE("jsonl file sink: while writes fail at most max_unwritten_bytes wait in memory, the oldest dropped and counted") {
  const auto path = temp_file("bound");
  CapturedLog captured;
  agent::JsonlFileSinkOptions o;
  o.max_unwritten_bytes = line(7).size() + line(8).size() + line(9).size();  // lines are as long from 0 to 9
  agent::JsonlFileSink sink(path, captured.log, "agent-1", o);
  {
    FileSizeLimit full(0);
    sink.write(result(0));
    sink.flush();
    CHECK(sink.last_error());
    for (int i = 1; i < 10; ++i) sink.write(result(i));
    CHECK(sink.dropped() == 7);
    CHECK(sink.unwritten() == 3);
    CHECK(sink.unwritten_bytes() <= o.max_unwritten_bytes);
    sink.flush();
    full.lift();
    sink.flush();
  }
  CHECK(slurp(path) == line(7) + line(8) + line(9));
  CHECK(sink.written() == 3);
  CHECK(sink.dropped() == 7);
  const auto log = captured.text.str();
  CHECK(count(log, "cannot write") == 1);
  CHECK(count(log, "dropping the oldest") == 1);
  CHECK(count(log, "works again; 7 results dropped while it failed") == 1);
  // A new episode is logged again, with its own count.
  {
    FileSizeLimit full(std::filesystem::file_size(path));
    sink.write(result(10));
    sink.flush();
  }
  sink.flush();
  CHECK(count(captured.text.str(), "cannot write") == 2);
  CHECK(count(captured.text.str(), "works again; 0 results dropped while it failed") == 1);
  CHECK(sink.written() == 4);
  std::filesystem::remove(path);
}

TEST_CASE("jsonl file sink: a healthy file never drops, even past the bound between flushes") {
  const auto path = temp_file("healthy");
  agent::JsonlFileSinkOptions o;
  o.max_unwritten_bytes = 100;  // smaller than a line: every write goes to the file at once
  {
    agent::JsonlFileSink sink(path, nullptr, "a", o);
    for (int i = 0; i < 20; ++i) sink.write(result(i));
    CHECK(sink.dropped() == 0);
    CHECK(sink.written() == 20);
  }
  std::string all;
  for (int i = 0; i < 20; ++i) all += line(i);
  CHECK(slurp(path) == all);
  std::filesystem::remove(path);
}
