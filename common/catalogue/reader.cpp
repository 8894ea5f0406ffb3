// Typed readers over YamlNode with located errors.
#include "common/catalogue/reader.h"

#include <charconv>
#include <cmath>
#include <cstdio>

#include "common/catalogue/suggest.h"

namespace slamon::catalogue {
namespace {

std::string quoted(std::string_view s) {
  std::string out = "'";
  for (const char c : s.substr(0, 80)) out += (static_cast<unsigned char>(c) < 0x20) ? '?' : c;
  if (s.size() > 80) out += "...";
  return out + "'";
}

bool expect_scalar(const Ctx& ctx, const YamlNode& n, std::string_view what, std::string_view expected) {
  if (n.is_scalar()) return true;
  ctx.error(n, std::string(what) + " must be " + std::string(expected) + ", not " + std::string(kind_name(n)));
  return false;
}

}  // namespace

void Ctx::error(const YamlNode& at, std::string message) const { error_at(at.line, at.col, std::move(message)); }

void Ctx::error_at(int line, int col, std::string message) const {
  errors->push_back(Diagnostic{*file, line, col, object, std::move(message)});
}

const YamlNode* MapView::find(std::string_view key) const {
  if (!node_.is_map()) return nullptr;
  for (std::size_t i = 0; i < node_.map_size(); ++i) {
    const YamlNode& k = node_.key(i);
    if (k.is_scalar() && k.text == key) return &node_.value(i);
  }
  return nullptr;
}

void MapView::check_keys(std::span<const std::string_view> allowed, std::span<const std::string_view> elsewhere,
                         std::string_view kind_label) const {
  check(&allowed, elsewhere, kind_label);
}

void MapView::check(std::span<const std::string_view>* allowed_or_any, std::span<const std::string_view> elsewhere,
                    std::string_view kind_label) const {
  if (!node_.is_map()) return;
  for (std::size_t i = 0; i < node_.map_size(); ++i) {
    const YamlNode& k = node_.key(i);
    if (!k.is_scalar()) {
      ctx_.error(k, "a key must be a plain string, not " + std::string(kind_name(k)));
      continue;
    }
    bool repeated = false;
    for (std::size_t j = 0; j < i && !repeated; ++j) {
      const YamlNode& prev = node_.key(j);
      if (prev.is_scalar() && prev.text == k.text) {
        ctx_.error(k, "duplicate key " + quoted(k.text) + " (first at line " + std::to_string(prev.line) + ")");
        repeated = true;
      }
    }
    if (repeated || allowed_or_any == nullptr) continue;
    const auto allowed = *allowed_or_any;
    bool known = false;
    for (const auto a : allowed) known = known || a == k.text;
    if (known) continue;
    bool other = false;
    for (const auto a : elsewhere) other = other || a == k.text;
    if (other) {
      ctx_.error(k, "key " + quoted(k.text) + " is not valid for " + std::string(kind_label));
      continue;
    }
    std::string msg = "unknown key " + quoted(k.text);
    if (auto s = closest_word(k.text, allowed)) msg += "; did you mean '" + *s + "'?";
    ctx_.error(k, std::move(msg));
  }
}

const YamlNode* MapView::require(std::string_view key) const {
  const YamlNode* v = find(key);
  if (v == nullptr) ctx_.error(node_, "missing required field '" + std::string(key) + "'");
  return v;
}

std::optional<std::string> read_string(const Ctx& ctx, const YamlNode& n, std::string_view what) {
  if (!expect_scalar(ctx, n, what, "a string")) return std::nullopt;
  return n.text;
}

std::optional<std::int64_t> read_int(const Ctx& ctx, const YamlNode& n, std::string_view what, std::int64_t min,
                                     std::int64_t max) {
  if (!expect_scalar(ctx, n, what, "an integer")) return std::nullopt;
  std::int64_t v = 0;
  const char* b = n.text.data();
  const char* e = b + n.text.size();
  const auto r = std::from_chars(b, e, v);
  if (r.ec != std::errc{} || r.ptr != e) {
    ctx.error(n, std::string(what) + " must be an integer, not " + quoted(n.text));
    return std::nullopt;
  }
  if (v < min || v > max) {
    ctx.error(n, std::string(what) + " must be between " + std::to_string(min) + " and " + std::to_string(max) +
                     ", not " + std::to_string(v));
    return std::nullopt;
  }
  return v;
}

std::optional<double> read_number(const Ctx& ctx, const YamlNode& n, std::string_view what) {
  if (!expect_scalar(ctx, n, what, "a number")) return std::nullopt;
  double v = 0;
  const char* b = n.text.data();
  const char* e = b + n.text.size();
  const auto r = std::from_chars(b, e, v);
  if (r.ec != std::errc{} || r.ptr != e || !std::isfinite(v)) {
    ctx.error(n, std::string(what) + " must be a number, not " + quoted(n.text));
    return std::nullopt;
  }
  return v;
}

std::optional<bool> read_bool(const Ctx& ctx, const YamlNode& n, std::string_view what) {
  if (!expect_scalar(ctx, n, what, "true or false")) return std::nullopt;
  if (n.text == "true" || n.text == "True" || n.text == "TRUE") return true;
  if (n.text == "false" || n.text == "False" || n.text == "FALSE") return false;
  ctx.error(n, std::string(what) + " must be true or false, not " + quoted(n.text));
  return std::nullopt;
}

std::optional<DurationMs> read_duration(const Ctx& ctx, const YamlNode& n, std::string_view what,
                                        bool allow_zero) {
  if (!expect_scalar(ctx, n, what, "a duration")) return std::nullopt;
  const auto d = parse_duration(n.text);
  if (!d) {
    bool bare = !n.text.empty();
    for (const char c : n.text) bare = bare && ((c >= '0' && c <= '9') || c == '.');
    ctx.error(n, std::string(what) + ": " +
                     (bare ? "a duration needs a unit (ms, s, m, h, d), as in '" + n.text + "s'"
                           : "bad duration " + quoted(n.text) + " (an integer with unit ms, s, m, h or d)"));
    return std::nullopt;
  }
  if (*d == 0 && !allow_zero) {
    ctx.error(n, std::string(what) + " must be more than zero");
    return std::nullopt;
  }
  if (*d > kMaxDurationMs) {
    ctx.error(n, std::string(what) + ": " + quoted(n.text) + " is too long (at most " + format_duration(kMaxDurationMs) +
                     ", 100 years)");
    return std::nullopt;
  }
  return d;
}

std::optional<Decimal4> read_decimal(const Ctx& ctx, const YamlNode& n, std::string_view what) {
  if (!expect_scalar(ctx, n, what, "a number")) return std::nullopt;
  const auto d = parse_decimal4(n.text);
  if (!d) {
    ctx.error(n, std::string(what) + " must be a decimal number with at most 4 decimals, not " + quoted(n.text));
    return std::nullopt;
  }
  return d;
}

std::optional<std::pair<std::string, int>> parse_host_port(std::string_view s) {
  std::string host;
  std::string_view port;
  if (!s.empty() && s[0] == '[') {
    const auto close = s.find(']');
    if (close == std::string_view::npos || close + 1 >= s.size() || s[close + 1] != ':') return std::nullopt;
    host = std::string(s.substr(1, close - 1));
    port = s.substr(close + 2);
  } else {
    const auto colon = s.rfind(':');
    if (colon == std::string_view::npos || s.find(':') != colon) return std::nullopt;
    host = std::string(s.substr(0, colon));
    port = s.substr(colon + 1);
  }
  if (host.empty() || port.empty() || port.size() > 5) return std::nullopt;
  int p = 0;
  for (const char c : port) {
    if (c < '0' || c > '9') return std::nullopt;
    p = p * 10 + (c - '0');
  }
  if (p < 1 || p > 65535) return std::nullopt;
  return std::make_pair(host, p);
}

std::string format_local_date(LocalDate d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(d.year()), static_cast<unsigned>(d.month()),
                static_cast<unsigned>(d.day()));
  return buf;
}

std::optional<LocalDate> parse_local_date(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  int v[3] = {0, 0, 0};
  const std::size_t pos[3] = {0, 5, 8}, len[3] = {4, 2, 2};
  for (int k = 0; k < 3; ++k) {
    for (std::size_t i = pos[k]; i < pos[k] + len[k]; ++i) {
      if (s[i] < '0' || s[i] > '9') return std::nullopt;
      v[k] = v[k] * 10 + (s[i] - '0');
    }
  }
  const LocalDate d{std::chrono::year{v[0]}, std::chrono::month{static_cast<unsigned>(v[1])},
                    std::chrono::day{static_cast<unsigned>(v[2])}};
  if (!d.ok()) return std::nullopt;
  return d;
}

std::optional<LocalDate> read_date(const Ctx& ctx, const YamlNode& n, std::string_view what) {
  if (!expect_scalar(ctx, n, what, "a date (YYYY-MM-DD)")) return std::nullopt;
  const auto d = parse_local_date(n.text);
  if (!d) ctx.error(n, std::string(what) + ": bad date " + quoted(n.text) + " (expected a valid YYYY-MM-DD)");
  return d;
}

std::optional<TimeMs> read_timestamp(const Ctx& ctx, const YamlNode& n, std::string_view what) {
  if (!expect_scalar(ctx, n, what, "a timestamp")) return std::nullopt;
  const auto t = parse_rfc3339(n.text);
  if (!t)
    ctx.error(n, std::string(what) + ": bad timestamp " + quoted(n.text) +
                     " (expected RFC 3339 with an offset, as in 2026-10-10T22:00:00+08:00)");
  return t;
}

std::optional<std::size_t> read_choice(const Ctx& ctx, const YamlNode& n, std::string_view what,
                                       std::span<const std::string_view> choices) {
  std::string list;
  for (const auto c : choices) list += (list.empty() ? "" : ", ") + std::string(c);
  if (!expect_scalar(ctx, n, what, "one of " + list)) return std::nullopt;
  for (std::size_t i = 0; i < choices.size(); ++i)
    if (choices[i] == n.text) return i;
  std::string msg = std::string(what) + " must be one of " + list + ", not " + quoted(n.text);
  if (auto s = closest_word(n.text, choices)) msg += "; did you mean '" + *s + "'?";
  ctx.error(n, std::move(msg));
  return std::nullopt;
}

std::optional<std::vector<const YamlNode*>> read_list(const Ctx& ctx, const YamlNode& n, std::string_view what,
                                                      bool allow_single) {
  if (n.is_sequence()) return n.items;
  if (allow_single && n.is_scalar()) return std::vector<const YamlNode*>{&n};
  ctx.error(n, std::string(what) + " must be a list, not " + std::string(kind_name(n)));
  return std::nullopt;
}

std::optional<std::vector<std::pair<std::string, std::string>>> read_string_pairs(const Ctx& ctx,
                                                                                  const YamlNode& n,
                                                                                  std::string_view what) {
  if (!n.is_map()) {
    ctx.error(n, std::string(what) + " must be a map of strings, not " + std::string(kind_name(n)));
    return std::nullopt;
  }
  MapView(ctx, n).check_duplicates();
  std::vector<std::pair<std::string, std::string>> out;
  bool ok = true;
  for (std::size_t i = 0; i < n.map_size(); ++i) {
    const YamlNode& k = n.key(i);
    const YamlNode& v = n.value(i);
    if (!k.is_scalar()) {
      ok = false;
      continue;
    }
    if (!v.is_scalar()) {
      ctx.error(v, std::string(what) + ": the value of '" + k.text.substr(0, 80) + "' must be a string, not " +
                       std::string(kind_name(v)));
      ok = false;
      continue;
    }
    out.emplace_back(k.text, v.text);
  }
  if (!ok) return std::nullopt;
  return out;
}

std::optional<std::map<std::string, std::string>> read_labels(const Ctx& ctx, const YamlNode& n) {
  auto pairs = read_string_pairs(ctx, n, "labels");
  if (!pairs) return std::nullopt;
  return std::map<std::string, std::string>(pairs->begin(), pairs->end());
}

}  // namespace slamon::catalogue
