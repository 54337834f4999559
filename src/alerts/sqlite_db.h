#pragma once
// A thin RAII layer over one SQLite connection, private to the alerts module: prepared statements
// cached by SQL text, bound parameters only, and errors as SqliteError carrying SQLite's message.
//
// Thread safety: none. The AlertStore guards each SqliteDb with its own mutex.
#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>

namespace vigil::alerts {

class SqliteError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// One prepared statement in use. Reset and cleared on destruction, so a cached statement is ready
// for the next caller even when this one threw half-way.
class Statement {
 public:
  explicit Statement(sqlite3_stmt* stmt) : stmt_(stmt) {}
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Binding is 1-based, as in SQLite.
  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, std::string_view value);
  Statement& bind_null(int index);

  // Advances; true while a row is available, false when done. Throws SqliteError on failure.
  bool step();
  // Runs a statement that returns no rows.
  void run();

  [[nodiscard]] std::int64_t column_int(int index) const;
  [[nodiscard]] std::string column_text(int index) const;

 private:
  sqlite3_stmt* stmt_;
};

class SqliteDb {
 public:
  // Opens (creating when `create`) the file. Throws SqliteError naming the path on failure.
  SqliteDb(const std::filesystem::path& file, bool create);
  ~SqliteDb();
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;

  // Runs one or more statements without parameters (schema, pragmas, BEGIN/COMMIT).
  void exec(const char* sql);
  // A statement from the cache, prepared on first use.
  Statement prepare(const std::string& sql);
  [[nodiscard]] std::int64_t last_insert_rowid() const;
  [[nodiscard]] std::string error_message() const;

 private:
  sqlite3* db_ = nullptr;
  std::unordered_map<std::string, sqlite3_stmt*> cache_;
};

// BEGIN IMMEDIATE on construction; ROLLBACK on destruction unless commit() succeeded.
class Transaction {
 public:
  explicit Transaction(SqliteDb& db);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit();

 private:
  SqliteDb& db_;
  bool done_ = false;
};

}  // namespace vigil::alerts
