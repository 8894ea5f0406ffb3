// The results JSONL reader: a reused simdjson DOM parser over lines inside a padded chunk buffer.
#include "common/results_reader.h"

#include <simdjson.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>

namespace slamon {
namespace {

// One DOM parser, reused from line to line (runtime-dispatched SIMD kernels; On Demand would be
// bound to the compile-time target, which is the slow fallback without -march flags).
class LineParser {
 public:
  // `line` must be readable up to line.data() + capacity (capacity >= size + SIMDJSON_PADDING).
  std::optional<ProbeResult> parse(std::string_view line, std::size_t capacity, std::string& error);

 private:
  simdjson::dom::parser parser_;
};

const char* describe(simdjson::error_code e) { return simdjson::error_message(e); }

std::optional<ProbeResult> LineParser::parse(std::string_view line, std::size_t capacity, std::string& error) {
  auto fail = [&](std::string msg) -> std::optional<ProbeResult> {
    error = std::move(msg);
    return std::nullopt;
  };
  (void)capacity;
  simdjson::dom::element doc;
  if (auto e = parser_.parse(line.data(), line.size(), false).get(doc))
    return fail(std::string("invalid JSON: ") + describe(e));
  simdjson::dom::object obj;
  if (doc.get_object().get(obj)) return fail("not a JSON object");
  ProbeResult r;
  bool has_probe = false, has_ts = false, has_status = false;
  for (const auto field : obj) {
    const std::string_view key = field.key;
    const simdjson::dom::element v = field.value;
    if (key == "probe") {
      std::string_view s;
      if (v.get_string().get(s)) return fail("'probe' must be a string");
      if (s.empty()) return fail("'probe' is empty");
      r.probe.assign(s);
      has_probe = true;
    } else if (key == "ts") {
      std::string_view s;
      if (v.get_string().get(s)) return fail("'ts' must be a string");
      auto t = parse_rfc3339(s);
      if (!t) return fail("'ts' is not an RFC 3339 timestamp with an offset: '" + std::string(s) + "'");
      r.ts = *t;
      has_ts = true;
    } else if (key == "status") {
      std::string_view s;
      if (v.get_string().get(s)) return fail("'status' must be a string");
      auto st = parse_status(s);
      if (!st) return fail("'status' must be up, degraded, down or unknown, not '" + std::string(s) + "'");
      r.status = *st;
      has_status = true;
    } else if (key == "latency_ms") {
      if (v.is_null()) {
        r.latency_ms.reset();
        continue;
      }
      double d;
      if (v.get_double().get(d)) return fail("'latency_ms' must be a number");
      r.latency_ms = d;
    } else if (key == "message") {
      std::string_view s;
      if (v.get_string().get(s)) return fail("'message' must be a string");
      r.message.assign(s);
    } else if (key == "agent") {
      std::string_view s;
      if (v.get_string().get(s)) return fail("'agent' must be a string");
      r.agent.assign(s);
    } else if (key == "metrics") {
      simdjson::dom::object m;
      if (v.get_object().get(m)) return fail("'metrics' must be an object of numbers");
      r.metrics.clear();
      for (const auto mf : m) {
        double d;
        if (mf.value.get_double().get(d)) return fail("metric '" + std::string(mf.key) + "' must be a number");
        r.metrics.push_back(Metric{std::string(mf.key), d});
      }
    }
    // Other keys: ignored, so that keys may be added to the format.
  }
  if (!has_probe) return fail("missing 'probe'");
  if (!has_ts) return fail("missing 'ts'");
  if (!has_status) return fail("missing 'status'");
  return r;
}

bool blank(std::string_view s) {
  for (char c : s)
    if (c != ' ' && c != '\t' && c != '\r') return false;
  return true;
}

// Feeds the complete lines of buf[0, len) (buf readable to len + padding); returns bytes consumed.
std::size_t feed_lines(LineParser& p, const char* buf, std::size_t len, std::size_t capacity, bool final_chunk,
                       std::size_t& line_no, const std::string& file, ResultsReadStats& stats,
                       const ResultSink& on_result, const DiagnosticSink& on_error) {
  std::size_t pos = 0;
  std::string error;
  while (pos < len) {
    const void* nl = std::memchr(buf + pos, '\n', len - pos);
    std::size_t end;
    if (nl) end = static_cast<std::size_t>(static_cast<const char*>(nl) - buf);
    else if (final_chunk) end = len;
    else break;
    std::string_view line(buf + pos, end - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    ++line_no;
    ++stats.lines;
    if (!blank(line)) {
      auto r = p.parse(line, capacity - pos, error);
      if (r) {
        ++stats.results;
        on_result(std::move(*r));
      } else {
        ++stats.bad;
        on_error(Diagnostic{file, static_cast<int>(line_no), 0, "", error});
      }
    }
    pos = nl ? end + 1 : end;
  }
  return pos;
}

}  // namespace

std::optional<ProbeResult> parse_result_line(std::string_view line, std::string& error) {
  LineParser p;
  simdjson::padded_string padded(line);
  return p.parse(std::string_view(padded.data(), line.size()), line.size() + simdjson::SIMDJSON_PADDING, error);
}

ResultsReadStats read_results_text(std::string_view text, const std::string& file, const ResultSink& on_result,
                                   const DiagnosticSink& on_error) {
  LineParser p;
  simdjson::padded_string padded(text);
  ResultsReadStats stats;
  std::size_t line_no = 0;
  feed_lines(p, padded.data(), text.size(), text.size() + simdjson::SIMDJSON_PADDING, true, line_no, file, stats,
             on_result, on_error);
  return stats;
}

std::optional<ResultsReadStats> read_results_file(const std::string& path, const ResultSink& on_result,
                                                  const DiagnosticSink& on_error, std::string& error) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!f) {
    error = path + ": " + std::strerror(errno);
    return std::nullopt;
  }
  constexpr std::size_t kChunk = 8u << 20;
  std::vector<char> buf(kChunk + simdjson::SIMDJSON_PADDING);
  std::size_t have = 0;
  std::size_t line_no = 0;
  ResultsReadStats stats;
  LineParser p;
  for (;;) {
    if (have == buf.size() - simdjson::SIMDJSON_PADDING) {
      // A single line longer than the buffer: grow (bounded by the line's length).
      buf.resize(buf.size() * 2);
    }
    const std::size_t room = buf.size() - simdjson::SIMDJSON_PADDING - have;
    const std::size_t n = std::fread(buf.data() + have, 1, room, f.get());
    if (n == 0 && std::ferror(f.get())) {
      error = path + ": read error";
      return std::nullopt;
    }
    have += n;
    const bool eof = n == 0;
    std::memset(buf.data() + have, 0, simdjson::SIMDJSON_PADDING);
    const std::size_t used = feed_lines(p, buf.data(), have, buf.size(), eof, line_no, path, stats, on_result, on_error);
    std::memmove(buf.data(), buf.data() + used, have - used);
    have -= used;
    if (eof) break;
  }
  return stats;
}

}  // namespace slamon
