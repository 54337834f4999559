#include "store/pg_conn.h"

#include <fmt/format.h>

#include <array>
#include <charconv>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "common/hex.h"
#include "store/store_error.h"

namespace vigil::store::pg {
namespace {

using Code = StoreError::Code;

constexpr Statement kBegin{"tx.begin", "BEGIN"};
constexpr Statement kBeginSnapshot{"tx.snapshot", "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"};
constexpr Statement kCommit{"tx.commit", "COMMIT"};

[[noreturn]] void lost() {
  throw StoreError(Code::unavailable, "the connection to the registry database was lost; retry later");
}

// Server messages may quote SQL and values; only the SQLSTATE class decides what the client sees.
[[noreturn]] void fail(std::string_view sqlstate, std::string_view conflict) {
  if (sqlstate == "23505") {
    throw StoreError(Code::conflict, conflict.empty() ? "the record already exists" : std::string(conflict));
  }
  if (sqlstate == "23503") {
    throw StoreError(Code::not_found, "a record this change refers to does not exist");
  }
  if (sqlstate == "40001" || sqlstate == "40P01" || sqlstate == "55P03" || sqlstate == "57014") {
    throw StoreError(Code::unavailable, "the registry database is busy; retry later");
  }
  if (sqlstate.starts_with("08") || sqlstate.starts_with("57P")) lost();
  if (sqlstate.starts_with("22")) {
    throw StoreError(Code::invalid_argument, "a value is not valid text for the registry database");
  }
  throw StoreError(Code::unavailable, fmt::format("the registry database failed (SQLSTATE {})",
                                                  sqlstate.empty() ? "unknown" : sqlstate));
}

void ignore_notice(void*, const char*) {}

}  // namespace

Param::Param(std::string_view text) {
  if (text.find('\0') != std::string_view::npos) {
    throw StoreError(Code::invalid_argument, "text values must not contain NUL bytes");
  }
  value_.emplace(text);
}

Param::Param(const std::optional<std::string>& text) {
  if (text) *this = Param(std::string_view(*text));
}

Param Param::bytea(std::string_view bytes) {
  Param p;
  p.value_.emplace("\\x" + to_hex({reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()}));
  return p;
}

std::string Result::text(int row, int column) const {
  return std::string(PQgetvalue(result_.get(), row, column),
                     static_cast<std::size_t>(PQgetlength(result_.get(), row, column)));
}

std::optional<std::string> Result::optional_text(int row, int column) const {
  if (is_null(row, column)) return std::nullopt;
  return text(row, column);
}

std::int64_t Result::integer(int row, int column) const {
  const char* begin = PQgetvalue(result_.get(), row, column);
  const char* end = begin + PQgetlength(result_.get(), row, column);
  std::int64_t value = 0;
  const auto [ptr, ec] = std::from_chars(begin, end, value);
  if (ec != std::errc{} || ptr != end) {
    throw StoreError(Code::unavailable, "the registry database returned a malformed number");
  }
  return value;
}

std::string Result::bytes(int row, int column) const {
  std::size_t size = 0;
  unsigned char* decoded =
      PQunescapeBytea(reinterpret_cast<const unsigned char*>(PQgetvalue(result_.get(), row, column)), &size);
  if (decoded == nullptr) throw StoreError(Code::unavailable, "out of memory decoding a stored value");
  std::string out(reinterpret_cast<const char*>(decoded), size);
  PQfreemem(decoded);
  return out;
}

Conn::Conn(const std::string& conninfo, std::chrono::milliseconds connect_timeout) {
  // libpq counts whole seconds; round up so that a short timeout never becomes "wait forever" (0).
  const auto seconds = std::max<std::int64_t>(1, (connect_timeout.count() + 999) / 1000);
  const std::string timeout = std::to_string(seconds);
  // With expand_dbname the conninfo overrides what precedes it and is overridden by what follows.
  const std::array<const char*, 5> keywords{"connect_timeout", "application_name", "dbname",
                                            "client_encoding", nullptr};
  const std::array<const char*, 5> values{timeout.c_str(), "vigil", conninfo.c_str(), "UTF8", nullptr};
  conn_ = PQconnectdbParams(keywords.data(), values.data(), 1);
  if (conn_ == nullptr || PQstatus(conn_) != CONNECTION_OK) {
    PQfinish(conn_);
    conn_ = nullptr;
    throw StoreError(Code::unavailable, "cannot connect to the registry database");
  }
  PQsetNoticeProcessor(conn_, &ignore_notice, nullptr);
}

Conn::~Conn() {
  PQfinish(conn_);
}

Result Conn::check(PGresult* result, std::string_view conflict) {
  Result r(result);
  if (result == nullptr) lost();
  const auto status = PQresultStatus(result);
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return r;
  if (PQstatus(conn_) != CONNECTION_OK) lost();
  const char* sqlstate = PQresultErrorField(result, PG_DIAG_SQLSTATE);
  fail(sqlstate ? sqlstate : "", conflict);
}

Result Conn::exec(const Statement& statement, std::initializer_list<Param> params,
                  std::string_view conflict) {
  auto it = prepared_.find(statement.name);
  if (it == prepared_.end()) {
    check(PQprepare(conn_, statement.name, statement.sql, 0, nullptr), {});
    prepared_.emplace(statement.name, statement.sql);
  } else if (it->second != statement.sql && std::strcmp(it->second, statement.sql) != 0) {
    throw std::logic_error(fmt::format("two statements are named '{}'", statement.name));
  }
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& p : params) values.push_back(p.c_str());
  return check(PQexecPrepared(conn_, statement.name, static_cast<int>(values.size()), values.data(), nullptr,
                              nullptr, 0),
               conflict);
}

void Conn::exec_constant(const char* sql) {
  check(PQexec(conn_, sql), {});
}

bool Conn::reusable() const {
  return PQstatus(conn_) == CONNECTION_OK && PQtransactionStatus(conn_) == PQTRANS_IDLE;
}

Transaction::Transaction(Conn& conn, Mode mode) : conn_(conn) {
  conn_.exec(mode == Mode::write ? kBegin : kBeginSnapshot);
}

Transaction::~Transaction() {
  // A failed rollback leaves the connection outside PQTRANS_IDLE, so the pool drops it.
  if (open_) PQclear(PQexec(conn_.raw(), "ROLLBACK"));
}

void Transaction::commit() {
  conn_.exec(kCommit);
  open_ = false;
}

}  // namespace vigil::store::pg
