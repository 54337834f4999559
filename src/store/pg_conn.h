#pragma once
// One libpq connection of PgRegistryStore: RAII handles, statements prepared once per connection
// and the mapping of SQLSTATEs to StoreError. User data only ever reaches PostgreSQL as parameters
// of prepared statements (text format); the only SQL sent as text is constant (migration DDL).
//
// Thread safety: none; a Conn is used by one thread at a time (the pool hands it out).
// Ownership: a Conn owns its PGconn. Statement SQL must be string literals (kept by pointer).
// Errors: every failure throws StoreError with a client-safe message, never SQL or server text:
// 23505 -> conflict (the caller's message), 23503 -> not_found, 40001/40P01/55P03/57014 and broken
// connections -> unavailable ("busy"/"lost"), data exceptions (class 22, e.g. invalid UTF-8) ->
// invalid_argument, anything else -> unavailable naming only the SQLSTATE.
#include <libpq-fe.h>

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace vigil::store::pg {

// A statement prepared under `name` the first time a connection runs it. Names are unique per store.
struct Statement {
  const char* name;
  const char* sql;
};

// One text-format parameter; nullopt is SQL NULL.
class Param {
 public:
  // Throws StoreError invalid_argument for text holding NUL, which the text protocol cannot carry.
  Param(std::string_view text);  // NOLINT(google-explicit-constructor): parameter lists read naturally
  Param(const std::string& text) : Param(std::string_view(text)) {}  // NOLINT
  Param(const char* text) : Param(std::string_view(text)) {}         // NOLINT
  Param(std::int64_t number) : value_(std::to_string(number)) {}     // NOLINT
  Param(const std::optional<std::string>& text);                     // NOLINT
  Param(std::nullptr_t) {}                                           // NOLINT
  // Bytes as bytea's text input form ("\x" + hex), so any byte value travels safely.
  static Param bytea(std::string_view bytes);

  [[nodiscard]] const char* c_str() const { return value_ ? value_->c_str() : nullptr; }

 private:
  Param() = default;
  std::optional<std::string> value_;
};

class Result {
 public:
  explicit Result(PGresult* result) : result_(result, &PQclear) {}

  [[nodiscard]] int rows() const { return PQntuples(result_.get()); }
  [[nodiscard]] bool empty() const { return rows() == 0; }
  [[nodiscard]] bool is_null(int row, int column) const {
    return PQgetisnull(result_.get(), row, column) != 0;
  }
  [[nodiscard]] std::string text(int row, int column) const;
  [[nodiscard]] std::optional<std::string> optional_text(int row, int column) const;
  // Throws StoreError unavailable when the column is not an integer.
  [[nodiscard]] std::int64_t integer(int row, int column) const;
  // A bytea column, decoded.
  [[nodiscard]] std::string bytes(int row, int column) const;

 private:
  std::unique_ptr<PGresult, decltype(&PQclear)> result_;
};

class Conn {
 public:
  // Connects with `conninfo` (keyword=value or URI; its own connect_timeout and application_name win
  // over `connect_timeout` and "vigil"), client encoding UTF8. Throws StoreError unavailable on failure.
  Conn(const std::string& conninfo, std::chrono::milliseconds connect_timeout);
  ~Conn();
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;

  // Runs a prepared statement. `conflict` is the message for a unique violation.
  Result exec(const Statement& statement, std::initializer_list<Param> params = {},
              std::string_view conflict = {});
  // Constant SQL only (migration DDL, which may hold several statements).
  void exec_constant(const char* sql);

  // Connected and outside any transaction: fit to go back to the pool.
  [[nodiscard]] bool reusable() const;
  [[nodiscard]] PGconn* raw() const { return conn_; }

 private:
  Result check(PGresult* result, std::string_view conflict);

  PGconn* conn_ = nullptr;
  std::unordered_map<std::string, const char*> prepared_;  // name -> the SQL it was prepared with
};

// BEGIN ... COMMIT on one connection; rolls back when destroyed without commit().
class Transaction {
 public:
  enum class Mode { write, snapshot };  // snapshot: REPEATABLE READ READ ONLY
  Transaction(Conn& conn, Mode mode);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit();

 private:
  Conn& conn_;
  bool open_ = true;
};

}  // namespace vigil::store::pg
