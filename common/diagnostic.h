// A user-facing error in an input file: where it is, which object it concerns, what is wrong.
#pragma once

#include <string>
#include <vector>

namespace slamon {

struct Diagnostic {
  std::string file;
  int line = 0;  // 1-based; 0 when the whole file is meant
  int col = 0;   // 1-based
  std::string object;   // "probe web-01.http", "sla payroll-gold"; empty when none
  std::string message;  // never contains a secret
  bool operator==(const Diagnostic&) const = default;
};

// "file:line:col: error: probe web-01.http: message", always one line (control characters escaped).
std::string format_diagnostic(const Diagnostic& d);

}  // namespace slamon
