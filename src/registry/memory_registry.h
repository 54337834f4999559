#pragma once
// A Registry held entirely in memory and fixed at construction: what a protocol file loads into
// (registry/protocol_file.h), and what tests build directly.
//
// Thread safety: immutable after construction, so every method may be called from any number of
// threads at once without locking. Lookups by id are hash lookups; a 2,000-patient trial takes well
// under a megabyte.
//
// Errors: the constructor throws std::invalid_argument when the contents are inconsistent (a
// duplicate id, a site or patient of an unknown trial, a patient of an unknown site, a protocol
// for an unknown trial, a trial without a protocol). The protocol-file loader checks all of these
// first with file positions, so this is a last line of defence for other builders.
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "registry/registry.h"

namespace vigil::registry {

// Everything a registry holds, in the order it was written; also what a protocol file parses into,
// so that a database-backed registry can import one.
struct RegistryContents {
  std::vector<Trial> trials;
  std::vector<Site> sites;
  std::vector<Patient> patients;
  std::vector<std::shared_ptr<const rules::Protocol>> protocols;  // one per trial, by trial_id
};

class MemoryRegistry final : public Registry {
 public:
  explicit MemoryRegistry(RegistryContents contents);

  [[nodiscard]] std::optional<Patient> patient(std::string_view id) const override;
  [[nodiscard]] std::shared_ptr<const rules::Protocol> protocol(std::string_view trial_id) const override;
  [[nodiscard]] std::optional<Trial> trial(std::string_view id) const override;
  [[nodiscard]] std::optional<Site> site(std::string_view id) const override;
  [[nodiscard]] std::vector<Trial> trials() const override;
  [[nodiscard]] std::vector<Site> sites(std::string_view trial_id) const override;
  void for_each_patient(const std::function<void(const Patient&)>& fn) const override;
  [[nodiscard]] std::size_t patient_count() const override;

 private:
  // Heterogeneous lookup: find by string_view without building a std::string per request.
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
  };
  using Index = std::unordered_map<std::string, std::size_t, Hash, std::equal_to<>>;

  // All constant after construction.
  RegistryContents contents_;
  Index trial_index_;    // trial id -> contents_.trials and contents_.protocols position
  Index site_index_;     // site id -> contents_.sites position
  Index patient_index_;  // patient id -> contents_.patients position
  std::vector<std::size_t> protocol_of_trial_;  // trial position -> contents_.protocols position
};

}  // namespace vigil::registry
