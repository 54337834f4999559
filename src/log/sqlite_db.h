#pragma once
// Minimal RAII ownership of SQLite connections and prepared statements for the log's own use.
// SQLite's C API is used directly (no wrapper library): these types only guarantee that handles are
// closed/finalized and make binding and reading columns short.
//
// Thread safety: none. A Db and its Stmts belong to one thread at a time (connections are opened
// with SQLITE_OPEN_NOMUTEX; the owner provides the exclusion).
// Errors: SQLite result codes are returned as values; only open() and prepare() throw
// std::runtime_error, because a log that cannot open or compile its statements cannot run at all.
#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

namespace vigil::log::sqlite {

struct DbCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct StmtFinalizer {
  void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};
using DbPtr = std::unique_ptr<sqlite3, DbCloser>;

// Opens `file` with `flags` (SQLITE_OPEN_*) through `vfs` (empty: SQLite's default) and turns on
// extended result codes. Throws std::runtime_error naming the file when it cannot be opened.
DbPtr open(const std::filesystem::path& file, int flags, const std::string& vfs);

// Runs SQL without results (PRAGMA, DDL). Returns the SQLite result code.
int exec(sqlite3* db, const char* sql);

// "<what> '<file>': <sqlite message> (<code name>)", the single-line form every error takes.
std::string describe(sqlite3* db, std::string_view what, int rc);

class Stmt {
 public:
  Stmt() = default;
  // Compiles `sql` once for repeated use. Throws std::runtime_error on a syntax/schema error.
  Stmt(sqlite3* db, const char* sql);

  [[nodiscard]] sqlite3_stmt* get() const { return stmt_.get(); }

  // Binders by 1-based parameter index. Text and blobs are bound without copying: the bound
  // storage must stay alive until the statement is reset.
  void bind(int index, std::string_view text);
  void bind_blob(int index, std::string_view bytes);
  void bind(int index, std::int64_t value);
  void bind_null(int index);

  // sqlite3_step; SQLITE_ROW, SQLITE_DONE or an error code.
  int step() { return sqlite3_step(stmt_.get()); }
  // Clears bindings and resets, so that the statement holds no read snapshot between uses.
  void reset();

  [[nodiscard]] std::int64_t column_int(int column) const {
    return sqlite3_column_int64(stmt_.get(), column);
  }
  [[nodiscard]] std::string column_text(int column) const;

 private:
  std::unique_ptr<sqlite3_stmt, StmtFinalizer> stmt_;
};

// Resets a statement when leaving scope, whatever path is taken.
class ResetOnExit {
 public:
  explicit ResetOnExit(Stmt& stmt) : stmt_(stmt) {}
  ~ResetOnExit() { stmt_.reset(); }
  ResetOnExit(const ResetOnExit&) = delete;
  ResetOnExit& operator=(const ResetOnExit&) = delete;

 private:
  Stmt& stmt_;
};

}  // namespace vigil::log::sqlite
