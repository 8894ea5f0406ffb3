// The results JSONL reader: valid lines, bad lines with their numbers, offsets and fractions, files.
#include "common/results_reader.h"

#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>
#include <unistd.h>
#include <vector>

#include "common/results_jsonl.h"

namespace slamon {
namespace {

struct Collected {
  std::vector<ProbeResult> results;
  std::vector<Diagnostic> errors;
  ResultsReadStats stats;
  std::string fatal;  // set when the reader gave up
};

Collected read_text(std::string_view text) {
  Collected c;
  const auto stats = read_results_text(
      text, "r.jsonl", [&](ProbeResult&& r) { c.results.push_back(std::move(r)); },
      [&](Diagnostic&& d) { c.errors.push_back(std::move(d)); }, c.fatal);
  if (stats) c.stats = *stats;
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

namespace slamon {
namespace {

const char* const kValid = R"({"probe":"p","ts":"2026-10-01T08:00:00Z","status":"up"})";

std::vector<int> error_lines(const Collected& c) {
  std::vector<int> lines;
  for (const auto& d : c.errors) lines.push_back(d.line);
  return lines;
}

// Writes `text` to a temporary file and streams it with read_results_file.
Collected read_via_file(const std::string& text) {
  const auto path =
      std::filesystem::temp_directory_path() / ("slamon_reader_test_" + std::to_string(::getpid()) + "_f.jsonl");
  {
    std::ofstream f(path, std::ios::binary);
    f << text;
  }
  Collected c;
  const auto stats = read_results_file(
      path.string(), [&](ProbeResult&& r) { c.results.push_back(std::move(r)); },
      [&](Diagnostic&& d) { c.errors.push_back(std::move(d)); }, c.fatal);
  std::filesystem::remove(path);
  if (stats) c.stats = *stats;
  return c;
}

}  // namespace

TEST_CASE("a negative or non-finite latency_ms or metric makes the line invalid; cert_days_left may be negative") {
  const std::string text = std::string(kValid) + "\n" +
                           R"({"probe":"p","ts":"2026-10-01T08:01:00Z","status":"up","latency_ms":-1})" "\n"
                           R"({"probe":"p","ts":"2026-10-01T08:02:00Z","status":"up","latency_ms":-0.001})" "\n"
                           R"({"probe":"p","ts":"2026-10-01T08:03:00Z","status":"up","latency_ms":1e400})" "\n"
                           R"({"probe":"p","ts":"2026-10-01T08:04:00Z","status":"up","metrics":{"dns_ms":-2}})" "\n"
                           R"({"probe":"p","ts":"2026-10-01T08:05:00Z","status":"up","metrics":{"loss_percent":-1e-9}})" "\n"
                           R"({"probe":"p","ts":"2026-10-01T08:06:00Z","status":"up","metrics":{"x":-1e999}})" "\n"
                           R"({"probe":"p","ts":"2026-10-01T08:07:00Z","status":"up","latency_ms":0,"metrics":{"cert_days_left":-3.5}})" "\n"
                           R"({"probe":"p","ts":"2026-10-01T08:08:00Z","status":"up","latency_ms":-0.0})" "\n";
  const auto c = read_text(text);
  CHECK(error_lines(c) == std::vector<int>{2, 3, 4, 5, 6, 7});
  REQUIRE(c.results.size() == 3);
  CHECK(c.results[1].metrics == std::vector<Metric>{{"cert_days_left", -3.5}});
  CHECK(c.errors[0].message.find("latency_ms") != std::string::npos);
  CHECK(c.errors[3].message.find("dns_ms") != std::string::npos);
  std::string err;
  CHECK_FALSE(parse_result_line(R"({"probe":"p","ts":"2026-10-01T08:00:00Z","status":"up","latency_ms":-5})", err));
}

TEST_CASE("a key given twice makes the line invalid (top level and metrics)") {
  const std::string text =
      std::string(kValid) + "\n" +
      R"({"probe":"p","ts":"2026-10-01T08:01:00Z","status":"up","status":"down"})" "\n"
      R"({"probe":"p","ts":"2026-10-01T08:02:00Z","status":"down","latency_ms":1,"latency_ms":2})" "\n"
      R"({"probe":"p","probe":"q","ts":"2026-10-01T08:03:00Z","status":"up"})" "\n"
      R"({"probe":"p","ts":"2026-10-01T08:04:00Z","status":"up","metrics":{"dns_ms":1,"dns_ms":2}})" "\n"
      R"({"probe":"p","ts":"2026-10-01T08:05:00Z","status":"up","future":1,"future":2})" "\n"
      R"({"probe":"p","ts":"2026-10-01T08:06:00Z","status":"up","metrics":{"a":1},"x":{"a":1,"a":2}})" "\n";
  const auto c = read_text(text);
  CHECK(error_lines(c) == std::vector<int>{2, 3, 4, 5, 6});
  REQUIRE(c.results.size() == 2);  // a repeated key inside an unknown key's value is not the format's business
  CHECK(c.errors[0].message.find("'status' appears twice") != std::string::npos);
  CHECK(c.errors[3].message.find("'dns_ms' appears twice") != std::string::npos);
}

TEST_CASE("a line longer than 1 MiB is invalid and skipped, in a file and in text; a 1 MiB line is read") {
  // A valid result of exactly the limit, and a 2 MiB one that would be valid but for its length.
  const std::string head = R"({"probe":"p","ts":"2026-10-01T08:01:00Z","status":"up","message":")";
  const std::string at_limit = head + std::string(kMaxResultLineBytes - head.size() - 2, 'm') + "\"}";
  REQUIRE(at_limit.size() == kMaxResultLineBytes);
  const std::string two_mib = head + std::string(2 * kMaxResultLineBytes, 'm') + "\"}";
  const std::string text = std::string(kValid) + "\n" + at_limit + "\n" + two_mib + "\r\n" +
                           R"({"probe":"p","ts":"2026-10-01T08:03:00Z","status":"down"})" "\n" +
                           std::string(3 * kMaxResultLineBytes, '\0');  // and a last line of NULs, no newline
  for (const auto& c : {read_text(text), read_via_file(text)}) {
    CHECK(c.fatal.empty());
    CHECK(c.results.size() == 3);
    CHECK(error_lines(c) == std::vector<int>{3, 5});
    REQUIRE(c.errors.size() == 2);
    CHECK(c.errors[0].message.find("longer than the limit of 1048576 bytes") != std::string::npos);
    CHECK(c.stats.lines == 5);
    CHECK(c.stats.bad == 2);
    CHECK(c.stats.bytes == text.size());
  }
}

TEST_CASE("an over-long line spanning many chunks is skipped up to its newline, and reading resumes") {
  std::string text = std::string(kValid) + "\n";
  text += std::string(20u << 20, 'x');  // 20 MiB: several 8 MiB chunks
  text += "\n";
  text += R"({"probe":"p","ts":"2026-10-01T08:03:00Z","status":"down"})" "\n";
  const auto c = read_via_file(text);
  CHECK(c.results.size() == 2);
  REQUIRE(c.errors.size() == 1);
  CHECK(c.errors[0].line == 2);
  CHECK(c.errors[0].message.find("line of 20971520 bytes") != std::string::npos);
  CHECK(c.stats.lines == 3);
}

TEST_CASE("the reader gives up on a million lines in a row without a valid result, not on fewer") {
  std::string text;
  for (int i = 0; i < 999'999; ++i) text += "x\n";
  text += std::string(kValid) + "\n";
  auto c = read_text(text);
  CHECK(c.fatal.empty());
  CHECK(c.results.size() == 1);
  CHECK(c.errors.size() == 999'999);
  text += "\n";  // one more line without a result: 1,000,000 in a row... after the valid one only 1
  c = read_text(text);
  CHECK(c.fatal.empty());
  std::string garbage;
  for (int i = 0; i < 1'000'000; ++i) garbage += i % 2 ? "\n" : "y\n";  // blank lines count too
  c = read_text(garbage + kValid + "\n");
  CHECK(c.fatal.find("r.jsonl:1000000: 1000000 lines in a row without a valid result (from line 1)") !=
        std::string::npos);
  CHECK(c.results.empty());
}

TEST_CASE("a pipe is read a second time with the same results (copied while it is read)") {
  std::string text;
  for (int i = 0; i < 50'000; ++i) {
    ProbeResult r{"probe-" + std::to_string(i % 3), static_cast<TimeMs>((i * 7919) % 50'000) * 1000, Status::up,
                  1.0 * i, "", "", {}};
    append_result_line(text, r);
    if (i == 10) text += "garbage line\n";
  }
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  std::thread writer([&] {
    std::size_t off = 0;
    while (off < text.size()) {
      const auto n = ::write(fds[1], text.data() + off, text.size() - off);
      if (n <= 0) break;
      off += static_cast<std::size_t>(n);
    }
    ::close(fds[1]);
  });
  std::string error;
  auto input = ResultsInput::open("/dev/fd/" + std::to_string(fds[0]), error);
  ::close(fds[0]);  // the input holds its own descriptor
  REQUIRE(input);
  CHECK(input->copied());
  std::vector<ProbeResult> first, second;
  std::vector<Diagnostic> errors;
  const auto s1 = input->read([&](ProbeResult&& r) { first.push_back(std::move(r)); },
                              [&](Diagnostic&& d) { errors.push_back(std::move(d)); }, error);
  writer.join();
  REQUIRE(s1);
  const auto s2 = input->read_again([&](ProbeResult&& r) { second.push_back(std::move(r)); }, error);
  REQUIRE(s2);
  CHECK(first.size() == 50'000);
  CHECK(errors.size() == 1);
  CHECK(first == second);
  const auto s3 = input->read_again([&](ProbeResult&&) {}, error);  // and again
  REQUIRE(s3);
  CHECK(s3->results == 50'000);
}

TEST_CASE("a regular file is read again up to the bytes of the first read, even if it grew") {
  const auto path =
      std::filesystem::temp_directory_path() / ("slamon_reader_test_" + std::to_string(::getpid()) + "_g.jsonl");
  {
    std::ofstream f(path, std::ios::binary);
    f << kValid << "\n";
  }
  std::string error;
  auto input = ResultsInput::open(path.string(), error);
  REQUIRE(input);
  CHECK_FALSE(input->copied());
  std::size_t n1 = 0, n2 = 0;
  REQUIRE(input->read([&](ProbeResult&&) { ++n1; }, [](Diagnostic&&) {}, error));
  {
    std::ofstream f(path, std::ios::binary | std::ios::app);
    f << kValid << "\n";
  }
  REQUIRE(input->read_again([&](ProbeResult&&) { ++n2; }, error));
  std::filesystem::remove(path);
  CHECK(n1 == 1);
  CHECK(n2 == 1);
  CHECK_FALSE(ResultsInput::open(std::filesystem::temp_directory_path().string(), error));
  CHECK(error.find("is a directory") != std::string::npos);
}

}  // namespace slamon

// Gap records: slamon's extension of the results JSONL (docs/report.md, "Gap records").
namespace slamon {

TEST_CASE("a gap line round-trips through its writer and the reader, apart from results") {
  const ProbeGap g{"web-01.http", 1'790'000'000'000, 1'790'000'600'000, "dc1", 120};
  const std::string line = format_gap_line(g);
  CHECK(line ==
        R"({"probe":"web-01.http","ts":"2026-09-21T14:13:20Z","status":"unknown","gap_until":"2026-09-21T14:23:20Z","agent":"dc1","message":"agent dc1's spool was full: 120 results dropped","metrics":{"dropped":120}})"
        "\n");
  std::vector<ProbeGap> gaps;
  std::vector<ProbeResult> results;
  std::vector<Diagnostic> errors;
  std::string fatal;
  const std::string text = line + format_result_line(ProbeResult{"web-01.http", 1'790'000'700'000, Status::up, 1.5, "", "dc1", {}});
  const auto stats = read_results_text(
      text, "r.jsonl", [&](ProbeResult&& r) { results.push_back(std::move(r)); },
      [&](Diagnostic&& d) { errors.push_back(std::move(d)); }, fatal, [&](ProbeGap&& x) { gaps.push_back(std::move(x)); });
  REQUIRE(stats);
  CHECK(stats->gaps == 1);
  CHECK(stats->results == 1);
  CHECK(errors.empty());
  CHECK(gaps == std::vector<ProbeGap>{g});
  CHECK(results.size() == 1);
  // Without an agent; one result dropped.
  const ProbeGap anon{"p", 0, 1, "", 1};
  CHECK(format_gap_line(anon).find(R"("message":"the agent's spool was full: 1 result dropped")") != std::string::npos);
  std::string err;
  const auto back = parse_results_line(std::string_view(format_gap_line(anon)).substr(0, format_gap_line(anon).size() - 1), err);
  REQUIRE(back);
  CHECK(std::get<ProbeGap>(*back) == anon);
  // parse_result_line (results only) refuses it and says why.
  CHECK_FALSE(parse_result_line(R"({"probe":"p","ts":"2026-10-01T08:00:00Z","status":"unknown","gap_until":"2026-10-01T09:00:00Z"})", err));
  CHECK(err.find("gap record") != std::string::npos);
}

TEST_CASE("invalid gap lines are reported with their reason") {
  auto why = [](std::string_view line) {
    std::string err;
    CHECK_FALSE(parse_results_line(line, err));
    return err;
  };
  CHECK(why(R"({"probe":"p","ts":"2026-10-01T08:00:00Z","status":"down","gap_until":"2026-10-01T09:00:00Z"})") ==
        "a gap record ('gap_until') must have status 'unknown', not 'down'");
  CHECK(why(R"({"probe":"p","ts":"2026-10-01T08:00:00Z","status":"unknown","gap_until":"2026-10-01T08:00:00Z"})") ==
        "'gap_until' must be after 'ts'");
  CHECK(why(R"({"probe":"p","ts":"2026-10-01T08:00:00Z","status":"unknown","gap_until":"tomorrow"})") ==
        "'gap_until' is not an RFC 3339 timestamp with an offset: 'tomorrow'");
  CHECK(why(R"({"probe":"p","ts":"2026-10-01T08:00:00Z","status":"unknown","gap_until":5})") == "'gap_until' must be a string");
  CHECK(why(R"({"probe":"p","ts":"2026-10-01T08:00:00Z","status":"unknown","gap_until":"2026-10-01T09:00:00Z","metrics":{"dropped":1.5}})") ==
        "a gap record's metric 'dropped' must be a whole number from 1 to 2^40");
  CHECK(why(R"({"probe":"p","ts":"2026-10-01T08:00:00Z","status":"unknown","gap_until":"2026-10-01T09:00:00Z","metrics":{"dropped":0}})") ==
        "a gap record's metric 'dropped' must be a whole number from 1 to 2^40");
  // Without metrics: one result dropped.
  std::string err;
  const auto one = parse_results_line(R"({"probe":"p","ts":"2026-10-01T08:00:00Z","status":"unknown","gap_until":"2026-10-01T09:00:00Z"})", err);
  REQUIRE(one);
  CHECK(std::get<ProbeGap>(*one).dropped == 1);
  // A reader without a gap sink reports gap lines as invalid lines (never as results).
  std::vector<Diagnostic> errors;
  std::string fatal;
  std::size_t results = 0;
  read_results_text(R"({"probe":"p","ts":"2026-10-01T08:00:00Z","status":"unknown","gap_until":"2026-10-01T09:00:00Z"})",
                    "r.jsonl", [&](ProbeResult&&) { ++results; }, [&](Diagnostic&& d) { errors.push_back(std::move(d)); }, fatal);
  CHECK(results == 0);
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].line == 1);
  CHECK(errors[0].message == "a gap record ('gap_until') is not accepted here");
}

}  // namespace slamon
