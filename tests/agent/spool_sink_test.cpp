// Tests for agent/spool_sink.h on a real spool: results reach the spool only at flush, in one commit,
// and the results log gets exactly what the spool committed, after the commit; the uplink hears of
// each commit; a spool that cannot be written (a file size limit: EFBIG, as a full disk) keeps the
// results in memory within the bound and commits them once it can; the limits' drops are counted,
// logged and reported to the uplink as a gap's numbers.
#include "agent/spool_sink.h"

#include <doctest/doctest.h>
#include <signal.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <fstream>
#include <sstream>

#include "common/results_jsonl.h"
#include "tests/temp_dir.h"

using namespace slamon;
using namespace slamon::agent;
using slamon::test::TempDir;

namespace {

class ManualClock final : public Clock {
 public:
  TimeMs now = 1'700'000'000'000;
  TimeMs now_ms() const override { return now; }
  std::int64_t steady_ns() const override { return now * 1'000'000; }
};

ProbeResult result(int i, TimeMs ts, const std::string& probe = "web.http") {
  ProbeResult r;
  r.probe = probe;
  r.ts = ts;
  r.status = i % 2 == 0 ? Status::up : Status::down;
  r.latency_ms = 1.25 * i;
  r.message = i % 2 == 0 ? "" : "connection refused";
  r.agent = "a1";
  return r;
}

std::vector<std::string> lines_of(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> out;
  for (std::string l; std::getline(in, l);) out.push_back(l + "\n");
  return out;
}

struct CapturedLog {
  std::ostringstream text;
  std::shared_ptr<spdlog::logger> log =
      std::make_shared<spdlog::logger>("spool", std::make_shared<spdlog::sinks::ostream_sink_st>(text));
};

// Limits the size of files this process writes (writes past it fail with EFBIG) while it lives.
struct FileSizeLimit {
  rlimit old{};
  explicit FileSizeLimit(rlim_t bytes) {
    ::signal(SIGXFSZ, SIG_IGN);
    ::getrlimit(RLIMIT_FSIZE, &old);
    rlimit l = old;
    l.rlim_cur = bytes;
    ::setrlimit(RLIMIT_FSIZE, &l);
  }
  ~FileSizeLimit() { ::setrlimit(RLIMIT_FSIZE, &old); }
};

}  // namespace

TEST_CASE("spool sink: a flush commits to the spool, then writes the same results to the results log, then tells the uplink") {
  TempDir d;
  ManualClock clock;
  Spool spool(d.file("spool.db"), clock);
  JsonlFileSink results_log(d.file("results.jsonl"));
  int commits = 0;
  SpoolSink sink(spool, clock, nullptr, "a1", &results_log, {[&] { ++commits; }, {}});
  for (int i = 0; i < 5; ++i) sink.write(result(i, clock.now + i));
  CHECK(spool.state().entries == 0);  // nothing before the flush
  CHECK(lines_of(d.file("results.jsonl")).empty());
  CHECK(commits == 0);
  sink.flush();
  CHECK(commits == 1);
  CHECK(sink.committed() == 5);
  CHECK(spool.state().last_seq == 5);
  // The log holds exactly what the spool holds, in its order.
  const auto batch = spool.read(1, 100);
  REQUIRE(batch.entries.size() == 5);
  std::vector<std::string> expected;
  for (const auto& e : batch.entries) {
    auto r = std::get<ProbeResult>(e);
    r.agent = "a1";  // the wire carries no agent: the log names it
    expected.push_back(format_result_line(r));
  }
  CHECK(lines_of(d.file("results.jsonl")) == expected);
  sink.flush();  // nothing new: no commit, no signal
  CHECK(commits == 1);
}

TEST_CASE("spool sink: a spool that cannot be written keeps results in memory within the bound, logs the file and the reason, and commits later") {
  TempDir d;
  ManualClock clock;
  Spool spool(d.file("spool.db"), clock);
  JsonlFileSink results_log(d.file("results.jsonl"));
  CapturedLog cap;
  int commits = 0;
  SpoolSinkOptions o;
  o.max_unwritten_bytes = 20 * (sizeof(ProbeResult) + 64);
  SpoolSink sink(spool, clock, cap.log, "a1", &results_log, {[&] { ++commits; }, {}}, o);
  sink.flush();  // the first limits check happens now, not under the file limit below
  {
    const FileSizeLimit limit(1);
    for (int i = 0; i < 10; ++i) sink.write(result(i, clock.now + i));
    sink.flush();
    CHECK(sink.committed() == 0);
    CHECK(sink.unwritten() == 10);
    CHECK_FALSE(sink.last_error().empty());
    for (int i = 10; i < 100; ++i) sink.write(result(i, clock.now + i));
    sink.flush();
  }
  CHECK(sink.dropped() > 0);
  CHECK(sink.unwritten() + sink.dropped() == 100);
  CHECK(cap.text.str().find(std::string("a1: cannot commit 10 results to the spool ") + d.file("spool.db")) != std::string::npos);
  CHECK(lines_of(d.file("results.jsonl")).empty());  // nothing logged that the spool does not hold
  CHECK(commits == 0);
  const auto kept = sink.unwritten();
  sink.flush();
  CHECK(sink.last_error().empty());
  CHECK(sink.committed() == kept);
  CHECK(spool.state().entries == kept);
  CHECK(lines_of(d.file("results.jsonl")).size() == kept);
  CHECK(commits == 1);
  CHECK(cap.text.str().find("can be written again") != std::string::npos);
  // The newest were kept, the oldest dropped.
  const auto b = spool.read(1, 1000);
  CHECK(std::get<ProbeResult>(b.entries.back()).ts == clock.now + 99);
}

TEST_CASE("spool sink: the spool's age limit turns the oldest results into a gap, logged with probes and time range, reported with its numbers") {
  TempDir d;
  ManualClock clock;
  SpoolOptions so;
  so.max_age_ms = 3'600'000;
  Spool spool(d.file("spool.db"), clock, so);
  CapturedLog cap;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> drops;
  SpoolSink sink(spool, clock, cap.log, "a1", nullptr,
                 {{}, [&](std::uint64_t f, std::uint64_t l) { drops.emplace_back(f, l); }});
  for (int i = 0; i < 4; ++i) sink.write(result(i, clock.now + i, i % 2 ? "db.tcp" : "web.http"));
  sink.flush();
  clock.now += 30 * 60'000;  // 30 minutes: below the age limit, and the check is due
  sink.write(result(9, clock.now));
  sink.flush();
  CHECK(drops.empty());
  CHECK(sink.replaced_by_gaps() == 0);
  clock.now += 31 * 60'000;  // the first four are over an hour old now
  sink.flush();
  REQUIRE(drops.size() == 1);
  CHECK(drops[0] == std::make_pair<std::uint64_t, std::uint64_t>(1, 4));
  CHECK(sink.replaced_by_gaps() == 4);
  const auto logged = cap.text.str();
  CHECK(logged.find("dropped the 4 oldest results of 2 probes (db.tcp, web.http)") != std::string::npos);
  CHECK(logged.find("numbers 1..4") != std::string::npos);
  CHECK(logged.find(format_rfc3339(1'700'000'000'000)) != std::string::npos);
  const auto b = spool.read(1, 10);
  REQUIRE(b.entries.size() == 2);
  CHECK(std::get<wire::GapRecord>(b.entries[0]).dropped == 4);
}
