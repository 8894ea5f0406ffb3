// A YAML document as a small tree that remembers where every node was written (line and column) and
// keeps every mapping entry in order, repeated keys included, so that the catalogue validator can
// name positions and reject duplicates (yaml-cpp's Node API keeps one of them silently).
// Built from yaml-cpp's event API; a syntax error ends the parse of that text.
#pragma once

#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace slamon::catalogue {

struct YamlNode {
  enum class Kind : unsigned char { null, scalar, sequence, map };
  Kind kind = Kind::null;
  int line = 0;  // 1-based
  int col = 0;   // 1-based
  std::string text;     // scalar value
  bool plain = true;    // scalar written without quotes (a quoted "5" is a string, not a number)
  std::vector<const YamlNode*> items;  // sequence items; for a map: key, value, key, value...

  bool is_null() const { return kind == Kind::null; }
  bool is_scalar() const { return kind == Kind::scalar; }
  bool is_sequence() const { return kind == Kind::sequence; }
  bool is_map() const { return kind == Kind::map; }
  std::size_t map_size() const { return items.size() / 2; }
  const YamlNode& key(std::size_t i) const { return *items[2 * i]; }
  const YamlNode& value(std::size_t i) const { return *items[2 * i + 1]; }
};

// "a map", "a list", "a string '...'" style names of a node's kind, for messages.
std::string_view kind_name(const YamlNode& n);

// One parsed document: the nodes live in `arena`, `root` points into it (null node for empty text).
struct YamlDocument {
  std::deque<YamlNode> arena;
  const YamlNode* root = nullptr;
};

struct YamlError {
  int line = 0;
  int col = 0;
  std::string message;
};

struct YamlParse {
  std::optional<YamlDocument> doc;
  std::optional<YamlError> error;  // set exactly when doc is not
};

// Parses the first document of `text`. Aliases share the anchored node (no copy).
YamlParse parse_yaml(std::string_view text);

}  // namespace slamon::catalogue
