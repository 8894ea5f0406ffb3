// Sets of sequence numbers as sorted, disjoint ranges [first, last]: what the collector has stored of
// an agent's epoch above its mark, what the agent knows of that, and what it has in flight. Adjacent
// or overlapping ranges merge on insert, so the set is always in its shortest form. Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/wire/slamon.pb.h"

namespace slamon::wire {

struct SeqRange {
  std::uint64_t first = 0;
  std::uint64_t last = 0;  // inclusive; first <= last
  bool operator==(const SeqRange&) const = default;
};

// At most this many ranges above the mark are kept per (agent, epoch) and sent in Ack and Welcome.
constexpr std::size_t kMaxStoredRanges = 64;

class SeqRanges {
 public:
  SeqRanges() = default;
  SeqRanges(std::initializer_list<SeqRange> ranges);

  // Adds [first, last] (first <= last), merging with overlapping or adjacent ranges.
  void insert(std::uint64_t first, std::uint64_t last);
  void insert(const SeqRanges& other);
  // Removes every number <= n.
  void erase_through(std::uint64_t n);
  // Whether every number of [first, last] is in the set.
  bool covers(std::uint64_t first, std::uint64_t last) const;
  // Whether any number of [first, last] is in the set.
  bool overlaps(std::uint64_t first, std::uint64_t last) const;
  // The lowest number >= n that is not in the set.
  std::uint64_t next_missing(std::uint64_t n) const;
  // The lowest number >= n that is in the set (nullopt: none).
  std::optional<std::uint64_t> next_present(std::uint64_t n) const;
  // The numbers of this set that are not in `other`.
  SeqRanges minus(const SeqRanges& other) const;

  const std::vector<SeqRange>& ranges() const { return ranges_; }
  std::size_t size() const { return ranges_.size(); }
  bool empty() const { return ranges_.empty(); }
  std::uint64_t top() const { return ranges_.empty() ? 0 : ranges_.back().last; }  // 0: empty
  bool operator==(const SeqRanges&) const = default;

 private:
  std::vector<SeqRange> ranges_;  // sorted by first; disjoint and not adjacent
};

// "3..7, 12..12" (for log lines and test messages).
std::string to_string(const SeqRanges& s);

// On the wire: Ack.stored and Welcome.stored.
void to_wire(const SeqRanges& s, google::protobuf::RepeatedPtrField<v1::SeqRange>& out);
// The ranges a collector sent: each first <= last, ascending, not overlapping, all above `mark`
// (+ 1: a range that starts right after the mark would be part of it), at most kMaxStoredRanges.
// nullopt with `error` set otherwise.
std::optional<SeqRanges> ranges_from_wire(const google::protobuf::RepeatedPtrField<v1::SeqRange>& in,
                                          std::uint64_t mark, std::string& error);

}  // namespace slamon::wire
