#include "store/pg_registry_store.h"

#include <fmt/format.h>

#include "store/migrations_pg.h"

namespace vigil::store {
namespace {

// One lock for every store on the database: migrations run one process at a time.
constexpr pg::Statement kLockMigrations{"migrate.lock", "SELECT pg_advisory_xact_lock(5640651180556046337)"};
constexpr const char* kCreateMigrations =
    "CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT "
    "NULL)";
constexpr pg::Statement kCurrentVersion{"migrate.current",
                                        "SELECT COALESCE(MAX(version), 0) FROM schema_migrations"};
constexpr pg::Statement kRecordVersion{
    "migrate.record", "INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2::timestamptz)"};

}  // namespace

PgRegistryStore::PgRegistryStore(PgOptions options, const Clock& clock)
    : clock_(clock),
      cipher_(std::move(options.cipher)),
      pool_(pg::PoolOptions{std::move(options.conninfo), options.pool_size, options.connect_timeout,
                            options.acquire_timeout}) {
  migrate();
}

void PgRegistryStore::migrate() {
  const auto migrations = pg_migrations();
  // All pending migrations in one transaction (PostgreSQL DDL is transactional): a failure leaves the
  // schema as it was, and the lock makes a second process wait, then see them applied.
  write([&](Conn& conn) {
    conn.exec(kLockMigrations);
    conn.exec_constant(kCreateMigrations);
    const std::int64_t current = conn.exec(kCurrentVersion).integer(0, 0);
    if (current > migrations.back().version) {
      throw StoreError(StoreError::Code::unavailable,
                       fmt::format("the registry database schema (version {}) is newer than this build "
                                   "supports (version {})",
                                   current, migrations.back().version));
    }
    for (const auto& m : migrations) {
      if (m.version <= current) continue;
      conn.exec_constant(m.sql);
      conn.exec(kRecordVersion, {std::int64_t{m.version}, format_rfc3339(clock_.now())});
    }
  });
}

}  // namespace vigil::store
