// Tests for common/wire/frame.h: round trips, any split of the stream, the cap, empty payloads.
#include "common/wire/frame.h"

#include <doctest/doctest.h>

#include <random>
#include <string>
#include <vector>

using namespace slamon::wire;

namespace {

std::vector<std::string> decode_all(FrameDecoder& d, std::string_view stream, std::size_t chunk) {
  std::vector<std::string> out;
  std::size_t at = 0;
  int guard = 0;
  while (at < stream.size() && d.error() == FrameError::none && ++guard < 1'000'000) {
    const std::string_view piece = stream.substr(at, std::min(chunk, stream.size() - at));
    at += d.feed(piece);
    while (auto f = d.next()) out.push_back(std::move(*f));
  }
  return out;
}

}  // namespace

TEST_CASE("a frame is a big-endian 4-byte length followed by the payload") {
  std::string out;
  append_frame(out, "abc");
  CHECK(out == std::string("\x00\x00\x00\x03" "abc", 7));
  out.clear();
  append_frame(out, std::string(0x01020304 & 0xffff, 'x'));
  CHECK(static_cast<unsigned char>(out[2]) == 0x03);
  CHECK(static_cast<unsigned char>(out[3]) == 0x04);
}

TEST_CASE("frames decode back to their payloads whatever the stream's split into reads") {
  std::mt19937 rng(7);
  std::vector<std::string> payloads = {"", "a", std::string(1, '\0'), std::string(70'000, 'q'), "hello"};
  for (int i = 0; i < 50; ++i) payloads.push_back(std::string(rng() % 300, static_cast<char>('a' + i % 26)));
  std::string stream;
  for (const auto& p : payloads) append_frame(stream, p);
  for (std::size_t chunk : {std::size_t{1}, std::size_t{3}, std::size_t{4}, std::size_t{5}, std::size_t{4096},
                            stream.size()}) {
    FrameDecoder d;
    CHECK(decode_all(d, stream, chunk) == payloads);
    CHECK(d.error() == FrameError::none);
    CHECK(d.pending_bytes() == 0);
  }
}

TEST_CASE("a header announcing more than the cap is an error before any payload is held") {
  FrameDecoder d(1024);
  std::string stream;
  append_frame(stream, std::string(1024, 'k'));  // exactly the cap: fine
  stream += std::string("\x00\x00\x04\x01", 4);   // 1025: refused
  stream += std::string(2000, 'z');
  const auto frames = decode_all(d, stream, 100);
  REQUIRE(frames.size() == 1);
  CHECK(frames[0].size() == 1024);
  CHECK(d.error() == FrameError::oversized);
  CHECK(d.announced() == 1025);
  CHECK(d.pending_bytes() == kFrameHeaderBytes);
  CHECK(d.feed("more") == 0);  // a failed stream takes nothing more
}

TEST_CASE("feed stops at the end of a completed frame until it is taken") {
  FrameDecoder d;
  std::string stream;
  append_frame(stream, "one");
  append_frame(stream, "two");
  CHECK(d.feed(stream) == 7);
  CHECK(d.feed(std::string_view(stream).substr(7)) == 0);  // "one" not taken yet
  CHECK(d.next() == std::optional<std::string>("one"));
  CHECK(d.next() == std::nullopt);
  CHECK(d.feed(std::string_view(stream).substr(7)) == 7);
  CHECK(d.next() == std::optional<std::string>("two"));
}

TEST_CASE("a silent peer that announced a large frame holds only the bytes it sent") {
  FrameDecoder d;
  std::string stream("\x00\x40\x00\x00", 4);  // 4 MiB announced
  stream += "abc";
  CHECK(d.feed(stream) == 7);
  CHECK(d.pending_bytes() == 7);
  CHECK(d.next() == std::nullopt);
}
