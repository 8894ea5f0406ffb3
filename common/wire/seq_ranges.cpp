// Sets of sequence numbers (see seq_ranges.h).
#include "common/wire/seq_ranges.h"

#include <algorithm>
#include <limits>

namespace slamon::wire {

SeqRanges::SeqRanges(std::initializer_list<SeqRange> ranges) {
  for (const auto& r : ranges) insert(r.first, r.last);
}

void SeqRanges::insert(std::uint64_t first, std::uint64_t last) {
  if (first > last) return;
  constexpr auto kMax = std::numeric_limits<std::uint64_t>::max();
  // The first range that ends at or after first - 1 (it touches or follows the new one).
  auto it = std::lower_bound(ranges_.begin(), ranges_.end(), first,
                             [](const SeqRange& r, std::uint64_t f) { return r.last < f && r.last + 1 < f; });
  auto end = it;
  while (end != ranges_.end() && (last == kMax || end->first <= last + 1)) {
    first = std::min(first, end->first);
    last = std::max(last, end->last);
    ++end;
  }
  it = ranges_.erase(it, end);
  ranges_.insert(it, SeqRange{first, last});
}

void SeqRanges::insert(const SeqRanges& other) {
  for (const auto& r : other.ranges_) insert(r.first, r.last);
}

void SeqRanges::erase_through(std::uint64_t n) {
  auto it = ranges_.begin();
  while (it != ranges_.end() && it->last <= n) ++it;
  ranges_.erase(ranges_.begin(), it);
  if (!ranges_.empty() && ranges_.front().first <= n) ranges_.front().first = n + 1;
}

bool SeqRanges::covers(std::uint64_t first, std::uint64_t last) const {
  const auto it = std::upper_bound(ranges_.begin(), ranges_.end(), first,
                                   [](std::uint64_t f, const SeqRange& r) { return f < r.first; });
  if (it == ranges_.begin()) return false;
  const auto& r = *std::prev(it);
  return r.first <= first && last <= r.last;
}

bool SeqRanges::overlaps(std::uint64_t first, std::uint64_t last) const {
  const auto it = std::lower_bound(ranges_.begin(), ranges_.end(), first,
                                   [](const SeqRange& r, std::uint64_t f) { return r.last < f; });
  return it != ranges_.end() && it->first <= last;
}

std::uint64_t SeqRanges::next_missing(std::uint64_t n) const {
  const auto it = std::lower_bound(ranges_.begin(), ranges_.end(), n,
                                   [](const SeqRange& r, std::uint64_t f) { return r.last < f; });
  if (it == ranges_.end() || it->first > n) return n;
  return it->last == std::numeric_limits<std::uint64_t>::max() ? it->last : it->last + 1;
}

std::optional<std::uint64_t> SeqRanges::next_present(std::uint64_t n) const {
  const auto it = std::lower_bound(ranges_.begin(), ranges_.end(), n,
                                   [](const SeqRange& r, std::uint64_t f) { return r.last < f; });
  if (it == ranges_.end()) return std::nullopt;
  return std::max(n, it->first);
}

SeqRanges SeqRanges::minus(const SeqRanges& other) const {
  SeqRanges out;
  for (const auto& r : ranges_) {
    std::uint64_t from = r.first;
    while (from <= r.last) {
      const auto present = other.next_present(from);
      if (!present || *present > r.last) {
        out.ranges_.push_back({from, r.last});
        break;
      }
      if (*present > from) out.ranges_.push_back({from, *present - 1});
      const std::uint64_t resume = other.next_missing(*present);
      if (resume <= *present || resume > r.last) break;  // covered to the end (or to 2^64 - 1)
      from = resume;
    }
  }
  return out;
}

std::string to_string(const SeqRanges& s) {
  std::string out;
  for (const auto& r : s.ranges()) {
    if (!out.empty()) out += ", ";
    out += std::to_string(r.first) + ".." + std::to_string(r.last);
  }
  return out.empty() ? "none" : out;
}

void to_wire(const SeqRanges& s, google::protobuf::RepeatedPtrField<v1::SeqRange>& out) {
  out.Clear();
  for (const auto& r : s.ranges()) {
    auto* w = out.Add();
    w->set_first_seq(r.first);
    w->set_last_seq(r.last);
  }
}

std::optional<SeqRanges> ranges_from_wire(const google::protobuf::RepeatedPtrField<v1::SeqRange>& in,
                                          std::uint64_t mark, std::string& error) {
  if (static_cast<std::size_t>(in.size()) > kMaxStoredRanges) {
    error = std::to_string(in.size()) + " stored ranges (at most " + std::to_string(kMaxStoredRanges) + ")";
    return std::nullopt;
  }
  SeqRanges out;
  std::uint64_t after = mark;  // every range starts past this + 1
  for (const auto& r : in) {
    if (r.first_seq() > r.last_seq() || r.first_seq() <= after || r.first_seq() - after < 2) {
      error = "stored range " + std::to_string(r.first_seq()) + ".." + std::to_string(r.last_seq()) +
              " is backwards, not above the mark " + std::to_string(mark) + " + 1, or not after the range before it";
      return std::nullopt;
    }
    out.insert(r.first_seq(), r.last_seq());
    after = r.last_seq();
  }
  return out;
}

}  // namespace slamon::wire
