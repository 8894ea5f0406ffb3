// Tests for agent/jsonl_file_sink.h: appends result lines, writes on flush, keeps what was there.
#include "agent/jsonl_file_sink.h"

#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

using namespace slamon;

namespace {
std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}
}  // namespace

TEST_CASE("jsonl file sink: appends on flush, one line per result") {
  const auto path = std::filesystem::temp_directory_path() / ("slamon-sink-" + std::to_string(::getpid()) + ".jsonl");
  std::filesystem::remove(path);
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
    sink.flush();
    CHECK(slurp(path) ==
          "{\"old\":1}\n{\"probe\":\"a.icmp\",\"ts\":\"2023-11-14T22:13:20Z\",\"status\":\"up\",\"latency_ms\":0.5,"
          "\"metrics\":{\"loss_percent\":0}}\n");
    r.probe = "b.tcp";
    r.status = Status::down;
    r.latency_ms.reset();
    r.metrics.clear();
    r.message = "refused";
    sink.write(r);
    CHECK(sink.written() == 2);
  }  // the destructor flushes
  const auto text = slurp(path);
  CHECK(text.substr(text.find("b.tcp") - 10) ==
        "{\"probe\":\"b.tcp\",\"ts\":\"2023-11-14T22:13:20Z\",\"status\":\"down\",\"message\":\"refused\"}\n");
  std::filesystem::remove(path);
  CHECK_THROWS_AS(agent::JsonlFileSink("/nonexistent-dir/x.jsonl"), std::system_error);
}
