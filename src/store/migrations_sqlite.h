#pragma once
// The SQLite schema as a numbered list of migrations. SqliteRegistryStore applies, at open, every
// migration newer than the highest version recorded in schema_migrations, each in its own
// transaction. Released migrations are never edited: a schema change is a new entry at the end.
#include <span>

namespace vigil::store {

struct Migration {
  int version;      // 1, 2, 3, ... in order
  const char* sql;  // constant DDL; may hold several statements
};

std::span<const Migration> sqlite_migrations();

}  // namespace vigil::store
