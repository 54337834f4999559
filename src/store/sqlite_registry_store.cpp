#include "store/sqlite_registry_store.h"

#include <fmt/format.h>

#include "store/migrations_sqlite.h"

namespace vigil::store {

SqliteRegistryStore::SqliteRegistryStore(SqliteStoreOptions options, const Clock& clock)
    : clock_(clock), cipher_(std::move(options.cipher)), db_(options.path.string(), options.busy_timeout_ms) {
  migrate();
}

void SqliteRegistryStore::migrate() {
  std::lock_guard lock(mutex_);
  db_.exec(
      "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)");
  const auto migrations = sqlite_migrations();
  for (const auto& m : migrations) {
    // One transaction per migration, re-reading the version inside it, so that two processes
    // opening a fresh file at once apply each migration exactly once.
    sqlite::Transaction tx(db_, true);
    std::int64_t current = 0;
    {
      auto q = db_.query("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
      if (q.step()) current = q.integer(0);
    }
    if (current > migrations.back().version) {
      throw StoreError(StoreError::Code::unavailable,
                       fmt::format("the registry database schema (version {}) is newer than this build "
                                   "supports (version {})",
                                   current, migrations.back().version));
    }
    if (m.version <= current) continue;
    db_.exec(m.sql);
    db_.query("INSERT INTO schema_migrations (version, applied_at) VALUES (?1, ?2)")
        .bind(1, std::int64_t{m.version})
        .bind(2, format_rfc3339(clock_.now()))
        .run();
    tx.commit();
  }
}

}  // namespace vigil::store
