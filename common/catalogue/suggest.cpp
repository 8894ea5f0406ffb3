// Edit distance with one row of memory; words here are short keys and ids.
#include "common/catalogue/suggest.h"

#include <algorithm>
#include <vector>

namespace slamon::catalogue {

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

std::optional<std::string> closest_word(std::string_view word, std::span<const std::string_view> candidates) {
  if (word.size() > 256) return std::nullopt;
  std::optional<std::string> best;
  std::size_t best_d = 0;
  for (const auto c : candidates) {
    const std::size_t d = edit_distance(word, c);
    if (!best || d < best_d) {
      best = std::string(c);
      best_d = d;
    }
  }
  const std::size_t limit = std::max<std::size_t>(2, word.size() / 3);
  if (best && best_d <= limit && best_d < word.size()) return best;
  return std::nullopt;
}

}  // namespace slamon::catalogue
