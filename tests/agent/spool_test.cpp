// Tests for agent/spool.h on real SQLite files: numbering, batches, acknowledgements, a new epoch,
// the age and size limits turning the oldest results into one gap that keeps the numbering whole,
// a corrupt or truncated file moved aside, and committed results surviving kill -9.
#include "agent/spool.h"

#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "tests/temp_dir.h"

using namespace slamon;
using slamon::agent::Spool;
using slamon::agent::SpoolOptions;

using slamon::test::TempDir;

namespace {

class ManualClock final : public Clock {
 public:
  TimeMs now = 1'700'000'000'000;
  TimeMs now_ms() const override { return now; }
  std::int64_t steady_ns() const override { return now * 1'000'000; }
};

std::vector<ProbeResult> results(std::size_t n, TimeMs ts0, const char* probe = "web.http") {
  std::vector<ProbeResult> out;
  for (std::size_t i = 0; i < n; ++i) {
    ProbeResult r;
    r.probe = probe;
    r.ts = ts0 + static_cast<TimeMs>(i) * 1000;
    r.status = i % 2 == 0 ? Status::up : Status::down;
    r.latency_ms = 1.5 * static_cast<double>(i);
    r.message = i % 2 == 0 ? "" : "connection refused";
    r.metrics = {{"http_status", 200}};
    out.push_back(r);
  }
  return out;
}

}  // namespace

TEST_CASE("results are numbered from 1 in the spool's epoch and read back in order, whole") {
  TempDir d;
  ManualClock clock;
  Spool s(d.file("spool.db"), clock);
  CHECK(s.state().epoch == static_cast<std::uint64_t>(clock.now));
  const auto rs = results(5, clock.now);
  CHECK(s.append(rs) == 1);
  CHECK(s.append(results(2, clock.now + 10'000)) == 6);
  CHECK(s.state().last_seq == 7);
  CHECK(s.state().first_seq == 1);
  CHECK(s.state().entries == 7);
  const auto b = s.read(2, 3);
  CHECK(b.epoch == s.state().epoch);
  CHECK(b.first_seq == 2);
  REQUIRE(b.entries.size() == 3);
  CHECK(std::get<ProbeResult>(b.entries[0]) == rs[1]);
  CHECK(std::get<ProbeResult>(b.entries[2]) == rs[3]);
  CHECK(s.read(8, 10).entries.empty());
}

TEST_CASE("an acknowledgement deletes what the collector stored; another epoch's is ignored; numbers go on after reopening") {
  TempDir d;
  ManualClock clock;
  std::uint64_t epoch = 0;
  {
    Spool s(d.file("spool.db"), clock);
    epoch = s.state().epoch;
    s.append(results(10, clock.now));
    CHECK(s.acknowledge(epoch + 1, 10) == 0);
    CHECK(s.acknowledge(epoch, 4) == 4);
    CHECK(s.state().first_seq == 5);
    CHECK(s.state().entries == 6);
    CHECK(s.acknowledge(epoch, 4) == 0);  // again: nothing more
  }
  clock.now += 60'000;
  Spool s(d.file("spool.db"), clock);
  CHECK(s.state().epoch == epoch);  // the epoch is the file's, not the clock's
  CHECK(s.state().first_seq == 5);
  CHECK(s.state().last_seq == 10);
  CHECK(s.append(results(1, clock.now)) == 11);
  CHECK(s.acknowledge(epoch, 11) == 7);
  CHECK(s.state().first_seq == 0);
  CHECK(s.state().bytes == 0);
}

TEST_CASE("a new epoch renumbers what is held from 1") {
  TempDir d;
  ManualClock clock;
  Spool s(d.file("spool.db"), clock);
  const auto rs = results(6, clock.now);
  s.append(rs);
  s.acknowledge(s.state().epoch, 2);
  const auto old_epoch = s.state().epoch;
  s.start_epoch(old_epoch + 5);
  CHECK(s.state().epoch == old_epoch + 5);
  CHECK(s.state().first_seq == 1);
  CHECK(s.state().last_seq == 4);
  const auto b = s.read(1, 100);
  REQUIRE(b.entries.size() == 4);
  CHECK(std::get<ProbeResult>(b.entries[0]) == rs[2]);
  CHECK(s.append(results(1, clock.now)) == 5);
  CHECK_THROWS(s.start_epoch(old_epoch));
}

TEST_CASE("results past the age limit become one gap that stands for their numbers, and the numbering has no hole") {
  TempDir d;
  ManualClock clock;
  SpoolOptions o;
  o.max_age_ms = 3600'000;
  Spool s(d.file("spool.db"), clock, o);
  const TimeMs t0 = clock.now;
  s.append(results(4, t0, "a.http"));
  s.append(results(3, t0 + 4000, "b.tcp"));
  s.append(results(2, t0 + 3000'000, "a.http"));
  clock.now = t0 + 3600'000 + 7000;  // the first 7 (up to t0 + 6 s) are older than an hour
  const auto drop = s.enforce_limits();
  CHECK(drop.results == 7);
  CHECK(drop.gap.probes == std::vector<std::string>{"a.http", "b.tcp"});
  CHECK(drop.gap.from_ms == t0);
  CHECK(drop.gap.to_ms == t0 + 6000 + 1);
  CHECK(drop.gap.dropped == 7);
  CHECK(s.state().entries == 3);
  CHECK(s.state().last_seq == 9);
  const auto b = s.read(1, 100);
  CHECK(b.first_seq == 1);
  REQUIRE(b.entries.size() == 3);
  CHECK(std::get<wire::GapRecord>(b.entries[0]) == drop.gap);
  CHECK(b.last_seq() == 9);  // no hole: a collector at mark 0 takes the batch whole
  // Nothing new is old enough: no change; an old gap alone stays as it is.
  CHECK(s.enforce_limits().results == 0);
  CHECK(s.state().entries == 3);
  // Later the rest ages out too: merged into the one gap.
  clock.now = t0 + 3000'000 + 3600'000 + 5000;
  const auto drop2 = s.enforce_limits();
  CHECK(drop2.results == 2);
  CHECK(drop2.gap.dropped == 9);
  CHECK(s.state().entries == 1);
}

TEST_CASE("past the size limit the oldest results go until the spool is at 90 % of it") {
  TempDir d;
  ManualClock clock;
  Spool probe(d.file("probe.db"), clock);
  probe.append(results(1, clock.now));
  const std::uint64_t one = probe.state().bytes;  // bytes of one encoded result
  SpoolOptions o;
  o.max_bytes = one * 100;
  Spool s(d.file("spool.db"), clock, o);
  s.append(results(150, clock.now));
  const auto drop = s.enforce_limits();
  CHECK(drop.results >= 60);
  CHECK(s.state().bytes <= o.max_bytes / 10 * 9 + 200);  // the gap record itself is small
  CHECK(s.read(1, 1000).last_seq() == 150);
}

TEST_CASE("an acknowledgement that falls inside a gap leaves a gap for the numbers after it") {
  TempDir d;
  ManualClock clock;
  SpoolOptions o;
  o.max_age_ms = 1000;
  Spool s(d.file("spool.db"), clock, o);
  s.append(results(10, clock.now - 100'000));
  s.append(results(2, clock.now));
  CHECK(s.enforce_limits().results == 10);
  s.acknowledge(s.state().epoch, 4);  // the collector had stored 1..4 before they were dropped here
  const auto b = s.read(1, 100);
  CHECK(b.first_seq == 5);
  REQUIRE(b.entries.size() == 3);
  CHECK(std::get<wire::GapRecord>(b.entries[0]).dropped == 6);
  CHECK(b.last_seq() == 12);  // starts right after the collector's mark: no gap, nothing straddling it
}

TEST_CASE("acknowledged ranges above the mark are deleted, not only a prefix; the rest is read around them") {
  TempDir d;
  ManualClock clock;
  Spool s(d.file("spool.db"), clock);
  s.append(results(20, clock.now));
  const auto e = s.state().epoch;
  CHECK(s.acknowledge_range(e + 1, 5, 8) == 0);  // another epoch: ignored
  CHECK(s.acknowledge_range(e, 5, 8) == 4);       // live results stored ahead of the back-fill
  CHECK(s.acknowledge_range(e, 15, 30) == 6);     // past the last number: up to it
  CHECK(s.state().entries == 10);
  CHECK(s.state().first_seq == 1);
  auto b = s.read(1, 100);
  CHECK(b.entries.size() == 4);  // 1..4: a batch stops at a hole
  b = s.read(5, 100);
  CHECK(b.first_seq == 9);
  CHECK(b.entries.size() == 6);
  CHECK(b.last_seq() == 14);
  CHECK(s.acknowledge(e, 4) == 4);
  CHECK(s.state().first_seq == 9);
  // The bytes held shrink with the rows: what is left is what a fresh count says.
  {
    Spool again(d.file("spool.db"), clock);
    CHECK(again.state() == s.state());
  }
  // A new epoch numbers what is held (9..14) from 1, without the hole.
  s.start_epoch(e + 1);
  CHECK(s.state().first_seq == 1);
  CHECK(s.state().last_seq == 6);
  b = s.read(1, 100);
  CHECK(b.entries.size() == 6);
}

TEST_CASE("a drop across numbers acknowledged out of order makes one gap spanning them; a range ack trims a gap inside it") {
  TempDir d;
  ManualClock clock;
  SpoolOptions o;
  o.max_age_ms = 1000;
  Spool s(d.file("spool.db"), clock, o);
  s.append(results(10, clock.now - 100'000));
  s.append(results(2, clock.now));
  const auto e = s.state().epoch;
  CHECK(s.acknowledge_range(e, 4, 6) == 3);
  const auto drop = s.enforce_limits();
  CHECK(drop.results == 7);
  CHECK(drop.gap.dropped == 10);  // 1..10: the stored 4..6 included, so the numbering has no hole
  auto b = s.read(1, 100);
  CHECK(b.first_seq == 1);
  REQUIRE(b.entries.size() == 3);
  CHECK(b.last_seq() == 12);
  // The collector stored 1..3 (above a mark of 0, say): the gap now stands for 4..10.
  CHECK(s.acknowledge_range(e, 1, 3) == 0);
  b = s.read(1, 100);
  CHECK(b.first_seq == 4);
  CHECK(std::get<wire::GapRecord>(b.entries[0]).dropped == 7);
  CHECK(b.last_seq() == 12);
}

TEST_CASE("a garbage or truncated spool file is moved aside and a new spool with a new epoch takes its place") {
  TempDir d;
  ManualClock clock;
  const std::string path = d.file("spool.db");
  {
    std::ofstream(path) << std::string(8192, 'x');
  }
  {
    Spool s(path, clock);
    REQUIRE(s.moved_aside());
    CHECK(std::filesystem::exists(*s.moved_aside()));
    CHECK(s.state().entries == 0);
    s.append(results(2000, clock.now));
  }
  std::filesystem::resize_file(path, std::filesystem::file_size(path) / 2);
  std::filesystem::remove(path + "-wal");
  clock.now += 1000;
  Spool s(path, clock);
  REQUIRE(s.moved_aside());
  CHECK(s.state().epoch == static_cast<std::uint64_t>(clock.now));
  CHECK(s.append(results(1, clock.now)) == 1);
}

TEST_CASE("a spool in a folder that does not exist is an error naming the file") {
  ManualClock clock;
  CHECK_THROWS_WITH_AS(Spool("/nonexistent-slamon-dir/spool.db", clock), doctest::Contains("spool.db"), sqlite::Error);
}

TEST_CASE("every result committed before kill -9 of the agent process is in the spool after it restarts") {
  TempDir d;
  const std::string path = d.file("spool.db");
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    close(fds[0]);
    try {
      ManualClock clock;
      Spool s(path, clock);
      for (int i = 0; i < 100'000; ++i) {
        s.append(results(20, clock.now));
        const std::uint64_t last = s.state().last_seq;  // committed: append returned
        if (write(fds[1], &last, sizeof last) != sizeof last) _exit(3);
      }
    } catch (...) {
      _exit(2);
    }
    _exit(0);
  }
  close(fds[1]);
  std::uint64_t committed = 0, v = 0;
  while (committed < 2'000 && read(fds[0], &v, sizeof v) == sizeof v) committed = v;
  kill(child, SIGKILL);
  int status = 0;
  waitpid(child, &status, 0);
  while (read(fds[0], &v, sizeof v) == sizeof v) committed = v;
  close(fds[0]);
  REQUIRE(WIFSIGNALED(status));
  ManualClock clock;
  Spool s(path, clock);
  CHECK_FALSE(s.moved_aside());
  CHECK(s.state().last_seq >= committed);
  const auto b = s.read(1, 1'000'000);
  CHECK(b.first_seq == 1);
  CHECK(b.entries.size() == s.state().last_seq);
  CHECK(b.last_seq() == s.state().last_seq);
}
