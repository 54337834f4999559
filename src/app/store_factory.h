#pragma once
// Opens the registry and audit store the configuration names: SQLite in the data folder, or
// PostgreSQL (registry.backend). Shared by `vigil serve`/`demo` (app/node.h) and `vigil audit`.
#include <filesystem>
#include <memory>

#include "common/clock.h"
#include "config/config.h"
#include "store/registry_store.h"

namespace vigil::app {

// Throws std::runtime_error with one line naming the problem (an unreadable identity key, a store
// that cannot be opened or migrated).
std::unique_ptr<store::RegistryStore> open_registry_store(const config::Config& config,
                                                          const std::filesystem::path& data_dir, const Clock& clock);

}  // namespace vigil::app
