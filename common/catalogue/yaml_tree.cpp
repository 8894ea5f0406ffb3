// Builds YamlNode trees from yaml-cpp events with an explicit stack (no recursion on input depth).
#include "common/catalogue/yaml_tree.h"

#include <sstream>
#include <unordered_map>

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

namespace slamon::catalogue {
namespace {

struct AliasError {
  YAML::Mark mark;
};

class TreeBuilder final : public YAML::EventHandler {
 public:
  explicit TreeBuilder(YamlDocument& doc) : doc_(doc) {}

  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    YamlNode& n = make(YamlNode::Kind::null, mark);
    finish(n, anchor);
  }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    const auto it = anchors_.find(anchor);
    if (it == anchors_.end()) throw AliasError{mark};  // an alias inside its own anchor
    attach(it->second);
  }
  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    YamlNode& n = make(YamlNode::Kind::scalar, mark);
    n.text = value;
    n.plain = tag != "!";
    finish(n, anchor);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    stack_.push_back({&make(YamlNode::Kind::sequence, mark), anchor});
  }
  void OnSequenceEnd() override { close(); }
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    stack_.push_back({&make(YamlNode::Kind::map, mark), anchor});
  }
  void OnMapEnd() override { close(); }

 private:
  struct Open {
    YamlNode* node;
    YAML::anchor_t anchor;
  };

  YamlNode& make(YamlNode::Kind kind, const YAML::Mark& mark) {
    YamlNode& n = doc_.arena.emplace_back();
    n.kind = kind;
    n.line = mark.line + 1;
    n.col = mark.column + 1;
    return n;
  }
  void attach(const YamlNode* n) {
    if (stack_.empty()) {
      if (doc_.root == nullptr) doc_.root = n;
    } else {
      stack_.back().node->items.push_back(n);
    }
  }
  void finish(const YamlNode& n, YAML::anchor_t anchor) {
    if (anchor != 0) anchors_[anchor] = &n;
    attach(&n);
  }
  void close() {
    const Open top = stack_.back();
    stack_.pop_back();
    finish(*top.node, top.anchor);
  }

  YamlDocument& doc_;
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
  YamlDocument doc;
  std::istringstream in{std::string(text)};
  try {
    YAML::Parser parser(in);
    TreeBuilder builder(doc);
    parser.HandleNextDocument(builder);
  } catch (const YAML::Exception& e) {
    out.error = YamlError{e.mark.line < 0 ? 0 : e.mark.line + 1, e.mark.column < 0 ? 0 : e.mark.column + 1,
                          "YAML syntax error: " + e.msg};
    return out;
  } catch (const AliasError& e) {
    out.error = YamlError{e.mark.line + 1, e.mark.column + 1,
                          "YAML alias refers to an anchor that encloses it"};
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
