// Spool entries as the spool stores them, sent without decoding them: each entry is one encoded
// wire::v1::Entry, the very bytes a ResultBatch carries in its `entries` field, so the uplink puts
// them into a batch as they are instead of decoding every result and encoding it again. Pure (no
// SQLite, no Asio); the bytes it produces are those of encode_batch() (agent/uplink_logic.h) for
// the same entries decoded, which the tests check.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/wire/frame.h"

namespace slamon::agent {

struct StoredBatch {
  struct Entry {
    std::size_t size = 0;      // bytes of its encoding in `bytes`
    std::uint64_t width = 1;   // sequence numbers it stands for (a gap: the results it replaced)
  };
  std::uint64_t epoch = 0;
  std::uint64_t first_seq = 0;  // of the first entry (0: none)
  std::string bytes;            // the entries' encodings, back to back
  std::vector<Entry> entries;

  // Empties the batch, keeping its memory for the next one.
  void clear();
  void add(std::string_view encoded_entry, std::uint64_t width);
  // Keeps the entries that begin at or before `until_seq` (clip_batch of agent/uplink_logic.h).
  void clip(std::uint64_t until_seq);
};

// The numbers and entries a payload carries.
struct EncodedRange {
  std::uint64_t first_seq = 0;
  std::uint64_t last_seq = 0;
  std::size_t entries = 0;
};

// Replaces `payload` (its memory reused) with the encoded AgentMessage{batch: ResultBatch} carrying
// the first entries of `batch`, as many as fit in `max_payload_bytes`; the rest go in the next batch.
// nullopt when there is no entry, or not even the first one fits (an entry larger than a frame: a
// broken invariant, the spool never holds one that large).
std::optional<EncodedRange> encode_stored_batch(const StoredBatch& batch, std::string& payload,
                                                std::size_t max_payload_bytes = wire::kDefaultMaxFrameBytes);

}  // namespace slamon::agent
