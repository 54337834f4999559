#pragma once
// Alert severities, ordered: low < low-medium < medium < high < critical.
#include <optional>
#include <string_view>

namespace vigil::domain {

enum class Severity { low = 1, low_medium = 2, medium = 3, high = 4, critical = 5 };

// "low", "low-medium", "medium", "high", "critical"
std::string_view to_string(Severity s);
std::optional<Severity> parse_severity(std::string_view text);

}  // namespace vigil::domain
