#pragma once
// Device API keys resolved through the registry store, behind a bounded single-flight cache so that
// a burst of requests from one device makes one store query, and the network threads answer hits
// without leaving their thread (middleware::DeviceKeyDirectory::cached).
//
// Revocation: the management routes call invalidate(hash) after revoking or rebinding a device, so
// the change applies at once on this node; other nodes see it within the cache TTL.
// Thread-safe.
#include <memory>

#include "cache/loading_cache.h"
#include "middleware/authentication.h"
#include "store/registry_store.h"

namespace vigil::app {

class StoreDeviceKeys final : public middleware::DeviceKeyDirectory {
 public:
  // `store` and `ticker` must outlive this object.
  StoreDeviceKeys(store::RegistryStore& store, cache::CacheOptions options, const Ticker& ticker);

  [[nodiscard]] std::optional<std::optional<auth::Principal>> cached(const std::string& key_hash) const override;
  [[nodiscard]] std::optional<auth::Principal> resolve(const std::string& key_hash) const override;
  void invalidate(const std::string& key_hash) const;
  [[nodiscard]] cache::LoadingCache<std::string, auth::Principal>::Stats stats() const;

 private:
  mutable cache::LoadingCache<std::string, auth::Principal> cache_;
};

}  // namespace vigil::app
