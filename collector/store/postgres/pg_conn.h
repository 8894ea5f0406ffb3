// A thin owner of one libpq connection: statements with text parameters (never SQL built from user
// strings), prepared statements by name, transactions, and errors as store::StoreFailure naming the
// store's URL without its password.
#pragma once

#include <libpq-fe.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace slamon::store::postgres {

// `url` with any password replaced by "***" (postgresql://user:secret@host/db, password=... too).
std::string redact_url(std::string_view url);

// One result set (owned); columns in text format.
class PgResult {
 public:
  PgResult() = default;
  explicit PgResult(PGresult* r) : r_(r) {}
  ~PgResult() { PQclear(r_); }
  PgResult(PgResult&& o) noexcept : r_(std::exchange(o.r_, nullptr)) {}
  PgResult& operator=(PgResult&& o) noexcept {
    std::swap(r_, o.r_);
    return *this;
  }
  PgResult(const PgResult&) = delete;
  PgResult& operator=(const PgResult&) = delete;

  int rows() const { return r_ == nullptr ? 0 : PQntuples(r_); }
  bool is_null(int row, int col) const { return PQgetisnull(r_, row, col) != 0; }
  std::string_view text(int row, int col) const {
    return {PQgetvalue(r_, row, col), static_cast<std::size_t>(PQgetlength(r_, row, col))};
  }
  std::int64_t int64(int row, int col) const;
  double real(int row, int col) const;
  std::string bytes(int row, int col) const;  // a bytea column, decoded
  std::uint64_t affected() const;             // rows a command changed

 private:
  PGresult* r_ = nullptr;
};

// Parameters of one statement, in text format.
class PgParams {
 public:
  PgParams& add(std::int64_t v) { return add_text(std::to_string(v)); }
  PgParams& add(double v);
  PgParams& add(std::string_view v) { return add_text(std::string(v)); }
  PgParams& add_bytes(std::string_view bytes);  // for a bytea parameter (hex)
  PgParams& add_null() {
    values_.emplace_back(std::nullopt);
    return *this;
  }
  template <class T>
  PgParams& add(const std::optional<T>& v) {
    return v ? add(*v) : add_null();
  }
  std::size_t size() const { return values_.size(); }
  std::vector<const char*> pointers() const;

 private:
  PgParams& add_text(std::string s) {
    values_.emplace_back(std::move(s));
    return *this;
  }
  std::vector<std::optional<std::string>> values_;
};

class PgConn {
 public:
  // Connects to `url` (a libpq connection URI). Throws StoreFailure.
  explicit PgConn(std::string url);
  ~PgConn();
  PgConn(const PgConn&) = delete;
  PgConn& operator=(const PgConn&) = delete;

  const std::string& shown_url() const { return shown_; }  // redacted, for messages
  // Reconnects when the connection was lost (then the prepared statements are prepared again by the
  // caller: returns true). Throws StoreFailure when it cannot.
  bool ensure_connected();
  // Runs SQL text without parameters (may hold several statements).
  void exec(std::string_view sql);
  PgResult query(std::string_view sql, const PgParams& p = {});
  void prepare(const std::string& name, std::string_view sql);
  PgResult run(const std::string& name, const PgParams& p);
  bool in_transaction() const;
  // Reads what the server sent without waiting and returns how many NOTIFY messages (of the
  // channels this session LISTENs to) came since the last call; 0 when the connection is down.
  int take_notifications();
  // A failure: StoreFailure("store URL: what: libpq's message").
  [[noreturn]] void fail(std::string_view what) const;

 private:
  PgResult check(PGresult* r, std::string_view what) const;
  std::string url_, shown_;
  PGconn* c_ = nullptr;
};

// BEGIN on construction, ROLLBACK on destruction unless committed.
class PgTransaction {
 public:
  explicit PgTransaction(PgConn& c) : c_(c) { c_.exec("BEGIN"); }
  ~PgTransaction();
  PgTransaction(const PgTransaction&) = delete;
  PgTransaction& operator=(const PgTransaction&) = delete;
  void commit() {
    c_.exec("COMMIT");
    done_ = true;
  }

 private:
  PgConn& c_;
  bool done_ = false;
};

}  // namespace slamon::store::postgres
