#pragma once
// The PostgreSQL schema as a numbered list of migrations (the Migration type is shared with the
// SQLite list). PgRegistryStore applies, at start, every migration newer than the highest version in
// schema_migrations, all in one transaction under an advisory lock, so that several processes starting
// at once apply each exactly once. Released migrations are never edited: a change is a new entry.
#include <span>

#include "store/migrations_sqlite.h"

namespace vigil::store {

std::span<const Migration> pg_migrations();

}  // namespace vigil::store
