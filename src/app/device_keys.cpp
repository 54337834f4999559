#include "app/device_keys.h"

namespace vigil::app {

StoreDeviceKeys::StoreDeviceKeys(store::RegistryStore& store, cache::CacheOptions options, const Ticker& ticker)
    : cache_(options, ticker, [&store](const std::string& hash) -> std::optional<auth::Principal> {
        const auto device = store.find_device_by_key_hash(hash);
        // A revoked key, or one whose device is bound to nobody, acts for nobody.
        if (!device || device->revoked || device->patient_id.empty()) return std::nullopt;
        auth::Principal p;
        p.subject = device->serial;
        p.role = auth::Role::device;
        p.patient_id = device->patient_id;
        return p;
      }) {}

std::optional<std::optional<auth::Principal>> StoreDeviceKeys::cached(const std::string& key_hash) const {
  return cache_.peek(key_hash);
}

std::optional<auth::Principal> StoreDeviceKeys::resolve(const std::string& key_hash) const {
  return cache_.get(key_hash);
}

void StoreDeviceKeys::invalidate(const std::string& key_hash) const {
  cache_.invalidate(key_hash);
}

cache::LoadingCache<std::string, auth::Principal>::Stats StoreDeviceKeys::stats() const {
  return cache_.stats();
}

}  // namespace vigil::app
