// Batches of stored entries (see stored_batch.h), written with protobuf's own wire-format helpers.
#include "agent/stored_batch.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/wire_format_lite.h>

#include <cstring>

#include "common/wire/slamon.pb.h"

namespace slamon::agent {

namespace {

using google::protobuf::io::CodedOutputStream;
using google::protobuf::internal::WireFormatLite;
namespace v1 = wire::v1;

// Field numbers from the .proto (the wire contract), never written by hand.
constexpr int kBatchField = v1::AgentMessage::kBatchFieldNumber;
constexpr int kEpochField = v1::ResultBatch::kEpochFieldNumber;
constexpr int kFirstSeqField = v1::ResultBatch::kFirstSeqFieldNumber;
constexpr int kLastSeqField = v1::ResultBatch::kLastSeqFieldNumber;
constexpr int kEntriesField = v1::ResultBatch::kEntriesFieldNumber;

// A proto3 scalar: absent when zero, as the generated code writes it.
std::size_t uint64_field_size(int field, std::uint64_t v) {
  return v == 0 ? 0 : WireFormatLite::TagSize(field, WireFormatLite::TYPE_UINT64) + CodedOutputStream::VarintSize64(v);
}

std::size_t entry_field_size(std::size_t size) {
  return WireFormatLite::TagSize(kEntriesField, WireFormatLite::TYPE_MESSAGE) +
         CodedOutputStream::VarintSize64(size) + size;
}

std::uint8_t* write_uint64_field(int field, std::uint64_t v, std::uint8_t* out) {
  return v == 0 ? out : WireFormatLite::WriteUInt64ToArray(field, v, out);
}

std::uint8_t* write_length_delimited_header(int field, std::size_t size, std::uint8_t* out) {
  out = WireFormatLite::WriteTagToArray(field, WireFormatLite::WIRETYPE_LENGTH_DELIMITED, out);
  return CodedOutputStream::WriteVarint64ToArray(size, out);
}

}  // namespace

void StoredBatch::clear() {
  epoch = 0;
  first_seq = 0;
  bytes.clear();
  entries.clear();
}

void StoredBatch::clip(std::uint64_t until_seq) {
  std::uint64_t seq = first_seq;
  std::size_t keep = 0, bytes_kept = 0;
  while (keep < entries.size() && seq <= until_seq) {
    seq += entries[keep].width;
    bytes_kept += entries[keep].size;
    ++keep;
  }
  entries.resize(keep);
  bytes.resize(bytes_kept);
}

void StoredBatch::add(std::string_view encoded_entry, std::uint64_t width) {
  bytes.append(encoded_entry);
  entries.push_back({encoded_entry.size(), width});
}

std::optional<EncodedRange> encode_stored_batch(const StoredBatch& batch, std::string& payload,
                                                std::size_t max_payload_bytes) {
  // The longest prefix of the entries whose message fits.
  const auto header_sizes = [&](std::uint64_t last_seq, std::size_t entries_size) {
    const std::size_t inner = uint64_field_size(kEpochField, batch.epoch) +
                              uint64_field_size(kFirstSeqField, batch.first_seq) +
                              uint64_field_size(kLastSeqField, last_seq) + entries_size;
    const std::size_t outer = WireFormatLite::TagSize(kBatchField, WireFormatLite::TYPE_MESSAGE) +
                              CodedOutputStream::VarintSize64(inner) + inner;
    return std::pair{inner, outer};
  };
  std::size_t n = 0, entries_size = 0;
  std::uint64_t last_seq = batch.first_seq == 0 ? 0 : batch.first_seq - 1;
  for (const auto& e : batch.entries) {
    const std::uint64_t last = last_seq + e.width;
    if (header_sizes(last, entries_size + entry_field_size(e.size)).second > max_payload_bytes) break;
    entries_size += entry_field_size(e.size);
    last_seq = last;
    ++n;
  }
  if (n == 0) return std::nullopt;
  const auto [inner, outer] = header_sizes(last_seq, entries_size);
  payload.resize(outer);
  auto* out = reinterpret_cast<std::uint8_t*>(payload.data());
  out = write_length_delimited_header(kBatchField, inner, out);
  out = write_uint64_field(kEpochField, batch.epoch, out);
  out = write_uint64_field(kFirstSeqField, batch.first_seq, out);
  out = write_uint64_field(kLastSeqField, last_seq, out);
  const char* from = batch.bytes.data();
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t size = batch.entries[i].size;
    out = write_length_delimited_header(kEntriesField, size, out);
    std::memcpy(out, from, size);
    out += size;
    from += size;
  }
  return EncodedRange{batch.first_seq, last_seq, n};
}

}  // namespace slamon::agent
