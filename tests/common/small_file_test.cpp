// common/small_file.h: regular files only (never blocking on a FIFO), a size limit, secrets one line.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "common/small_file.h"
#include "tests/temp_dir.h"

using namespace slamon;
namespace fs = std::filesystem;

using slamon::test::TempDir;

TEST_CASE("a secret file is one line: trailing newline removed, NUL, second line and empty refused") {
  TempDir t;
  CHECK(read_secret_file(t.write("ok", "public\n")).bytes == std::optional<std::string>("public"));
  CHECK(read_secret_file(t.write("crlf", "public\r\n")).bytes == std::optional<std::string>("public"));
  CHECK(read_secret_file(t.write("bare", "public")).bytes == std::optional<std::string>("public"));
  CHECK(read_secret_file(t.write("nul", std::string("pub\0lic\n", 8))).error == "holds a NUL byte");
  CHECK(read_secret_file(t.write("two", "public\nprivate\n")).error == "holds more than one line");
  CHECK(read_secret_file(t.write("blank2", "public\n\n")).error == "holds more than one line");
  CHECK(read_secret_file(t.write("empty", "")).error == "is empty");
}

TEST_CASE("a 1 GB sparse secret file is refused by its size, without reading it") {
  TempDir t;
  const fs::path p = t.path / "huge";
  { std::ofstream(p) << ""; }
  fs::resize_file(p, std::uintmax_t{1} << 30);
  const auto f = read_secret_file(p);
  CHECK_FALSE(f.bytes);
  CHECK(f.error == "is larger than 64 KiB");
  CHECK(read_small_file(p, kMaxTargetsFileBytes).error == "is larger than 16 MiB");
}

TEST_CASE("directories, devices and FIFOs are refused at once, with the reason") {
  TempDir t;
  CHECK(read_secret_file(t.path).error == "is a directory");
  CHECK(read_secret_file("/dev/zero").error == "is a device, not a regular file");
  CHECK(read_small_file("/dev/zero", kMaxTargetsFileBytes).error == "is a device, not a regular file");
  const fs::path fifo = t.path / "fifo";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  // No writer: a blocking open would wait forever; this returns at once.
  CHECK(read_secret_file(fifo).error == "is a FIFO (named pipe), not a regular file");
  CHECK(read_small_file(t.path / "missing", 10).error == "No such file or directory");
}

TEST_CASE("a file within the limit is read whole; one byte over is refused") {
  TempDir t;
  const std::string text(1000, 'x');
  CHECK(read_small_file(t.write("f", text), 1000).bytes == std::optional<std::string>(text));
  CHECK(read_small_file(t.write("g", text + "y"), 1000).error == "is larger than 1000 bytes");
}
