#include "registry/memory_registry.h"

#include <fmt/format.h>

#include <stdexcept>
#include <utility>

namespace vigil::registry {
namespace {

template <typename Index>
void index_unique(Index& index, const std::string& id, std::size_t position, std::string_view what) {
  if (!index.emplace(id, position).second) {
    throw std::invalid_argument(fmt::format("registry: duplicate {} id '{}'", what, id));
  }
}

template <typename Index>
void require_known(const Index& index, const std::string& id, std::string_view what, std::string_view owner) {
  if (!index.contains(id)) {
    throw std::invalid_argument(fmt::format("registry: {} refers to unknown {} '{}'", owner, what, id));
  }
}

}  // namespace

MemoryRegistry::MemoryRegistry(RegistryContents contents) : contents_(std::move(contents)) {
  for (std::size_t i = 0; i < contents_.trials.size(); ++i) {
    index_unique(trial_index_, contents_.trials[i].id, i, "trial");
  }
  constexpr std::size_t kNone = static_cast<std::size_t>(-1);
  protocol_of_trial_.assign(contents_.trials.size(), kNone);
  for (std::size_t i = 0; i < contents_.protocols.size(); ++i) {
    const auto& p = contents_.protocols[i];
    if (!p) throw std::invalid_argument("registry: null protocol");
    require_known(trial_index_, p->trial_id, "trial", "protocol");
    auto& slot = protocol_of_trial_[trial_index_.find(p->trial_id)->second];
    if (slot != kNone) {
      throw std::invalid_argument(fmt::format("registry: two protocols for trial '{}'", p->trial_id));
    }
    slot = i;
  }
  for (std::size_t i = 0; i < contents_.trials.size(); ++i) {
    if (protocol_of_trial_[i] == kNone) {
      throw std::invalid_argument(
          fmt::format("registry: trial '{}' has no protocol", contents_.trials[i].id));
    }
  }
  for (std::size_t i = 0; i < contents_.sites.size(); ++i) {
    const auto& s = contents_.sites[i];
    require_known(trial_index_, s.trial_id, "trial", fmt::format("site '{}'", s.id));
    index_unique(site_index_, s.id, i, "site");
  }
  patient_index_.reserve(contents_.patients.size());
  for (std::size_t i = 0; i < contents_.patients.size(); ++i) {
    const auto& p = contents_.patients[i];
    const auto owner = fmt::format("patient '{}'", p.id);
    require_known(trial_index_, p.trial_id, "trial", owner);
    require_known(site_index_, p.site_id, "site", owner);
    if (contents_.sites[site_index_.find(p.site_id)->second].trial_id != p.trial_id) {
      throw std::invalid_argument(fmt::format("registry: patient '{}' is in trial '{}' but site '{}' is not",
                                              p.id, p.trial_id, p.site_id));
    }
    index_unique(patient_index_, p.id, i, "patient");
  }
}

std::optional<Patient> MemoryRegistry::patient(std::string_view id) const {
  const auto it = patient_index_.find(id);
  if (it == patient_index_.end()) return std::nullopt;
  return contents_.patients[it->second];
}

std::shared_ptr<const rules::Protocol> MemoryRegistry::protocol(std::string_view trial_id) const {
  const auto it = trial_index_.find(trial_id);
  if (it == trial_index_.end()) return nullptr;
  return contents_.protocols[protocol_of_trial_[it->second]];
}

std::optional<Trial> MemoryRegistry::trial(std::string_view id) const {
  const auto it = trial_index_.find(id);
  if (it == trial_index_.end()) return std::nullopt;
  return contents_.trials[it->second];
}

std::optional<Site> MemoryRegistry::site(std::string_view id) const {
  const auto it = site_index_.find(id);
  if (it == site_index_.end()) return std::nullopt;
  return contents_.sites[it->second];
}

std::vector<Trial> MemoryRegistry::trials() const {
  return contents_.trials;
}

std::vector<Site> MemoryRegistry::sites(std::string_view trial_id) const {
  std::vector<Site> out;
  for (const auto& s : contents_.sites) {
    if (s.trial_id == trial_id) out.push_back(s);
  }
  return out;
}

void MemoryRegistry::for_each_patient(const std::function<void(const Patient&)>& fn) const {
  for (const auto& p : contents_.patients) fn(p);
}

std::size_t MemoryRegistry::patient_count() const {
  return contents_.patients.size();
}

}  // namespace vigil::registry
