// Builds YamlNode trees from yaml-cpp events with an explicit stack (no recursion on input depth).
// yaml-cpp 0.7 is lax where YAML is strict, so three checks surround it: the text is valid UTF-8
// without NUL bytes (checked before), and every quoted scalar ends with its closing quote, before
// the end of the document, with its continuation lines indented (checked on each scalar event).
#include "common/catalogue/yaml_tree.h"

#include "common/json_writer.h"

#include <cstdio>
#include <sstream>
#include <unordered_map>

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

namespace slamon::catalogue {
namespace {

struct AliasError {
  YAML::Mark mark;
  std::string message;
};

// Line and column (1-based, in bytes) of byte `pos` of `text`.
std::pair<int, int> line_col(std::string_view text, std::size_t pos) {
  int line = 1;
  std::size_t line_start = 0;
  for (std::size_t i = 0; i < pos && i < text.size(); ++i)
    if (text[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  return {line, static_cast<int>(pos - line_start) + 1};
}

// A NUL byte or invalid UTF-8: YAML text is Unicode, and yaml-cpp misreads both.
std::optional<YamlError> check_bytes(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    if (text[i] == '\0') {
      const auto [l, c] = line_col(text, i);
      return YamlError{l, c, "YAML syntax error: a NUL byte (a catalogue is UTF-8 text)"};
    }
    const std::size_t n = utf8_sequence_length(text, i);
    if (n == 0) {
      const auto [l, c] = line_col(text, i);
      char hex[8];
      std::snprintf(hex, sizeof hex, "0x%02X", static_cast<unsigned>(static_cast<unsigned char>(text[i])));
      return YamlError{l, c, std::string("YAML syntax error: invalid UTF-8 (byte ") + hex + "); a catalogue is UTF-8 text"};
    }
    i += n;
  }
  return std::nullopt;
}

// Leading spaces of the line starting at `pos`, or -1 when the line holds only blanks.
int indentation(std::string_view t, std::size_t pos) {
  std::size_t i = pos;
  while (i < t.size() && t[i] == ' ') ++i;
  std::size_t j = i;
  while (j < t.size() && t[j] == '\t') ++j;
  if (j >= t.size() || t[j] == '\n' || t[j] == '\r') return -1;
  return static_cast<int>(i - pos);
}

bool document_marker(std::string_view t, std::size_t pos) {
  const std::string_view rest = t.substr(pos);
  if (rest.rfind("---", 0) != 0 && rest.rfind("...", 0) != 0) return false;
  return rest.size() == 3 || rest[3] == ' ' || rest[3] == '\t' || rest[3] == '\n' || rest[3] == '\r';
}

// The quoted scalar whose opening quote is at text[q] must close: before the end of the text,
// without a document marker inside, and with every continuation line indented more than `min_indent`
// (the column of the enclosing block collection; -1 at the top). Returns the message otherwise.
std::optional<std::string> check_quoted(std::string_view t, std::size_t q, int min_indent) {
  const char quote = t[q];
  const char* name = quote == '\'' ? "single-quoted" : "double-quoted";
  for (std::size_t i = q + 1; i < t.size(); ++i) {
    const char c = t[i];
    if (quote == '"' && c == '\\') {
      ++i;
      continue;
    }
    if (c == quote) {
      if (quote == '\'' && i + 1 < t.size() && t[i + 1] == '\'') {
        ++i;
        continue;
      }
      return std::nullopt;
    }
    if (c == '\n' && i + 1 < t.size()) {
      if (document_marker(t, i + 1))
        return std::string("YAML syntax error: unterminated ") + name + " string: a document marker comes before its closing " + quote;
      const int ind = indentation(t, i + 1);
      if (ind >= 0 && ind <= min_indent)
        return std::string("YAML syntax error: unterminated ") + name + " string: the closing " + quote +
               " is missing (a continued line must be indented more than its key)";
    }
  }
  return std::string("YAML syntax error: unterminated ") + name + " string: the closing " + quote + " is missing";
}

class TreeBuilder final : public YAML::EventHandler {
 public:
  TreeBuilder(YamlDocument& doc, std::string_view text, std::size_t offset)
      : doc_(doc), text_(text), offset_(offset) {}
  bool saw_alias() const { return saw_alias_; }
  const YAML::Mark& start() const { return start_; }

  void OnDocumentStart(const YAML::Mark& mark) override { start_ = mark; }
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    YamlNode& n = make(YamlNode::Kind::null, mark);
    finish(n, anchor, mark);
  }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    const auto it = anchors_.find(anchor);
    if (it == anchors_.end()) throw AliasError{mark, "YAML alias refers to an anchor that encloses it"};
    saw_alias_ = true;
    attach(it->second, mark);
  }
  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    if (tag != "?") check_closed(mark);
    YamlNode& n = make(YamlNode::Kind::scalar, mark);
    n.text = value;
    n.plain = tag != "!";
    finish(n, anchor, mark);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value style) override {
    stack_.push_back({&make(YamlNode::Kind::sequence, mark), anchor, mark, style == YAML::EmitterStyle::Flow});
  }
  void OnSequenceEnd() override { close(); }
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value style) override {
    stack_.push_back({&make(YamlNode::Kind::map, mark), anchor, mark, style == YAML::EmitterStyle::Flow});
  }
  void OnMapEnd() override { close(); }

 private:
  struct Open {
    YamlNode* node;
    YAML::anchor_t anchor;
    YAML::Mark mark;
    bool flow;
  };

  // A non-plain scalar event: when it starts (after any tag or anchor) with a quote, that quote must
  // close (yaml-cpp 0.7 lets an unterminated one run to the end of the file).
  void check_closed(const YAML::Mark& mark) {
    if (mark.pos < 0) return;
    std::size_t p = static_cast<std::size_t>(mark.pos) + offset_;
    for (int k = 0; k < 4 && p < text_.size() && (text_[p] == '!' || text_[p] == '&'); ++k) {
      while (p < text_.size() && text_[p] != ' ' && text_[p] != '\t' && text_[p] != '\n') ++p;
      while (p < text_.size() && (text_[p] == ' ' || text_[p] == '\t')) ++p;
    }
    if (p >= text_.size() || (text_[p] != '\'' && text_[p] != '"')) return;
    int min_indent = -1;
    for (auto it = stack_.rbegin(); it != stack_.rend(); ++it)
      if (!it->flow) {
        min_indent = it->mark.column;
        break;
      }
    if (auto why = check_quoted(text_, p, min_indent)) {
      const auto [l, c] = line_col(text_, p);
      YAML::Mark at;
      at.line = l - 1;
      at.column = c - 1;
      throw AliasError{at, std::move(*why)};
    }
  }

  YamlNode& make(YamlNode::Kind kind, const YAML::Mark& mark) {
    YamlNode& n = doc_.arena.emplace_back();
    n.kind = kind;
    n.line = mark.line + 1;
    n.col = mark.column + 1;
    return n;
  }
  void attach(const YamlNode* n, const YAML::Mark& mark) {
    if (stack_.empty()) {
      if (doc_.root == nullptr) doc_.root = n;
    } else {
      YamlNode* parent = stack_.back().node;
      parent->items.push_back(n);
      parent->expanded_size += n->expanded_size;
      if (parent->expanded_size > kMaxExpandedNodes)
        throw AliasError{mark, saw_alias_ ? "YAML aliases expand to too many nodes (more than 5,000,000)"
                                          : "YAML document has too many nodes (more than 5,000,000)"};
    }
  }
  void finish(const YamlNode& n, YAML::anchor_t anchor, const YAML::Mark& mark) {
    if (anchor != 0) anchors_[anchor] = &n;
    attach(&n, mark);
  }
  void close() {
    const Open top = stack_.back();
    stack_.pop_back();
    finish(*top.node, top.anchor, top.mark);
  }

  YamlDocument& doc_;
  std::string_view text_;
  std::size_t offset_;  // bytes before yaml-cpp's position 0 (a byte order mark)
  bool saw_alias_ = false;
  YAML::Mark start_;
  std::vector<Open> stack_;
  std::unordered_map<YAML::anchor_t, const YamlNode*> anchors_;
};

}  // namespace

std::string_view kind_name(const YamlNode& n) {
  switch (n.kind) {
    case YamlNode::Kind::null: return "nothing";
    case YamlNode::Kind::scalar: return "a scalar";
    case YamlNode::Kind::sequence: return "a list";
    case YamlNode::Kind::map: return "a map";
  }
  return "?";
}

YamlParse parse_yaml(std::string_view text) {
  YamlParse out;
  if (auto bad = check_bytes(text)) {
    out.error = std::move(bad);
    return out;
  }
  const std::size_t offset = text.rfind("\xEF\xBB\xBF", 0) == 0 ? 3 : 0;
  YamlDocument doc;
  std::istringstream in{std::string(text)};
  try {
    YAML::Parser parser(in);
    TreeBuilder builder(doc, text, offset);
    parser.HandleNextDocument(builder);
    YamlDocument rest;
    TreeBuilder second(rest, text, offset);
    if (parser.HandleNextDocument(second)) {
      out.error = YamlError{second.start().line + 1, second.start().column + 1,
                            "a file holds one YAML document; a second one starts here"};
      return out;
    }
  } catch (const YAML::DeepRecursion& e) {
    out.error = YamlError{e.mark.line < 0 ? 0 : e.mark.line + 1, e.mark.column < 0 ? 0 : e.mark.column + 1,
                          "YAML nesting is too deep here (more than about 500 levels)"};
    return out;
  } catch (const YAML::Exception& e) {
    out.error = YamlError{e.mark.line < 0 ? 0 : e.mark.line + 1, e.mark.column < 0 ? 0 : e.mark.column + 1,
                          "YAML syntax error: " + e.msg};
    return out;
  } catch (const AliasError& e) {
    out.error = YamlError{e.mark.line + 1, e.mark.column + 1, e.message};
    return out;
  }
  if (doc.root == nullptr) {
    YamlNode& n = doc.arena.emplace_back();
    n.line = 1;
    n.col = 1;
    doc.root = &n;
  }
  out.doc = std::move(doc);
  return out;
}

}  // namespace slamon::catalogue
