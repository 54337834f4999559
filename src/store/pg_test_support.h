#pragma once
// Test helpers for the PostgreSQL store: a fresh schema per store and a raw libpq connection that
// bypasses the store, as a database administrator would. Tests that need a server read its
// connection string from VIGIL_TEST_PG (scripts/with-postgres.sh sets it) and skip without one.
// Test-only; not thread-safe.
#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <memory>
#include <optional>
#include <string>

#include "common/clock.h"
#include "store/pg_registry_store.h"

namespace vigil::store::testing {

// VIGIL_TEST_PG, or nullopt when unset or empty.
std::optional<std::string> test_server();

// A schema created on the test server for one test; dropped (CASCADE) when the test program ends.
struct TestSchema {
  std::string name;      // "test_<16 hex digits>"
  std::string conninfo;  // the server's conninfo with search_path and application_name set to name
};
// Throws std::runtime_error when the server cannot be reached; call only when test_server() is set.
TestSchema make_test_schema();

// The 32-byte test key, hex.
const std::string& test_key_hex();

// A store over `schema` with the test key unless `cipher` says otherwise.
std::unique_ptr<PgRegistryStore> open_pg_store(
    const TestSchema& schema, const Clock& clock, std::size_t pool_size = 4,
    std::chrono::milliseconds acquire_timeout = std::chrono::seconds(10));

// A direct connection; exec() returns "" on success, else the SQLSTATE.
class RawPg {
 public:
  explicit RawPg(const std::string& conninfo);
  ~RawPg();
  RawPg(const RawPg&) = delete;
  RawPg& operator=(const RawPg&) = delete;

  std::string exec(const std::string& sql);
  // The first column of the first row, or nullopt when the query fails or returns no row.
  std::optional<std::string> value(const std::string& sql);

 private:
  PGconn* conn_ = nullptr;
};

}  // namespace vigil::store::testing
