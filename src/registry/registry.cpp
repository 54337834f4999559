#include "registry/registry.h"

#include <fmt/format.h>

#include <array>
#include <utility>

namespace vigil::registry {
namespace {

constexpr std::array<std::pair<TrialStatus, std::string_view>, 6> kTrialStatuses{{
    {TrialStatus::planned, "planned"},
    {TrialStatus::recruiting, "recruiting"},
    {TrialStatus::active, "active"},
    {TrialStatus::suspended, "suspended"},
    {TrialStatus::completed, "completed"},
    {TrialStatus::terminated, "terminated"},
}};

constexpr std::array<std::pair<PatientStatus, std::string_view>, 4> kPatientStatuses{{
    {PatientStatus::screened, "screened"},
    {PatientStatus::enrolled, "enrolled"},
    {PatientStatus::withdrawn, "withdrawn"},
    {PatientStatus::completed, "completed"},
}};

template <typename Enum, std::size_t N>
std::string_view name_of(const std::array<std::pair<Enum, std::string_view>, N>& table, Enum value) {
  for (const auto& [e, name] : table) {
    if (e == value) return name;
  }
  return "unknown";
}

template <typename Enum, std::size_t N>
std::optional<Enum> value_of(const std::array<std::pair<Enum, std::string_view>, N>& table,
                             std::string_view text) {
  for (const auto& [e, name] : table) {
    if (name == text) return e;
  }
  return std::nullopt;
}

// Why a known patient may not send data, in words a site coordinator can act on.
std::string not_enrolled_detail(const Patient& p) {
  switch (p.status) {
    case PatientStatus::screened:
      return fmt::format(
          "patient '{}' is screened but not enrolled in trial {}; data is accepted only "
          "for enrolled patients",
          p.id, p.trial_id);
    case PatientStatus::withdrawn:
      return fmt::format(
          "patient '{}' has withdrawn from trial {}; data is accepted only for enrolled "
          "patients",
          p.id, p.trial_id);
    case PatientStatus::completed:
      return fmt::format(
          "patient '{}' has completed trial {}; data is accepted only for enrolled "
          "patients",
          p.id, p.trial_id);
    case PatientStatus::enrolled:
      break;
  }
  return {};
}

}  // namespace

std::string_view to_string(TrialStatus s) {
  return name_of(kTrialStatuses, s);
}
std::string_view to_string(PatientStatus s) {
  return name_of(kPatientStatuses, s);
}
std::optional<TrialStatus> parse_trial_status(std::string_view text) {
  return value_of(kTrialStatuses, text);
}
std::optional<PatientStatus> parse_patient_status(std::string_view text) {
  return value_of(kPatientStatuses, text);
}

PatientCheck Registry::check_patient_for_intake(std::string_view id) const {
  PatientCheck check;
  check.patient = patient(id);
  if (!check.patient) {
    check.result = PatientCheck::Result::unknown;
    check.detail = fmt::format("patient '{}' is not registered in any trial", id);
  } else if (check.patient->status != PatientStatus::enrolled) {
    check.result = PatientCheck::Result::not_enrolled;
    check.detail = not_enrolled_detail(*check.patient);
  } else {
    check.result = PatientCheck::Result::ok;
  }
  return check;
}

}  // namespace vigil::registry
