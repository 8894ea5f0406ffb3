// Formatting of diagnostics in the compiler-like form editors understand.
#include "common/diagnostic.h"

namespace slamon {

std::string format_diagnostic(const Diagnostic& d) {
  std::string out = d.file;
  if (d.line > 0) {
    out += ':' + std::to_string(d.line);
    if (d.col > 0) out += ':' + std::to_string(d.col);
  }
  out += ": error: ";
  if (!d.object.empty()) out += d.object + ": ";
  out += d.message;
  return out;
}

}  // namespace slamon
