#pragma once
// First start: copies the trial of the configured protocol file (trial, sites, patients, protocol)
// into the registry store, so that the management API, device registration and the audit trail
// work on the same trial the pipeline monitors. Later starts find the trial and import nothing:
// from then on the store is the record (changes made through the API are kept).
//
// Every record goes through the store's normal, audited operations (actor "system:import").
// Throws what the store throws.
#include <filesystem>

#include "registry/registry.h"
#include "store/registry_store.h"

namespace vigil::app {

// Returns the number of patients imported (0 when the trial was already there).
std::size_t import_protocol_file(const registry::Registry& registry, const std::filesystem::path& protocol_file,
                                 store::RegistryStore& store);

}  // namespace vigil::app
