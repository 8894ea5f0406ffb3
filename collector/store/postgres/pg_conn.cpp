// The libpq connection wrapper (see pg_conn.h).
#include "collector/store/postgres/pg_conn.h"

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <regex>

#include "collector/store/store.h"

namespace slamon::store::postgres {

std::string redact_url(std::string_view url) {
  std::string s(url);
  // postgresql://user:password@host...
  static const std::regex userinfo(R"(^([a-zA-Z]+://[^:@/?]*):[^@/?]*@)");
  s = std::regex_replace(s, userinfo, "$1:***@");
  static const std::regex keyword(R"(([?&]password=)[^&]*)");
  return std::regex_replace(s, keyword, "$1***");
}

std::int64_t PgResult::int64(int row, int col) const {
  const auto t = text(row, col);
  std::int64_t v = 0;
  std::from_chars(t.data(), t.data() + t.size(), v);
  return v;
}

double PgResult::real(int row, int col) const {
  return std::strtod(PQgetvalue(r_, row, col), nullptr);
}

std::string PgResult::bytes(int row, int col) const {
  const auto t = text(row, col);  // "\x" then hex digits (bytea_output = hex, set at connect)
  std::string out;
  if (t.size() < 2) return out;
  out.reserve((t.size() - 2) / 2);
  auto nib = [](char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; };
  for (std::size_t i = 2; i + 1 < t.size(); i += 2) out.push_back(static_cast<char>(nib(t[i]) << 4 | nib(t[i + 1])));
  return out;
}

std::uint64_t PgResult::affected() const {
  const char* n = PQcmdTuples(r_);
  return n == nullptr || *n == 0 ? 0 : std::strtoull(n, nullptr, 10);
}

PgParams& PgParams::add(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return add_text(buf);
}

PgParams& PgParams::add_bytes(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s = "\\x";
  s.reserve(2 + bytes.size() * 2);
  for (const unsigned char c : bytes) {
    s.push_back(kHex[c >> 4]);
    s.push_back(kHex[c & 15]);
  }
  return add_text(std::move(s));
}

std::vector<const char*> PgParams::pointers() const {
  std::vector<const char*> p;
  p.reserve(values_.size());
  for (const auto& v : values_) p.push_back(v ? v->c_str() : nullptr);
  return p;
}

namespace {
// libpq's message on one line (a log line each): trailing blanks cut, inner line breaks as spaces.
std::string trimmed(const char* m) {
  std::string s = m == nullptr ? "" : m;
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  std::string out;
  out.reserve(s.size());
  for (const char c : s) {
    if (c == '\n' || c == '\t') {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}
}  // namespace

PgConn::PgConn(std::string url) : url_(std::move(url)), shown_(redact_url(url_)) {
  ensure_connected();
}

PgConn::~PgConn() { PQfinish(c_); }

bool PgConn::ensure_connected() {
  if (c_ != nullptr && PQstatus(c_) == CONNECTION_OK) return false;
  if (c_ != nullptr) {
    PQreset(c_);
  } else {
    // A connect that hangs (a server gone from the network) gives up after 10 s unless the URL says
    // otherwise (its own connect_timeout comes later and wins); PQreset keeps the setting.
    const char* keys[] = {"connect_timeout", "dbname", nullptr};
    const char* values[] = {"10", url_.c_str(), nullptr};
    c_ = PQconnectdbParams(keys, values, 1);
  }
  if (c_ == nullptr) throw StoreFailure("store " + shown_ + ": cannot connect: out of memory");
  if (PQstatus(c_) != CONNECTION_OK) {
    const std::string why = trimmed(PQerrorMessage(c_));
    PQfinish(c_);  // the next call connects afresh (and a constructor that throws leaves nothing)
    c_ = nullptr;
    throw StoreFailure("store " + shown_ + ": cannot connect: " + why);
  }
  // Fixed session settings the store's SQL relies on: UTC, hex bytea, quiet notices.
  exec("SET client_min_messages = warning; SET bytea_output = hex; SET TIME ZONE 'UTC'");
  return true;
}

void PgConn::fail(std::string_view what) const {
  throw StoreFailure("store " + shown_ + ": " + std::string(what) + ": " + trimmed(PQerrorMessage(c_)));
}

PgResult PgConn::check(PGresult* r, std::string_view what) const {
  PgResult out(r);
  const auto st = PQresultStatus(r);
  if (r == nullptr || (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)) {
    std::string msg = r != nullptr ? trimmed(PQresultErrorMessage(r)) : trimmed(PQerrorMessage(c_));
    if (PQstatus(c_) != CONNECTION_OK) msg = "connection lost: " + msg;
    throw StoreFailure("store " + shown_ + ": " + std::string(what) + ": " + msg);
  }
  return out;
}

void PgConn::exec(std::string_view sql) {
  check(PQexec(c_, std::string(sql).c_str()), sql.substr(0, 40));
}

PgResult PgConn::query(std::string_view sql, const PgParams& p) {
  const auto ptrs = p.pointers();
  return check(PQexecParams(c_, std::string(sql).c_str(), static_cast<int>(ptrs.size()), nullptr, ptrs.data(), nullptr,
                            nullptr, 0),
               sql.substr(0, 40));
}

void PgConn::prepare(const std::string& name, std::string_view sql) {
  check(PQprepare(c_, name.c_str(), std::string(sql).c_str(), 0, nullptr), "prepare " + name);
}

PgResult PgConn::run(const std::string& name, const PgParams& p) {
  const auto ptrs = p.pointers();
  return check(PQexecPrepared(c_, name.c_str(), static_cast<int>(ptrs.size()), ptrs.data(), nullptr, nullptr, 0), name);
}

bool PgConn::in_transaction() const {
  const auto s = PQtransactionStatus(c_);
  return s == PQTRANS_INTRANS || s == PQTRANS_INERROR;
}

int PgConn::take_notifications() {
  if (c_ == nullptr || PQstatus(c_) != CONNECTION_OK || PQconsumeInput(c_) == 0) return 0;
  int n = 0;
  while (PGnotify* m = PQnotifies(c_)) {
    ++n;
    PQfreemem(m);
  }
  return n;
}

PgTransaction::~PgTransaction() {
  if (done_) return;
  try {
    c_.exec("ROLLBACK");
  } catch (...) {  // the connection is gone: nothing was committed
  }
}

}  // namespace slamon::store::postgres
