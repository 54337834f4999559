#pragma once
// The SQLite connection of SqliteRegistryStore: RAII handles, a cache of prepared statements and the
// mapping of SQLite result codes to StoreError. User data only ever reaches SQLite through bound
// parameters; the only SQL text executed directly is constant (pragmas, migrations, BEGIN/COMMIT).
//
// Thread safety: none; the store serializes all use of one Db with its mutex.
// Errors: every failure throws StoreError. Busy/locked -> unavailable ("busy"); unique or primary-key
// violations -> conflict with the caller's message; foreign-key violations -> not_found; anything
// else -> unavailable naming only SQLite's generic error string.
#include <sqlite3.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace vigil::store::sqlite {

class Query;

class Db {
 public:
  // Opens (creating) the file with WAL, synchronous=FULL, foreign keys on and the busy timeout.
  Db(const std::string& path, int busy_timeout_ms);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  // A cached prepared statement for `sql` (a string literal: cached by its text), reset when the
  // returned Query goes out of scope.
  Query query(const char* sql);
  // Constant SQL only.
  void exec(const char* sql);
  [[nodiscard]] sqlite3* raw() const { return db_; }

 private:
  sqlite3* db_ = nullptr;
  std::map<std::string, sqlite3_stmt*, std::less<>> cache_;
};

// Throws the StoreError for a failed SQLite call; `conflict` is the message for unique violations.
[[noreturn]] void fail(sqlite3* db, int rc, std::string_view conflict = {});

class Query {
 public:
  Query(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  ~Query();
  Query(const Query&) = delete;
  Query& operator=(const Query&) = delete;

  // 1-based parameter index; text is copied (SQLITE_TRANSIENT) so temporaries are fine.
  Query& bind(int index, std::string_view text);
  Query& bind(int index, std::int64_t value);
  Query& bind_optional(int index, const std::optional<std::string>& text);  // nullopt -> NULL
  Query& bind_blob(int index, std::string_view bytes);
  Query& bind_null(int index);

  // true: a row is available; false: done.
  bool step();
  // Runs to completion, expecting no rows; `conflict` is the message for a unique violation.
  void run(std::string_view conflict = {});

  [[nodiscard]] std::string text(int column) const;
  [[nodiscard]] std::optional<std::string> optional_text(int column) const;
  [[nodiscard]] std::int64_t integer(int column) const { return sqlite3_column_int64(stmt_, column); }
  [[nodiscard]] bool is_null(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
};

// BEGIN (IMMEDIATE for writes) ... COMMIT; rolls back when destroyed without commit().
class Transaction {
 public:
  Transaction(Db& db, bool write);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit();

 private:
  Db& db_;
  bool open_ = true;
};

}  // namespace vigil::store::sqlite
