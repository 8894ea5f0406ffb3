// Formatting of diagnostics in the compiler-like form editors understand.
#include "common/diagnostic.h"

#include <cstdio>

namespace slamon {
namespace {

// One diagnostic is one line: a line break or other control character inside a field (an RE2 error
// quoting the pattern, a file name) is written escaped ("\n", "\x01").
void append_escaped(std::string& out, std::string_view s) {
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (ch == '\n') out += "\\n";
    else if (ch == '\r') out += "\\r";
    else if (ch == '\t') out += "\\t";
    else if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += ch;
    }
  }
}

}  // namespace

std::string format_diagnostic(const Diagnostic& d) {
  std::string out;
  append_escaped(out, d.file);
  if (d.line > 0) {
    out += ':' + std::to_string(d.line);
    if (d.col > 0) out += ':' + std::to_string(d.col);
  }
  out += ": error: ";
  if (!d.object.empty()) {
    append_escaped(out, d.object);
    out += ": ";
  }
  append_escaped(out, d.message);
  return out;
}

}  // namespace slamon
