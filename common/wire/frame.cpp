// The frame codec drawn in frame.h: a state machine over header bytes, then payload bytes.
#include "common/wire/frame.h"

#include <algorithm>

namespace slamon::wire {

void append_frame(std::string& out, std::string_view payload) {
  const auto n = static_cast<std::uint32_t>(payload.size());
  out.push_back(static_cast<char>((n >> 24) & 0xff));
  out.push_back(static_cast<char>((n >> 16) & 0xff));
  out.push_back(static_cast<char>((n >> 8) & 0xff));
  out.push_back(static_cast<char>(n & 0xff));
  out.append(payload);
}

std::size_t FrameDecoder::feed(std::string_view bytes) {
  std::size_t used = 0;
  while (used < bytes.size() && !complete_ && error_ == FrameError::none) {
    if (header_fill_ < kFrameHeaderBytes) {
      header_[header_fill_++] = static_cast<unsigned char>(bytes[used++]);
      if (header_fill_ < kFrameHeaderBytes) continue;
      announced_ = (std::uint32_t{header_[0]} << 24) | (std::uint32_t{header_[1]} << 16) |
                   (std::uint32_t{header_[2]} << 8) | std::uint32_t{header_[3]};
      if (announced_ > max_) {
        error_ = FrameError::oversized;
        break;
      }
      payload_.clear();
      // Grown as bytes arrive, not reserved up front: a peer that announces 4 MiB and goes silent
      // holds only what it sent.
      payload_.reserve(std::min<std::uint32_t>(announced_, 64 * 1024));
      if (announced_ == 0) complete_ = true;
      continue;
    }
    const std::size_t take = std::min<std::size_t>(announced_ - payload_.size(), bytes.size() - used);
    payload_.append(bytes.substr(used, take));
    used += take;
    if (payload_.size() == announced_) complete_ = true;
  }
  return used;
}

std::optional<std::string> FrameDecoder::next() {
  if (!complete_) return std::nullopt;
  complete_ = false;
  header_fill_ = 0;
  std::string out;
  out.swap(payload_);
  return out;
}

}  // namespace slamon::wire
