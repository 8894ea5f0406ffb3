// Framing of the agent-collector link: each message travels as a 4-byte length followed by that many
// bytes of one encoded message. The decoder is fed whatever the socket delivered and hands back
// whole frames; a length above the cap ends the stream (the peer is refused, never buffered).
//
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |              payload length (unsigned, big-endian)            |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |              payload (one encoded message), length bytes ...  |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// A zero length is a valid, empty payload. Pure: no sockets, no allocation beyond the frame itself.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace slamon::wire {

constexpr std::size_t kFrameHeaderBytes = 4;
constexpr std::uint32_t kDefaultMaxFrameBytes = 4u * 1024 * 1024;  // 4 MiB payload

// Appends the frame for `payload` to `out`. The caller keeps payloads at or under its cap.
void append_frame(std::string& out, std::string_view payload);

enum class FrameError : unsigned char {
  none,
  oversized,  // a header announced more than the cap: the stream cannot continue
};

class FrameDecoder {
 public:
  explicit FrameDecoder(std::uint32_t max_frame_bytes = kDefaultMaxFrameBytes) : max_(max_frame_bytes) {}

  // Takes the next bytes of the stream; returns how many were consumed (fewer than given only after
  // a frame completed, so that the caller takes it with next() and feeds the rest, or after an error).
  std::size_t feed(std::string_view bytes);
  // The completed frame's payload, once; then decoding goes on with the next header.
  std::optional<std::string> next();

  FrameError error() const { return error_; }
  // The length the offending header announced (with FrameError::oversized).
  std::uint32_t announced() const { return announced_; }
  // Bytes held of a frame not yet complete (0 between frames): what a slow or silent peer costs.
  std::size_t pending_bytes() const { return header_fill_ + payload_.size(); }
  std::uint32_t max_frame_bytes() const { return max_; }

 private:
  std::uint32_t max_;
  unsigned char header_[kFrameHeaderBytes] = {};
  std::size_t header_fill_ = 0;
  std::uint32_t announced_ = 0;
  std::string payload_;
  bool complete_ = false;
  FrameError error_ = FrameError::none;
};

}  // namespace slamon::wire
