#include "store/pg_test_support.h"

#include <fmt/format.h>

#include <cstdlib>
#include <mutex>
#include <random>
#include <stdexcept>
#include <vector>

namespace vigil::store::testing {
namespace {

// Drops the schemas after the last test, so a long-lived development server stays clean.
class SchemaJanitor : public ::testing::Environment {
 public:
  static void add(std::string name) {
    std::lock_guard lock(mutex_);
    schemas_.push_back(std::move(name));
  }
  void TearDown() override {
    std::lock_guard lock(mutex_);
    if (schemas_.empty() || !test_server()) return;
    RawPg raw(*test_server());
    for (const auto& s : schemas_) raw.exec(fmt::format("DROP SCHEMA IF EXISTS {} CASCADE", s));
    schemas_.clear();
  }

 private:
  static inline std::mutex mutex_;
  static inline std::vector<std::string> schemas_;
};
[[maybe_unused]] auto* const kJanitor = ::testing::AddGlobalTestEnvironment(new SchemaJanitor);

}  // namespace

std::optional<std::string> test_server() {
  const char* value = std::getenv("VIGIL_TEST_PG");
  if (value == nullptr || *value == '\0') return std::nullopt;
  return std::string(value);
}

TestSchema make_test_schema() {
  static std::mutex mutex;
  static std::mt19937_64 random{std::random_device{}()};
  std::uint64_t suffix = 0;
  {
    std::lock_guard lock(mutex);
    suffix = random();
  }
  TestSchema schema;
  schema.name = fmt::format("test_{:016x}", suffix);
  // The name is hex digits only, so it needs no quoting in conninfo or SQL.
  schema.conninfo = fmt::format("{} options='-c search_path={}' application_name={}", *test_server(),
                                schema.name, schema.name);
  RawPg raw(*test_server());
  if (!raw.exec("CREATE SCHEMA " + schema.name).empty()) throw std::runtime_error("CREATE SCHEMA failed");
  SchemaJanitor::add(schema.name);
  return schema;
}

const std::string& test_key_hex() {
  static const std::string key(64, 'a');
  return key;
}

std::unique_ptr<PgRegistryStore> open_pg_store(const TestSchema& schema, const Clock& clock,
                                               std::size_t pool_size,
                                               std::chrono::milliseconds acquire_timeout) {
  PgOptions options;
  options.conninfo = schema.conninfo;
  options.pool_size = pool_size;
  options.acquire_timeout = acquire_timeout;
  options.cipher = FieldCipher::from_hex(test_key_hex());
  return std::make_unique<PgRegistryStore>(std::move(options), clock);
}

RawPg::RawPg(const std::string& conninfo) : conn_(PQconnectdb(conninfo.c_str())) {
  if (PQstatus(conn_) != CONNECTION_OK) {
    const std::string message = PQerrorMessage(conn_);
    PQfinish(conn_);
    throw std::runtime_error("cannot connect to the test server: " + message);
  }
  PQsetNoticeProcessor(
      conn_, [](void*, const char*) {}, nullptr);
}

RawPg::~RawPg() {
  PQfinish(conn_);
}

std::string RawPg::exec(const std::string& sql) {
  PGresult* r = PQexec(conn_, sql.c_str());
  const auto status = PQresultStatus(r);
  std::string sqlstate;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    const char* code = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    sqlstate = code ? code : "?????";
  }
  PQclear(r);
  return sqlstate;
}

std::optional<std::string> RawPg::value(const std::string& sql) {
  PGresult* r = PQexec(conn_, sql.c_str());
  std::optional<std::string> out;
  if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0 && !PQgetisnull(r, 0, 0)) {
    out = PQgetvalue(r, 0, 0);
  }
  PQclear(r);
  return out;
}

}  // namespace vigil::store::testing
