// Fuzz target for common/wire/frame.h: any byte stream, fed in pieces whose sizes come from the input,
// never crashes, never holds more than the cap, and every decoded frame re-encodes to the bytes it
// was decoded from.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "common/wire/frame.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::size_t chunk = 1 + data[0] % 64;
  const std::string_view stream(reinterpret_cast<const char*>(data + 1), size - 1);
  slamon::wire::FrameDecoder d(4096);
  std::string reencoded;
  std::size_t at = 0;
  while (at < stream.size() && d.error() == slamon::wire::FrameError::none) {
    const std::size_t used = d.feed(stream.substr(at, std::min(chunk, stream.size() - at)));
    at += used;
    bool took = false;
    while (auto f = d.next()) {
      if (f->size() > 4096) std::abort();
      slamon::wire::append_frame(reencoded, *f);
      took = true;
    }
    if (used == 0 && !took && d.error() == slamon::wire::FrameError::none) std::abort();  // no progress
    if (d.pending_bytes() > 4096 + slamon::wire::kFrameHeaderBytes) std::abort();
  }
  if (stream.substr(0, reencoded.size()) != reencoded) std::abort();
  return 0;
}
