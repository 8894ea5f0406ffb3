// Tests for collector/pid_file.h: the pid file is held while its owner lives, a second owner is
// refused, a file nobody holds is stale (no running collector) and is taken over.
#include "collector/pid_file.h"

#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>

#include "tests/temp_dir.h"

using namespace slamon::collector;

TEST_CASE("a held pid file names its owner; a second owner is refused; released, it is gone") {
  slamon::test::TempDir dir;
  const auto path = dir.file("collector.pid");
  CHECK_FALSE(running_pid(path));  // no file
  std::string error;
  {
    auto held = PidFile::acquire(path, error);
    REQUIRE_MESSAGE(held, error);
    CHECK(running_pid(path) == std::optional<pid_t>(::getpid()));
    auto second = PidFile::acquire(path, error);
    CHECK_FALSE(second);
    CHECK(error.find("another collector is running") != std::string::npos);
    CHECK(error.find(std::to_string(::getpid())) != std::string::npos);
    CHECK(running_pid(path) == std::optional<pid_t>(::getpid()));  // the refused attempt changed nothing
  }
  CHECK_FALSE(std::filesystem::exists(path));
  CHECK_FALSE(running_pid(path));
}

TEST_CASE("a pid file nobody holds is stale: no running collector, and the next one takes it over") {
  slamon::test::TempDir dir;
  const auto path = dir.write("collector.pid", "1\n").string();  // pid 1 runs, but does not hold the lock
  CHECK_FALSE(running_pid(path));
  std::string error;
  auto held = PidFile::acquire(path, error);
  REQUIRE_MESSAGE(held, error);
  CHECK(running_pid(path) == std::optional<pid_t>(::getpid()));
}

TEST_CASE("a pid file that cannot be created says why") {
  std::string error;
  CHECK_FALSE(PidFile::acquire("/nonexistent-dir/collector.pid", error));
  CHECK(error.find("cannot open the pid file /nonexistent-dir/collector.pid") != std::string::npos);
}
