// A small streaming JSON writer (reading is simdjson's job). Numbers are written in the shortest form
// that reads back to the same double, integral doubles with ".0" ("720000.0"), non-finite as null.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace slamon {

class JsonWriter {
 public:
  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  JsonWriter& key(std::string_view k);
  JsonWriter& value(std::string_view s);
  JsonWriter& value(const char* s) { return value(std::string_view(s)); }
  JsonWriter& value(double d);
  JsonWriter& value(std::int64_t i);
  JsonWriter& value(int i) { return value(static_cast<std::int64_t>(i)); }
  JsonWriter& value(bool b);
  JsonWriter& null();
  // Inserts already-serialised JSON as one value.
  JsonWriter& raw(std::string_view json);

  const std::string& str() const { return out_; }
  std::string take() { return std::move(out_); }

 private:
  void before_value();
  std::string out_;
  std::vector<bool> first_;  // per open container: no element written yet
  bool after_key_ = false;
};

// Appends `s` as a JSON string literal (quotes included) to `out`. The output is always valid UTF-8:
// each byte of `s` that does not start a valid UTF-8 sequence is written as U+FFFD.
void append_json_string(std::string& out, std::string_view s);
// Appends a JSON number as described above; with `dot_zero` false, integral values are written as
// integers ("200"), as result lines do.
void append_json_number(std::string& out, double d, bool dot_zero = true);
// Length of the UTF-8 sequence starting at s[i] (1-4), or 0 when the bytes there are not valid
// UTF-8 (overlong forms, surrogates and code points past U+10FFFF are not).
std::size_t utf8_sequence_length(std::string_view s, std::size_t i);

}  // namespace slamon
