// The results JSONL reader: a reused simdjson DOM parser over lines inside a padded chunk buffer, a
// line splitter that skips over-long lines without holding them, and the copy that lets an input
// that cannot seek be read twice.
#include "common/results_reader.h"

#include <fcntl.h>
#include <simdjson.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <new>
#include <vector>

#include "common/catalogue/measurements.h"

namespace slamon {
namespace {

// Measurements may not be negative, but those the measurement table says may be (cert_days_left:
// an expired certificate); a metric the table does not know may not be either.
bool may_be_negative(std::string_view metric) {
  const auto* m = catalogue::find_measurement(metric);
  return m != nullptr && m->may_be_negative;
}

// The first key present twice, if any (JSON names SHOULD be unique; simdjson keeps every copy).
std::optional<std::string_view> duplicate_key(std::vector<std::string_view>& keys) {
  std::sort(keys.begin(), keys.end());
  const auto it = std::adjacent_find(keys.begin(), keys.end());
  if (it == keys.end()) return std::nullopt;
  return *it;
}

// One DOM parser, reused from line to line (runtime-dispatched SIMD kernels; On Demand would be
// bound to the compile-time target, which is the slow fallback without -march flags). Its capacity
// grows to the longest line parsed, at most kMaxResultLineBytes.
class LineParser {
 public:
  // `line` must be readable up to line.data() + line.size() + SIMDJSON_PADDING.
  std::optional<ResultsLine> parse(std::string_view line, std::string& error);

 private:
  simdjson::dom::parser parser_{kMaxResultLineBytes};
  std::vector<std::string_view> keys_;
  std::vector<std::string_view> metric_keys_;
};

std::optional<ResultsLine> LineParser::parse(std::string_view line, std::string& error) {
  auto fail = [&](std::string msg) -> std::optional<ResultsLine> {
    error = std::move(msg);
    return std::nullopt;
  };
  if (line.size() > kMaxResultLineBytes)
    return fail("line of " + std::to_string(line.size()) + " bytes: longer than the limit of " +
                std::to_string(kMaxResultLineBytes) + " bytes");
  simdjson::dom::element doc;
  if (auto e = parser_.parse(line.data(), line.size(), false).get(doc)) {
    if (e == simdjson::MEMALLOC) throw std::bad_alloc();
    return fail(std::string("invalid JSON: ") + simdjson::error_message(e));
  }
  simdjson::dom::object obj;
  if (doc.get_object().get(obj)) return fail("not a JSON object");
  ProbeResult r;
  bool has_probe = false, has_ts = false, has_status = false;
  std::optional<TimeMs> gap_until;
  keys_.clear();
  for (const auto field : obj) {
    const std::string_view key = field.key;
    const simdjson::dom::element v = field.value;
    keys_.push_back(key);
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
    } else if (key == "gap_until") {
      std::string_view s;
      if (v.get_string().get(s)) return fail("'gap_until' must be a string");
      auto t = parse_rfc3339(s);
      if (!t) return fail("'gap_until' is not an RFC 3339 timestamp with an offset: '" + std::string(s) + "'");
      gap_until = *t;
    } else if (key == "latency_ms") {
      if (v.is_null()) {
        r.latency_ms.reset();
        continue;
      }
      double d;
      if (v.get_double().get(d)) return fail("'latency_ms' must be a number");
      if (!std::isfinite(d) || d < 0) return fail("'latency_ms' must be a finite number >= 0");
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
      metric_keys_.clear();
      for (const auto mf : m) {
        const std::string_view name = mf.key;
        metric_keys_.push_back(name);
        double d;
        if (mf.value.get_double().get(d)) return fail("metric '" + std::string(name) + "' must be a number");
        if (!std::isfinite(d)) return fail("metric '" + std::string(name) + "' must be a finite number");
        if (d < 0 && !may_be_negative(name)) return fail("metric '" + std::string(name) + "' must be >= 0");
        r.metrics.push_back(Metric{std::string(name), d});
      }
      if (const auto dup = duplicate_key(metric_keys_))
        return fail("metric '" + std::string(*dup) + "' appears twice");
    }
    // Other keys: ignored, so that keys may be added to the format.
  }
  if (const auto dup = duplicate_key(keys_)) return fail("key '" + std::string(*dup) + "' appears twice");
  if (!has_probe) return fail("missing 'probe'");
  if (!has_ts) return fail("missing 'ts'");
  if (!has_status) return fail("missing 'status'");
  if (!gap_until) return ResultsLine(std::move(r));
  // A gap record (docs/report.md, "Gap records").
  if (r.status != Status::unknown)
    return fail("a gap record ('gap_until') must have status 'unknown', not '" + std::string(to_string(r.status)) + "'");
  if (*gap_until <= r.ts) return fail("'gap_until' must be after 'ts'");
  ProbeGap g{std::move(r.probe), r.ts, *gap_until, std::move(r.agent), 1};
  for (const auto& m : r.metrics) {
    if (m.name != "dropped") continue;
    if (m.value < 1 || m.value > static_cast<double>(kMaxGapDropped) || m.value != std::floor(m.value))
      return fail("a gap record's metric 'dropped' must be a whole number from 1 to 2^40");
    g.dropped = static_cast<std::uint64_t>(m.value);
  }
  return ResultsLine(std::move(g));
}

bool blank(std::string_view s) {
  for (char c : s)
    if (c != ' ' && c != '\t' && c != '\r') return false;
  return true;
}

// Splits chunks into lines and parses them: complete lines are parsed in place; a line that grows
// past the limit is skipped up to its newline (counted, never held); runs without a valid result
// are bounded. Valid lines are copied to `copy` when given.
class LineReader {
 public:
  LineReader(const std::string& file, const ResultSink& on_result, const DiagnosticSink& on_error,
             const GapSink& on_gap, std::FILE* copy)
      : file_(file), on_result_(on_result), on_error_(on_error), on_gap_(on_gap), copy_(copy) {}

  // Consumes the complete lines of buf[0, len) (readable to len + SIMDJSON_PADDING); `final`: the
  // input ends at len. Returns the bytes consumed; the rest (shorter than the limit) is the start of
  // a line to feed again with what follows.
  std::size_t feed(const char* buf, std::size_t len, bool final);
  bool stopped() const { return !error_.empty(); }
  const std::string& error() const { return error_; }
  const ResultsReadStats& stats() const { return stats_; }
  std::uint64_t copied_bytes() const { return copied_; }

 private:
  void line(std::string_view text);
  void invalid(std::uint64_t line_no, std::string message);
  void without_result(std::uint64_t bytes, std::uint64_t lines);
  void end_skip();

  const std::string& file_;
  const ResultSink& on_result_;
  const DiagnosticSink& on_error_;
  const GapSink& on_gap_;
  std::FILE* copy_;
  LineParser parser_;
  std::string scratch_;
  ResultsReadStats stats_;
  std::uint64_t line_no_ = 0;
  bool skipping_ = false;          // inside a line longer than the limit
  std::uint64_t skip_line_ = 0;
  std::uint64_t skip_bytes_ = 0;
  std::uint64_t run_bytes_ = 0;    // since the last valid result
  std::uint64_t run_lines_ = 0;
  std::uint64_t run_start_ = 1;    // line where the run began
  std::uint64_t copied_ = 0;
  std::string error_;
};

void LineReader::invalid(std::uint64_t line_no, std::string message) {
  ++stats_.bad;
  on_error_(Diagnostic{file_, static_cast<int>(std::min<std::uint64_t>(line_no, INT32_MAX)), 0, "", std::move(message)});
}

void LineReader::without_result(std::uint64_t bytes, std::uint64_t lines) {
  if (run_bytes_ == 0 && run_lines_ == 0) run_start_ = line_no_;
  run_bytes_ += bytes;
  run_lines_ += lines;
  if (stopped()) return;
  if (run_bytes_ < kMaxBytesWithoutResult && run_lines_ < kMaxLinesWithoutResult) return;
  const std::string what = run_bytes_ >= kMaxBytesWithoutResult
                               ? std::to_string(kMaxBytesWithoutResult >> 30) + " GiB"
                               : std::to_string(kMaxLinesWithoutResult) + " lines";
  error_ = file_ + ":" + std::to_string(line_no_) + ": " + what +
           " in a row without a valid result (from line " + std::to_string(run_start_) +
           "): not a results file, giving up";
}

void LineReader::end_skip() {
  skipping_ = false;
  invalid(skip_line_, "line of " + std::to_string(skip_bytes_) + " bytes: longer than the limit of " +
                          std::to_string(kMaxResultLineBytes) + " bytes");
}

void LineReader::line(std::string_view text) {
  ++line_no_;
  ++stats_.lines;
  const std::uint64_t bytes = text.size() + 1;
  if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
  if (blank(text)) {
    without_result(bytes, 1);
    return;
  }
  auto r = parser_.parse(text, scratch_);
  if (r && std::holds_alternative<ProbeGap>(*r) && !on_gap_) {
    r.reset();
    scratch_ = "a gap record ('gap_until') is not accepted here";
  }
  if (!r) {
    invalid(line_no_, scratch_);
    without_result(bytes, 1);
    return;
  }
  run_bytes_ = run_lines_ = 0;
  if (copy_) {
    if (std::fwrite(text.data(), 1, text.size(), copy_) != text.size() || std::fputc('\n', copy_) == EOF) {
      error_ = "cannot write the temporary copy of " + file_ + ": " + std::strerror(errno);
      return;
    }
    copied_ += text.size() + 1;
  }
  if (auto* g = std::get_if<ProbeGap>(&*r)) {
    ++stats_.gaps;
    on_gap_(std::move(*g));
    return;
  }
  ++stats_.results;
  on_result_(std::get<ProbeResult>(std::move(*r)));
}

std::size_t LineReader::feed(const char* buf, std::size_t len, bool final) {
  std::size_t pos = 0;
  if (skipping_) {
    const void* nl = std::memchr(buf, '\n', len);
    const std::size_t end = nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - buf) : len;
    skip_bytes_ += end;
    without_result(nl ? end + 1 : end, 0);
    if (!nl && !final) return len;
    end_skip();
    pos = nl ? end + 1 : end;
  }
  while (pos < len && !stopped()) {
    const void* nl = std::memchr(buf + pos, '\n', len - pos);
    std::size_t end;
    if (nl) {
      end = static_cast<std::size_t>(static_cast<const char*>(nl) - buf);
    } else if (final) {
      end = len;
    } else if (len - pos > kMaxResultLineBytes + 1) {  // (+1: a CR before the newline)
      // Longer than any valid line, and not ended yet: skip it up to its newline.
      skipping_ = true;
      skip_line_ = ++line_no_;
      ++stats_.lines;
      skip_bytes_ = len - pos;
      without_result(len - pos, 1);
      return len;
    } else {
      break;
    }
    line(std::string_view(buf + pos, end - pos));
    pos = nl ? end + 1 : end;
  }
  return pos;
}

// Reads `in` (at most `limit` bytes) through a LineReader.
std::optional<ResultsReadStats> read_stream(std::FILE* in, std::uint64_t limit, const std::string& file,
                                            const ResultSink& on_result, const DiagnosticSink& on_error,
                                            const GapSink& on_gap, std::FILE* copy, std::uint64_t* copied,
                                            std::string& error) {
  constexpr std::size_t kChunk = 8u << 20;
  static_assert(kChunk > 2 * kMaxResultLineBytes, "a chunk holds a kept line start and more");
  std::vector<char> buf(kChunk + simdjson::SIMDJSON_PADDING);
  std::size_t have = 0;
  std::uint64_t total = 0;
  LineReader reader(file, on_result, on_error, on_gap, copy);
  for (;;) {
    const std::size_t room = static_cast<std::size_t>(std::min<std::uint64_t>(kChunk - have, limit - total));
    const std::size_t n = room == 0 ? 0 : std::fread(buf.data() + have, 1, room, in);
    if (n == 0 && room != 0 && std::ferror(in)) {
      error = file + ": read error: " + std::strerror(errno);
      return std::nullopt;
    }
    total += n;
    have += n;
    const bool eof = n == 0;
    std::memset(buf.data() + have, 0, simdjson::SIMDJSON_PADDING);
    const std::size_t used = reader.feed(buf.data(), have, eof);
    if (reader.stopped()) {
      error = reader.error();
      return std::nullopt;
    }
    std::memmove(buf.data(), buf.data() + used, have - used);
    have -= used;
    if (eof) break;
  }
  if (copied) *copied = reader.copied_bytes();
  ResultsReadStats stats = reader.stats();
  stats.bytes = total;
  return stats;
}

// An unlinked temporary file for the copy of an input that cannot seek.
std::FILE* temporary_file(std::string& error) {
  std::error_code ec;
  const std::filesystem::path dir = std::filesystem::temp_directory_path(ec);
  if (ec) {
    error = "cannot create a temporary file (TMPDIR): " + ec.message();
    return nullptr;
  }
  int fd = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0) {
    std::string name = (dir / "slamon-results-XXXXXX").string();
    fd = ::mkostemp(name.data(), O_CLOEXEC);
    if (fd >= 0) ::unlink(name.c_str());
  }
  std::FILE* f = fd < 0 ? nullptr : ::fdopen(fd, "w+b");
  if (!f) {
    error = "cannot create a temporary file in " + dir.string() + ": " + std::strerror(errno);
    if (fd >= 0) ::close(fd);
  }
  return f;
}

}  // namespace

std::optional<ResultsLine> parse_results_line(std::string_view line, std::string& error) {
  LineParser p;
  simdjson::padded_string padded(line);
  return p.parse(std::string_view(padded.data(), line.size()), error);
}

std::optional<ProbeResult> parse_result_line(std::string_view line, std::string& error) {
  auto r = parse_results_line(line, error);
  if (!r) return std::nullopt;
  if (std::holds_alternative<ProbeGap>(*r)) {
    error = "a gap record ('gap_until'), not a result";
    return std::nullopt;
  }
  return std::get<ProbeResult>(std::move(*r));
}

std::optional<ResultsReadStats> read_results_text(std::string_view text, const std::string& file,
                                                  const ResultSink& on_result, const DiagnosticSink& on_error,
                                                  std::string& error, const GapSink& on_gap) {
  simdjson::padded_string padded(text);
  LineReader reader(file, on_result, on_error, on_gap, nullptr);
  reader.feed(padded.data(), text.size(), true);
  if (reader.stopped()) {
    error = reader.error();
    return std::nullopt;
  }
  ResultsReadStats stats = reader.stats();
  stats.bytes = text.size();
  return stats;
}

std::unique_ptr<ResultsInput> ResultsInput::open(const std::string& path, std::string& error) {
  std::FILE* in = std::fopen(path.c_str(), "rb");
  if (!in) {
    error = path + ": " + std::strerror(errno);
    return nullptr;
  }
  struct stat st {};
  if (::fstat(::fileno(in), &st) != 0) {
    error = path + ": " + std::strerror(errno);
    std::fclose(in);
    return nullptr;
  }
  if (S_ISDIR(st.st_mode)) {
    error = path + ": is a directory";
    std::fclose(in);
    return nullptr;
  }
  std::FILE* spool = nullptr;
  if (!S_ISREG(st.st_mode)) {
    spool = temporary_file(error);
    if (!spool) {
      std::fclose(in);
      return nullptr;
    }
  }
  return std::unique_ptr<ResultsInput>(new ResultsInput(path, in, spool));
}

ResultsInput::~ResultsInput() {
  if (in_) std::fclose(in_);
  if (spool_) std::fclose(spool_);
}

std::optional<ResultsReadStats> ResultsInput::read(const ResultSink& on_result, const DiagnosticSink& on_error,
                                                   std::string& error, const GapSink& on_gap) {
  read_once_ = true;
  auto stats = read_stream(in_, UINT64_MAX, path_, on_result, on_error, on_gap, spool_, &spool_bytes_, error);
  if (stats) first_bytes_ = stats->bytes;
  return stats;
}

std::optional<ResultsReadStats> ResultsInput::read_again(const ResultSink& on_result, std::string& error,
                                                         const GapSink& on_gap) {
  if (!read_once_) return read(on_result, [](Diagnostic&&) {}, error, on_gap);
  const DiagnosticSink ignore = [](Diagnostic&&) {};
  if (spool_) {
    if (std::fflush(spool_) != 0) {
      error = "cannot write the temporary copy of " + path_ + ": " + std::strerror(errno);
      return std::nullopt;
    }
    if (std::fseek(spool_, 0, SEEK_SET) != 0) {
      error = "cannot read the temporary copy of " + path_ + ": " + std::strerror(errno);
      return std::nullopt;
    }
    return read_stream(spool_, spool_bytes_, path_, on_result, ignore, on_gap, nullptr, nullptr, error);
  }
  if (std::fseek(in_, 0, SEEK_SET) != 0) {
    error = path_ + ": cannot read it again: " + std::strerror(errno);
    return std::nullopt;
  }
  return read_stream(in_, first_bytes_, path_, on_result, ignore, on_gap, nullptr, nullptr, error);
}

std::optional<ResultsReadStats> read_results_file(const std::string& path, const ResultSink& on_result,
                                                  const DiagnosticSink& on_error, std::string& error,
                                                  const GapSink& on_gap) {
  std::FILE* in = std::fopen(path.c_str(), "rb");
  if (!in) {
    error = path + ": " + std::strerror(errno);
    return std::nullopt;
  }
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> owned(in, &std::fclose);
  return read_stream(in, UINT64_MAX, path, on_result, on_error, on_gap, nullptr, nullptr, error);
}

}  // namespace slamon
