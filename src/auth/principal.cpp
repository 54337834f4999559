#include "auth/principal.h"

#include <array>
#include <utility>

namespace vigil::auth {
namespace {

constexpr std::array<std::pair<Role, std::string_view>, 6> kNames{{
    {Role::investigator, "investigator"},
    {Role::cra, "cra"},
    {Role::data_manager, "data-manager"},
    {Role::admin, "admin"},
    {Role::device, "device"},
    {Role::patient, "patient"},
}};

}  // namespace

std::string_view to_string(Role role) {
  for (const auto& [r, name] : kNames) {
    if (r == role) return name;
  }
  return "unknown";
}

std::optional<Role> parse_role(std::string_view name) {
  for (const auto& [role, n] : kNames) {
    if (n == name) return role;
  }
  return std::nullopt;
}

std::optional<Principal> principal_from_claims(const Claims& claims) {
  const auto role = parse_role(claims.role);
  if (!role) return std::nullopt;
  if ((*role == Role::device || *role == Role::patient) && claims.patient.empty()) return std::nullopt;
  return Principal{claims.subject, *role, claims.sites, claims.patient, {}};
}

}  // namespace vigil::auth
