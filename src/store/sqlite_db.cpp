#include "store/sqlite_db.h"

#include <fmt/format.h>

#include "store/store_error.h"

namespace vigil::store::sqlite {

[[noreturn]] void fail(sqlite3* db, int rc, std::string_view conflict) {
  const int extended = db ? sqlite3_extended_errcode(db) : rc;
  using Code = StoreError::Code;
  switch (extended) {
    case SQLITE_CONSTRAINT_PRIMARYKEY:
    case SQLITE_CONSTRAINT_UNIQUE:
      throw StoreError(Code::conflict,
                       conflict.empty() ? "the record already exists" : std::string(conflict));
    case SQLITE_CONSTRAINT_FOREIGNKEY:
      throw StoreError(Code::not_found, "a record this change refers to does not exist");
    default:
      break;
  }
  if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED) {
    throw StoreError(Code::unavailable, "the registry database is busy; retry later");
  }
  throw StoreError(Code::unavailable, fmt::format("the registry database failed ({})", sqlite3_errstr(rc)));
}

Db::Db(const std::string& path, int busy_timeout_ms) {
  const int rc = sqlite3_open_v2(path.c_str(), &db_,
                                 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_close_v2(db_);  // SQLite hands out a handle even on failure
    db_ = nullptr;
    throw StoreError(StoreError::Code::unavailable,
                     fmt::format("cannot open the registry database '{}' ({})", path, sqlite3_errstr(rc)));
  }
  sqlite3_extended_result_codes(db_, 1);
  sqlite3_busy_timeout(db_, busy_timeout_ms);
  try {
    exec("PRAGMA journal_mode=WAL");
    exec("PRAGMA synchronous=FULL");
    exec("PRAGMA foreign_keys=ON");
  } catch (...) {
    sqlite3_close_v2(db_);
    throw;
  }
}

Db::~Db() {
  for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
  sqlite3_close_v2(db_);
}

Query Db::query(const char* sql) {
  auto it = cache_.find(std::string_view(sql));
  if (it == cache_.end()) {
    sqlite3_stmt* stmt = nullptr;
    const int rc = sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) fail(db_, rc);
    it = cache_.emplace(sql, stmt).first;
  }
  return Query(db_, it->second);
}

void Db::exec(const char* sql) {
  const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) fail(db_, rc);
}

Query::~Query() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

Query& Query::bind(int index, std::string_view text) {
  // An empty view may have a null data(), which SQLite would store as NULL rather than "".
  sqlite3_bind_text(stmt_, index, text.empty() ? "" : text.data(), static_cast<int>(text.size()),
                    SQLITE_TRANSIENT);
  return *this;
}

Query& Query::bind(int index, std::int64_t value) {
  sqlite3_bind_int64(stmt_, index, value);
  return *this;
}

Query& Query::bind_optional(int index, const std::optional<std::string>& text) {
  return text ? bind(index, std::string_view(*text)) : bind_null(index);
}

Query& Query::bind_blob(int index, std::string_view bytes) {
  sqlite3_bind_blob(stmt_, index, bytes.empty() ? "" : bytes.data(), static_cast<int>(bytes.size()),
                    SQLITE_TRANSIENT);
  return *this;
}

Query& Query::bind_null(int index) {
  sqlite3_bind_null(stmt_, index);
  return *this;
}

bool Query::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  fail(db_, rc);
}

void Query::run(std::string_view conflict) {
  for (;;) {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_DONE) return;
    if (rc != SQLITE_ROW) fail(db_, rc, conflict);
  }
}

std::string Query::text(int column) const {
  const void* data = sqlite3_column_blob(stmt_, column);
  const int size = sqlite3_column_bytes(stmt_, column);
  if (data == nullptr || size <= 0) return {};
  return std::string(static_cast<const char*>(data), static_cast<std::size_t>(size));
}

std::optional<std::string> Query::optional_text(int column) const {
  if (is_null(column)) return std::nullopt;
  return text(column);
}

Transaction::Transaction(Db& db, bool write) : db_(db) {
  db_.exec(write ? "BEGIN IMMEDIATE" : "BEGIN");
}

Transaction::~Transaction() {
  if (open_) sqlite3_exec(db_.raw(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void Transaction::commit() {
  db_.exec("COMMIT");
  open_ = false;
}

}  // namespace vigil::store::sqlite
