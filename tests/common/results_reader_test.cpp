// The results JSONL reader: valid lines, bad lines with their numbers, offsets and fractions, files.
#include "common/results_reader.h"

#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <unistd.h>
#include <vector>

#include "common/results_jsonl.h"

namespace slamon {
namespace {

struct Collected {
  std::vector<ProbeResult> results;
  std::vector<Diagnostic> errors;
  ResultsReadStats stats;
};

Collected read_text(std::string_view text) {
  Collected c;
  c.stats = read_results_text(
      text, "r.jsonl", [&](ProbeResult&& r) { c.results.push_back(std::move(r)); },
      [&](Diagnostic&& d) { c.errors.push_back(std::move(d)); });
  return c;
}

}  // namespace

TEST_CASE("the spec's two example lines") {
  const auto c = read_text(
      R"({"probe":"web-01.http","ts":"2026-10-01T08:00:00.125Z","status":"up","latency_ms":12.5})"
      "\n"
      R"({"probe":"core-sw-1.snmp","ts":"2026-10-01T08:00:00Z","status":"down","message":"timeout after 5000 ms","agent":"dc1-agent-01"})"
      "\n");
  REQUIRE(c.results.size() == 2);
  CHECK(c.errors.empty());
  CHECK(c.results[0].probe == "web-01.http");
  CHECK(c.results[0].ts == *parse_rfc3339("2026-10-01T08:00:00.125Z"));
  CHECK(c.results[0].status == Status::up);
  CHECK(*c.results[0].latency_ms == 12.5);
  CHECK(c.results[1].status == Status::down);
  CHECK(c.results[1].message == "timeout after 5000 ms");
  CHECK(c.results[1].agent == "dc1-agent-01");
  CHECK_FALSE(c.results[1].latency_ms);
  CHECK(c.stats.lines == 2);
}

TEST_CASE("metrics, offsets, finer fractions cut toward the past, unknown keys ignored") {
  const auto c = read_text(
      R"({"probe":"p","ts":"2026-10-01T16:00:00.1239+08:00","status":"degraded","metrics":{"loss_percent":33.3,"http_status":200},"future_key":[1,{"a":2}]})");
  REQUIRE(c.results.size() == 1);
  CHECK(c.results[0].ts == *parse_rfc3339("2026-10-01T08:00:00.123Z"));
  REQUIRE(c.results[0].metrics.size() == 2);
  CHECK(c.results[0].metrics[0] == Metric{"loss_percent", 33.3});
  CHECK(c.results[0].metrics[1] == Metric{"http_status", 200});
}

TEST_CASE("bad lines are reported with their line numbers and skipped; blank lines are skipped") {
  const std::string text =
      R"({"probe":"p","ts":"2026-10-01T08:00:00Z","status":"up"})" "\n"
      "not json\n"
      "\n"
      R"({"probe":"p","ts":"2026-10-01T08:00:00","status":"up"})" "\n"            // no offset
      R"({"probe":"p","ts":"2026-10-01T08:01:00Z","status":"sideways"})" "\n"
      R"({"ts":"2026-10-01T08:01:00Z","status":"up"})" "\n"
      R"({"probe":"p","ts":"2026-10-01T08:01:00Z","status":"up","latency_ms":"12"})" "\n"
      R"([1,2,3])" "\n"
      R"({"probe":"p","ts":"2026-10-01T08:01:00Z","status":"up"} trailing)" "\n"
      R"({"probe":"p","ts":"2026-10-01T08:02:00Z","status":"down"})" "\r\n"
      R"({"probe":"p","ts":"2026-10-01T08:03:00Z","status":"up","metrics":{"x":"y"}})" "\n"
      R"({"probe":"p","ts":"2026-10-01T08:04:00Z","status":"up")";  // truncated, no newline
  const auto c = read_text(text);
  CHECK(c.results.size() == 2);
  std::vector<int> lines;
  for (const auto& d : c.errors) lines.push_back(d.line);
  CHECK(lines == std::vector<int>{2, 4, 5, 6, 7, 8, 9, 11, 12});
  CHECK(c.errors[0].file == "r.jsonl");
  CHECK(c.errors[2].message.find("sideways") != std::string::npos);
  CHECK(c.errors[3].message.find("probe") != std::string::npos);
  CHECK(c.stats.bad == 9);
  CHECK(c.stats.lines == 12);
  CHECK(c.results[1].ts == *parse_rfc3339("2026-10-01T08:02:00Z"));
}

TEST_CASE("round trip with the JSONL writer") {
  ProbeResult r{"web-01.http", *parse_rfc3339("2026-10-01T08:00:00.125Z"), Status::degraded, 812.25,
                "latency \"high\"\n", "dc1", {{"dns_ms", 1.5}, {"http_status", 200}}};
  const auto c = read_text(format_result_line(r));
  REQUIRE(c.results.size() == 1);
  CHECK(c.results[0] == r);
  std::string err;
  auto one = parse_result_line(format_result_line(r).substr(0, format_result_line(r).size() - 1), err);
  REQUIRE(one);
  CHECK(*one == r);
  CHECK_FALSE(parse_result_line("{}", err));
  CHECK(err.find("missing") != std::string::npos);
}

TEST_CASE("files are streamed in chunks: many lines and a line across chunk borders") {
  const auto path = std::filesystem::temp_directory_path() / ("slamon_reader_test_" + std::to_string(::getpid()) + ".jsonl");
  std::string text;
  const int n = 200'000;  // about 14 MB: more than one 8 MiB chunk
  for (int i = 0; i < n; ++i) {
    ProbeResult r{"probe-" + std::to_string(i % 7), static_cast<TimeMs>(i) * 1000, Status::up, 1.0 * i, "", "", {}};
    append_result_line(text, r);
    if (i == 123'456) text += "garbage line\n";
  }
  {
    std::ofstream f(path, std::ios::binary);
    f << text;
  }
  std::size_t count = 0;
  TimeMs last = -1;
  bool ordered = true;
  std::vector<Diagnostic> errors;
  std::string error;
  const auto stats = read_results_file(
      path.string(),
      [&](ProbeResult&& r) {
        ordered = ordered && r.ts > last;
        last = r.ts;
        ++count;
      },
      [&](Diagnostic&& d) { errors.push_back(std::move(d)); }, error);
  std::filesystem::remove(path);
  REQUIRE(stats);
  CHECK(count == static_cast<std::size_t>(n));
  CHECK(ordered);
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].line == 123'458);
  CHECK(stats->lines == static_cast<std::size_t>(n + 1));
  CHECK_FALSE(read_results_file("/nonexistent/file.jsonl", [](ProbeResult&&) {}, [](Diagnostic&&) {}, error));
  CHECK(error.find("/nonexistent/file.jsonl") != std::string::npos);
}

}  // namespace slamon
