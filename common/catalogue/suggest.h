// "Did you mean ...?": the closest known word to a misspelt one, by edit distance.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace slamon::catalogue {

// Levenshtein distance (insert, delete, substitute; each costs 1).
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate nearest to `word` when it is close enough to be a plausible typo
// (distance at most 2, or a third of the word's length for long words).
std::optional<std::string> closest_word(std::string_view word, std::span<const std::string_view> candidates);

}  // namespace slamon::catalogue
