// Reading typed values out of YamlNodes with catalogue-quality errors: each helper reports what is
// wrong at the node's file:line:col, naming the object being read, and returns nullopt on error.
// Used by the catalogue loader and by the agent configuration.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/catalogue/model.h"
#include "common/catalogue/yaml_tree.h"
#include "common/decimal.h"
#include "common/diagnostic.h"
#include "common/time.h"

namespace slamon::catalogue {

// Where errors go while one object is read: the file shown to the user and the object's name.
struct Ctx {
  const std::string* file = nullptr;
  std::string object;  // "probe web-01.http"
  std::vector<Diagnostic>* errors = nullptr;

  void error(const YamlNode& at, std::string message) const;
  void error_at(int line, int col, std::string message) const;
  Ctx with_object(std::string name) const { return Ctx{file, std::move(name), errors}; }
};

// A map read as an object: key lookup, and the unknown / repeated key check.
class MapView {
 public:
  MapView(const Ctx& ctx, const YamlNode& node) : ctx_(ctx), node_(node) {}
  const YamlNode* find(std::string_view key) const;  // first occurrence
  // Reports every key not in `allowed` (with a suggestion) and every repeated key.
  // `elsewhere` lists keys valid for sibling kinds, reported as "not valid for <kind_label>".
  void check_keys(std::span<const std::string_view> allowed,
                  std::span<const std::string_view> elsewhere = {},
                  std::string_view kind_label = {}) const;
  // Reports only repeated and non-string keys (for free-form maps such as labels).
  void check_duplicates() const { check(nullptr, {}, {}); }
  // Reports a required key that is missing (at the map's position).
  const YamlNode* require(std::string_view key) const;
  const YamlNode& node() const { return node_; }

 private:
  void check(std::span<const std::string_view>* allowed, std::span<const std::string_view> elsewhere,
             std::string_view kind_label) const;

  const Ctx& ctx_;
  const YamlNode& node_;
};

// Scalars. `what` is the field name used in messages.
std::optional<std::string> read_string(const Ctx& ctx, const YamlNode& n, std::string_view what);
std::optional<std::int64_t> read_int(const Ctx& ctx, const YamlNode& n, std::string_view what,
                                     std::int64_t min, std::int64_t max);
std::optional<double> read_number(const Ctx& ctx, const YamlNode& n, std::string_view what);
std::optional<bool> read_bool(const Ctx& ctx, const YamlNode& n, std::string_view what);
// A duration with unit, more than zero unless allow_zero, at most kMaxDurationMs (so that sums and
// "3 x interval" never overflow).
constexpr DurationMs kMaxDurationMs = 36'500LL * 86'400'000;
std::optional<DurationMs> read_duration(const Ctx& ctx, const YamlNode& n, std::string_view what,
                                        bool allow_zero = false);
// Up to 4 decimals.
std::optional<Decimal4> read_decimal(const Ctx& ctx, const YamlNode& n, std::string_view what);
// YYYY-MM-DD, a valid calendar date.
std::optional<LocalDate> read_date(const Ctx& ctx, const YamlNode& n, std::string_view what);
// RFC 3339 with an offset.
std::optional<TimeMs> read_timestamp(const Ctx& ctx, const YamlNode& n, std::string_view what);
// One of `choices` (exact spelling); the error lists them.
std::optional<std::size_t> read_choice(const Ctx& ctx, const YamlNode& n, std::string_view what,
                                       std::span<const std::string_view> choices);
// A list of strings; a single scalar is accepted as a one-item list when allow_single.
std::optional<std::vector<const YamlNode*>> read_list(const Ctx& ctx, const YamlNode& n,
                                                      std::string_view what, bool allow_single);
// A map of strings to strings (labels, headers), in file order; repeated keys are errors.
std::optional<std::vector<std::pair<std::string, std::string>>> read_string_pairs(
    const Ctx& ctx, const YamlNode& n, std::string_view what);
std::optional<std::map<std::string, std::string>> read_labels(const Ctx& ctx, const YamlNode& n);

// "host:port" or "[v6-address]:port" with a port 1-65535; nullopt otherwise.
std::optional<std::pair<std::string, int>> parse_host_port(std::string_view s);

// A LocalDate as YYYY-MM-DD; parse_local_date is the strict inverse.
std::string format_local_date(LocalDate d);
std::optional<LocalDate> parse_local_date(std::string_view s);

}  // namespace slamon::catalogue
