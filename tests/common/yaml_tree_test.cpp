// common/catalogue/yaml_tree.h: the checks around yaml-cpp. Unterminated quoted scalars (yaml-cpp 0.7
// lets them run to the end of the file) are refused at the quote, against YAML's own test suite
// (github.com/yaml/yaml-test-suite: the ids below), while closed multi-line quoted scalars still
// read; NUL bytes and invalid UTF-8 are refused where they are; limits say what was exceeded.
#include <doctest/doctest.h>

#include "common/catalogue/yaml_tree.h"

using namespace slamon::catalogue;

namespace {

std::string error_of(const std::string& text) {
  const auto r = parse_yaml(text);
  return r.error ? std::to_string(r.error->line) + ":" + std::to_string(r.error->col) + ": " + r.error->message : "";
}

}  // namespace

TEST_CASE("an unterminated quoted scalar is an error at its quote, single or double, block or flow") {
  CHECK(error_of("version: 1\nname: 'Web server\nowner: ops\n") ==
        "2:7: YAML syntax error: unterminated single-quoted string: the closing ' is missing (a continued line must be indented "
        "more than its key)");
  CHECK(error_of("a:\n  b: \"Web server\n") == "2:6: YAML syntax error: unterminated double-quoted string: the closing \" is missing");
  CHECK(error_of("cis:\n  - id: x\n    community: \"public\n  - id: y\n")
            .find("3:16: YAML syntax error: unterminated double-quoted string") == 0);
  CHECK(error_of("x: ['a, b]\n").find("1:5: YAML syntax error: unterminated single-quoted string") == 0);
  CHECK(error_of("x: {k: \"v}\n").find("1:8: YAML syntax error: unterminated double-quoted string") == 0);
  CHECK(error_of("\"never closed").find(": YAML syntax error") != std::string::npos);  // yaml-cpp's own "illegal EOF in scalar"
  CHECK(error_of("a: 'it''s\n").find("1:4: YAML syntax error: unterminated single-quoted string") == 0);  // '' is an escape
  CHECK(error_of("a: \"esc \\\"\n").find("1:4: YAML syntax error: unterminated double-quoted string") == 0);  // \" is an escape
  CHECK(error_of("a: !!str 'tagged\n").find("1:10: YAML syntax error: unterminated single-quoted string") == 0);
  // The swallowed text closes at a later quote: its less-indented lines give it away.
  CHECK(error_of("cis:\n  - id: a\n    name: 'Web server\n  - id: b\n    name: 'DB'\n")
            .find("3:11: YAML syntax error: unterminated single-quoted string") == 0);
}

TEST_CASE("YAML test suite: quoted scalars across document markers and unindented lines are errors") {
  // yaml-cpp refuses these itself ("illegal document indicator in scalar"); the check holds them too.
  CHECK(error_of("---\n\"\n---\n\"\n").find(": YAML syntax error") != std::string::npos);  // 5TRB
  CHECK(error_of("---\n'\n...\n'\n").find(": YAML syntax error") != std::string::npos);      // RXY3
  CHECK(error_of("--- \"a\n... x\nb\"\n").find(": YAML syntax error") != std::string::npos);  // 9MQT/01
  CHECK(error_of("key: \"a\n--- \"\n").find(": YAML syntax error") != std::string::npos);
  CHECK(error_of("---\nquoted: \"a\nb\nc\"\n").find("2:9: YAML syntax error: unterminated double-quoted string") == 0);  // QB6E
}

TEST_CASE("YAML test suite: closed multi-line quoted scalars still read") {
  auto scalar = [](const std::string& text) {
    const auto r = parse_yaml(text);
    REQUIRE_MESSAGE(r.doc, (r.error ? r.error->message : ""));
    return r.doc->root->text;
  };
  CHECK(scalar("--- \"a\n...x\nb\"\n") == "a ...x b");                                    // 9MQT/00
  CHECK(scalar("' 1st non-empty\n\n 2nd non-empty \n\t3rd non-empty '\n") ==
        " 1st non-empty\n2nd non-empty 3rd non-empty ");                                   // PRH3
  CHECK(scalar("\" 1st non-empty\n\n 2nd non-empty \n\t3rd non-empty \"\n") ==
        " 1st non-empty\n2nd non-empty 3rd non-empty ");                                   // 7A4E
  const auto nat4 = parse_yaml("---\na: '\n  '\nb: '  \n  '\nc: \"\n  \"\nd: \"  \n  \"\n");  // NAT4
  REQUIRE(nat4.doc);
  CHECK(nat4.doc->root->map_size() == 4);
  const auto nested = parse_yaml("cis:\n  - id: a\n    name: \"Web\n      server\"\n    owner: 'it''s\n      ops'\n");
  REQUIRE(nested.doc);
  const YamlNode& ci = *nested.doc->root->value(0).items[0];
  CHECK(ci.value(1).text == "Web server");
  CHECK(ci.value(2).text == "it's ops");
  CHECK(scalar("\xEF\xBB\xBF\"bom\"\n") == "bom");  // positions past a byte order mark
}

TEST_CASE("a NUL byte and invalid UTF-8 are errors where they are") {
  CHECK(error_of(std::string("a: b\nc: d\0e\n", 12)) ==
        "2:5: YAML syntax error: a NUL byte (a catalogue is UTF-8 text)");
  CHECK(error_of("a: b\nid: web\xff" "01\n") == "2:8: YAML syntax error: invalid UTF-8 (byte 0xFF); a catalogue is UTF-8 text");
  CHECK(error_of("a: \xC0\xAF\n").find("1:4: YAML syntax error: invalid UTF-8 (byte 0xC0)") == 0);
  CHECK(error_of("name: Caf\xC3\xA9 \xE2\x82\xAC\n").empty());
}

TEST_CASE("deep nesting and too many nodes say which limit was reached") {
  const std::string deep = "a: " + std::string(1000, '[') + std::string(1000, ']') + "\n";
  CHECK(error_of(deep).find("YAML nesting is too deep") != std::string::npos);
  std::string big = "a: [";
  for (int i = 0; i < 5'000'001; ++i) big += i ? ",1" : "1";
  big += "]\n";
  const std::string e = error_of(big);
  CHECK(e.find("YAML document has too many nodes (more than 5,000,000)") != std::string::npos);
  CHECK(e.find("alias") == std::string::npos);
}
