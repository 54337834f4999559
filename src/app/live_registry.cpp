#include "app/live_registry.h"

#include <yaml-cpp/yaml.h>

#include "registry/protocol_section.h"
#include "registry/yaml_reader.h"

namespace vigil::app {
namespace {

// Every page of a listing.
template <typename T, typename Filter, typename List>
std::vector<T> all_of(const Filter& filter, List list) {
  std::vector<T> out;
  store::PageRequest page{"", store::kMaxPageLimit};
  for (;;) {
    auto got = list(filter, page);
    for (auto& item : got.items) out.push_back(std::move(item));
    if (got.next_cursor.empty()) return out;
    page.cursor = got.next_cursor;
  }
}

}  // namespace

registry::RegistryContents contents_of(store::RegistryStore& store) {
  registry::RegistryContents contents;
  auto trials = all_of<registry::Trial>(
      store::TrialFilter{}, [&](const auto& f, const auto& p) { return store.list_trials(f, p); });
  for (auto& trial : trials) {
    const auto version = store.latest_protocol_version(trial.id);
    if (!version) continue;
    // The document was validated on upload; a failure here throws and keeps the old snapshot.
    const registry::YamlReader reader{"protocol " + trial.id + " v" + std::to_string(version->version)};
    auto protocol = registry::read_protocol_section(reader, YAML::Load(version->document), trial.id);
    protocol.version = static_cast<int>(version->version);
    auto sites = all_of<registry::Site>(store::SiteFilter{trial.id},
                                        [&](const auto& f, const auto& p) { return store.list_sites(f, p); });
    auto patients =
        all_of<registry::Patient>(store::PatientFilter{trial.id, std::nullopt, std::nullopt},
                                  [&](const auto& f, const auto& p) { return store.list_patients(f, p); });
    contents.protocols.push_back(std::make_shared<const rules::Protocol>(std::move(protocol)));
    contents.trials.push_back(std::move(trial));
    for (auto& s : sites) contents.sites.push_back(std::move(s));
    for (auto& p : patients) contents.patients.push_back(std::move(p));
  }
  return contents;
}

namespace {

std::uint64_t next_registry_id() {
  static std::atomic<std::uint64_t> next{1};
  return next.fetch_add(1, std::memory_order_relaxed);
}

struct ThreadSnapshot {
  std::uint64_t registry = 0;  // LiveRegistry::id_ of the registry it came from; 0: none
  std::uint64_t version = 0;
  std::shared_ptr<const registry::MemoryRegistry> snapshot;
};

}  // namespace

LiveRegistry::LiveRegistry(std::shared_ptr<const registry::MemoryRegistry> initial)
    : current_(std::move(initial)), id_(next_registry_id()) {}

void LiveRegistry::replace(std::shared_ptr<const registry::MemoryRegistry> next) {
  current_.store(std::move(next));
  // After the store: a reader that sees the new version loads at least this snapshot.
  version_.fetch_add(1, std::memory_order_acq_rel);
}

const registry::MemoryRegistry& LiveRegistry::cached() const {
  thread_local ThreadSnapshot mine;
  const std::uint64_t version = version_.load(std::memory_order_acquire);
  if (mine.registry != id_ || mine.version != version) {
    mine.snapshot = current_.load();
    mine.registry = id_;
    mine.version = version;
  }
  return *mine.snapshot;
}

void LiveRegistry::refresh_from(store::RegistryStore& store) {
  std::lock_guard lock(refresh_mu_);
  replace(std::make_shared<const registry::MemoryRegistry>(contents_of(store)));
}

// The lookups on the intake and scoring paths use this thread's snapshot; the listings and the
// walk (whose callback may call back in) take a reference of their own.
std::optional<registry::Patient> LiveRegistry::patient(std::string_view id) const {
  return cached().patient(id);
}
std::shared_ptr<const rules::Protocol> LiveRegistry::protocol(std::string_view trial_id) const {
  return cached().protocol(trial_id);
}
std::optional<registry::Trial> LiveRegistry::trial(std::string_view id) const {
  return cached().trial(id);
}
std::optional<registry::Site> LiveRegistry::site(std::string_view id) const {
  return cached().site(id);
}
std::vector<registry::Trial> LiveRegistry::trials() const {
  return current()->trials();
}
std::vector<registry::Site> LiveRegistry::sites(std::string_view trial_id) const {
  return current()->sites(trial_id);
}
void LiveRegistry::for_each_patient(const std::function<void(const registry::Patient&)>& fn) const {
  current()->for_each_patient(fn);
}
std::size_t LiveRegistry::patient_count() const {
  return current()->patient_count();
}

}  // namespace vigil::app
