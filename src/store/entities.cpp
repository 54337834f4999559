#include "store/entities.h"

#include <array>
#include <utility>

#include "store/store_error.h"

namespace vigil::store {
namespace {

constexpr std::array<std::pair<Role, std::string_view>, 4> kRoles{{
    {Role::investigator, "investigator"},
    {Role::cra, "cra"},
    {Role::data_manager, "data-manager"},
    {Role::admin, "admin"},
}};

}  // namespace

std::string_view to_string(Role role) {
  for (const auto& [r, name] : kRoles) {
    if (r == role) return name;
  }
  return "unknown";
}

std::optional<Role> parse_role(std::string_view text) {
  for (const auto& [r, name] : kRoles) {
    if (name == text) return r;
  }
  return std::nullopt;
}

std::string_view to_string(StoreError::Code code) {
  switch (code) {
    case StoreError::Code::not_found:
      return "not_found";
    case StoreError::Code::conflict:
      return "conflict";
    case StoreError::Code::invalid_transition:
      return "invalid_transition";
    case StoreError::Code::invalid_argument:
      return "invalid_argument";
    case StoreError::Code::unavailable:
      return "unavailable";
  }
  return "unknown";
}

}  // namespace vigil::store
