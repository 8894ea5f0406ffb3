// A secret value of the catalogue (docs/catalogue.md "Secrets"), apart so that the settings headers
// that hold one need not include the whole model.
#pragma once

#include <string>

namespace slamon::catalogue {

// A secret value read from the catalogue or from a *_file. Never printed: use value() deliberately.
class Secret {
 public:
  Secret() = default;
  Secret(std::string value, std::string source_file)
      : value_(std::move(value)), source_file_(std::move(source_file)) {}
  const std::string& value() const { return value_; }
  const std::string& source_file() const { return source_file_; }  // empty when inline
  bool empty() const { return value_.empty(); }
  bool operator==(const Secret&) const = default;

 private:
  std::string value_;
  std::string source_file_;
};

}  // namespace slamon::catalogue
