#include "log/sqlite_db.h"

#include <fmt/format.h>

#include <stdexcept>

namespace vigil::log::sqlite {

DbPtr open(const std::filesystem::path& file, int flags, const std::string& vfs) {
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(file.c_str(), &raw, flags, vfs.empty() ? nullptr : vfs.c_str());
  DbPtr db(raw);  // SQLite hands out a handle even on failure; it must be closed either way
  if (rc != SQLITE_OK) {
    throw std::runtime_error(fmt::format("cannot open log file '{}': {}", file.string(),
                                         db ? sqlite3_errmsg(db.get()) : sqlite3_errstr(rc)));
  }
  sqlite3_extended_result_codes(db.get(), 1);
  return db;
}

int exec(sqlite3* db, const char* sql) {
  return sqlite3_exec(db, sql, nullptr, nullptr, nullptr);
}

std::string describe(sqlite3* db, std::string_view what, int rc) {
  const char* file = sqlite3_db_filename(db, "main");
  return fmt::format("{} '{}': {} ({})", what, file ? file : "?", sqlite3_errmsg(db), sqlite3_errstr(rc));
}

Stmt::Stmt(sqlite3* db, const char* sql) {
  sqlite3_stmt* raw = nullptr;
  const int rc = sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
  stmt_.reset(raw);
  if (rc != SQLITE_OK) throw std::runtime_error(describe(db, "cannot prepare statement for log file", rc));
}

void Stmt::bind(int index, std::string_view text) {
  // data() of an empty string_view may be null, which SQLite would store as NULL, not "".
  sqlite3_bind_text(stmt_.get(), index, text.empty() ? "" : text.data(), static_cast<int>(text.size()),
                    SQLITE_STATIC);
}

void Stmt::bind_blob(int index, std::string_view bytes) {
  if (bytes.empty()) {
    sqlite3_bind_zeroblob(stmt_.get(), index, 0);  // a null pointer would bind NULL
  } else {
    sqlite3_bind_blob(stmt_.get(), index, bytes.data(), static_cast<int>(bytes.size()), SQLITE_STATIC);
  }
}

void Stmt::bind(int index, std::int64_t value) {
  sqlite3_bind_int64(stmt_.get(), index, value);
}

void Stmt::bind_null(int index) {
  sqlite3_bind_null(stmt_.get(), index);
}

void Stmt::reset() {
  sqlite3_reset(stmt_.get());
  sqlite3_clear_bindings(stmt_.get());
}

std::string Stmt::column_text(int column) const {
  // Works for TEXT and BLOB columns alike; a zero-length value may come back as a null pointer.
  const void* data = sqlite3_column_blob(stmt_.get(), column);
  const int size = sqlite3_column_bytes(stmt_.get(), column);
  if (data == nullptr || size <= 0) return {};
  return std::string(static_cast<const char*>(data), static_cast<std::size_t>(size));
}

}  // namespace vigil::log::sqlite
