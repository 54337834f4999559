#include "app/store_factory.h"

#include <fmt/format.h>

#include <fstream>
#include <stdexcept>

#include "store/field_cipher.h"
#include "store/pg_registry_store.h"
#include "store/sqlite_registry_store.h"

namespace vigil::app {
namespace {

std::optional<store::FieldCipher> field_cipher(const config::RegistryStoreConfig& c) {
  if (c.field_key_file.empty()) return std::nullopt;
  std::ifstream in(c.field_key_file);
  std::string hex;
  in >> hex;
  if (hex.empty()) {
    throw std::runtime_error(fmt::format("cannot read registry.field_key_file {}", c.field_key_file.string()));
  }
  try {
    return store::FieldCipher::from_hex(hex);
  } catch (const std::exception&) {
    throw std::runtime_error(fmt::format("registry.field_key_file {} must hold 64 hex digits (an AES-256 key)",
                                         c.field_key_file.string()));
  }
}

}  // namespace

std::unique_ptr<store::RegistryStore> open_registry_store(const config::Config& config,
                                                          const std::filesystem::path& data_dir, const Clock& clock) {
  const auto& rc = config.registry;
  if (rc.backend == "postgres") {
    store::PgOptions o;
    o.conninfo = rc.postgres;
    o.pool_size = rc.pool_size;
    o.cipher = field_cipher(rc);
    return std::make_unique<store::PgRegistryStore>(std::move(o), clock);
  }
  store::SqliteStoreOptions o;
  o.path = data_dir / "registry.db";
  o.cipher = field_cipher(rc);
  return std::make_unique<store::SqliteRegistryStore>(std::move(o), clock);
}

}  // namespace vigil::app
