#include "app/registry_import.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <vector>

namespace vigil::app {

std::size_t import_protocol_file(const registry::Registry& registry, const std::filesystem::path& protocol_file,
                                 store::RegistryStore& store) {
  const store::ChangeContext ctx{"system:import", fmt::format("imported from {}", protocol_file.string())};
  std::size_t imported = 0;
  for (const auto& trial : registry.trials()) {
    if (store.get_trial(trial.id)) continue;
    // Patients can only join a recruiting or active trial: create it so, then set its real status.
    auto created = trial;
    const bool joinable = trial.status == registry::TrialStatus::active || trial.status == registry::TrialStatus::recruiting;
    if (!joinable) created.status = registry::TrialStatus::active;
    store.create_trial(created, ctx);
    for (const auto& site : registry.sites(trial.id)) store.create_site(site, ctx);
    std::vector<registry::Patient> patients;
    registry.for_each_patient([&](const registry::Patient& p) {
      if (p.trial_id == trial.id) patients.push_back(p);
    });
    for (auto p : patients) {
      const auto status = p.status;
      if (status != registry::PatientStatus::screened) p.status = registry::PatientStatus::enrolled;
      store.create_patient(p, ctx);
      if (status == registry::PatientStatus::withdrawn || status == registry::PatientStatus::completed) {
        store.set_patient_status(p.id, status, ctx);
      }
      ++imported;
    }
    // The protocol as its own versioned document: the file's `protocol:` section.
    const YAML::Node file = YAML::LoadFile(protocol_file.string());
    YAML::Emitter out;
    out << file["protocol"];
    store.add_protocol_version(trial.id, out.c_str(), ctx);
    if (!joinable) store.set_trial_status(trial.id, trial.status, ctx);
  }
  return imported;
}

}  // namespace vigil::app
