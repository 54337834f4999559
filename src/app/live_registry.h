#pragma once
// The registry the intake and the pipeline read while they run: an immutable in-memory snapshot
// (registry::MemoryRegistry) of the registry store, swapped atomically whenever the store changes.
// Readers never block and never touch the store, so network threads and rule workers keep their
// speed; a write through the management API rebuilds the snapshot on the store's pool before the
// API answers, so an enrolment, a withdrawal, a settings change or a new protocol version applies
// to the next reading without a restart and without a pause in intake. Alerts raised afterwards
// carry the store's protocol version number.
//
// Only trials with at least one protocol version are monitored (a trial without a protocol has
// nothing to score); their sites and patients are left out until one is uploaded.
//
// Thread safety: every Registry method may be called from any thread; replace() from any thread.
// A caller keeps the snapshot it got for the duration of one call, so a concurrent swap never
// changes an answer half-way.
//
// Lookups are on every request and every scored record, from every network and worker thread.
// Loading the shared snapshot each time made those threads contend on one reference count (and on
// the lock bit of std::atomic<std::shared_ptr>), so each thread keeps its own reference to the
// snapshot it last used and reloads only when replace() has published a newer one (a version
// counter). A thread therefore holds on to a replaced snapshot until its next lookup; a lookup
// that starts after replace() returns always sees the new one.
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>

#include "registry/memory_registry.h"
#include "store/registry_store.h"

namespace vigil::app {

class LiveRegistry final : public registry::Registry {
 public:
  explicit LiveRegistry(std::shared_ptr<const registry::MemoryRegistry> initial);

  [[nodiscard]] std::optional<registry::Patient> patient(std::string_view id) const override;
  [[nodiscard]] std::shared_ptr<const rules::Protocol> protocol(std::string_view trial_id) const override;
  [[nodiscard]] std::optional<registry::Trial> trial(std::string_view id) const override;
  [[nodiscard]] std::optional<registry::Site> site(std::string_view id) const override;
  [[nodiscard]] std::vector<registry::Trial> trials() const override;
  [[nodiscard]] std::vector<registry::Site> sites(std::string_view trial_id) const override;
  void for_each_patient(const std::function<void(const registry::Patient&)>& fn) const override;
  [[nodiscard]] std::size_t patient_count() const override;

  void replace(std::shared_ptr<const registry::MemoryRegistry> next);

  // Blocking: reads the store and publishes a new snapshot. Serialized, so the last rebuild to
  // finish reflects every write that finished before it started. Throws what the store throws
  // (the current snapshot then stays).
  void refresh_from(store::RegistryStore& store);

 private:
  [[nodiscard]] std::shared_ptr<const registry::MemoryRegistry> current() const { return current_.load(); }
  // This thread's copy of the current snapshot; valid until this thread's next lookup on any
  // LiveRegistry, so callers must not call back into a registry while they use it.
  [[nodiscard]] const registry::MemoryRegistry& cached() const;

  std::atomic<std::shared_ptr<const registry::MemoryRegistry>> current_;
  std::atomic<std::uint64_t> version_{1};  // bumped after every replace()
  const std::uint64_t id_;                 // process-unique: a thread's cache names its registry
  std::mutex refresh_mu_;
};

// Blocking: the store's trials that have a protocol, with their sites, patients and latest
// protocol version (its `version` set to the store's version number).
registry::RegistryContents contents_of(store::RegistryStore& store);

}  // namespace vigil::app
