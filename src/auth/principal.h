#pragma once
// Who is making a request, once authenticated: staff (from a JWT), a patient app (JWT) or a device
// (API key). Authorisation decisions over a Principal live in auth/policy.h.
//
// Plain value types and pure functions; thread-safe.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/jwt.h"

namespace vigil::auth {

enum class Role { investigator, cra, data_manager, admin, device, patient };

// "investigator", "cra", "data-manager", "admin", "device", "patient".
std::string_view to_string(Role role);
// Exact match of the names above; nullopt otherwise.
std::optional<Role> parse_role(std::string_view name);

struct Principal {
  std::string subject;
  Role role = Role::investigator;
  std::vector<std::string> sites;  // investigators and CRAs: the sites they work at
  std::string patient_id;          // devices and patient apps: the one patient they may post for
  std::string trial_id;            // optional scope for data managers; empty = all trials

  bool operator==(const Principal&) const = default;
};

// The principal a verified token stands for: nullopt for an unknown role, or for a device/patient
// token that names no patient (it could act for nobody, and must not act for everybody).
std::optional<Principal> principal_from_claims(const Claims& claims);

}  // namespace vigil::auth
