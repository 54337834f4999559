#include "domain/severity.h"

#include <array>
#include <utility>

namespace vigil::domain {

namespace {

constexpr std::array<std::pair<Severity, std::string_view>, 5> kNames{{
    {Severity::low, "low"},
    {Severity::low_medium, "low-medium"},
    {Severity::medium, "medium"},
    {Severity::high, "high"},
    {Severity::critical, "critical"},
}};

}  // namespace

std::string_view to_string(Severity s) {
  for (const auto& [severity, name] : kNames) {
    if (severity == s) return name;
  }
  return "unknown";  // only reachable through a cast of an out-of-range integer
}

std::optional<Severity> parse_severity(std::string_view text) {
  for (const auto& [severity, name] : kNames) {
    if (name == text) return severity;
  }
  return std::nullopt;
}

}  // namespace vigil::domain
