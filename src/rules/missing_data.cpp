#include "rules/missing_data.h"

#include <fmt/format.h>

#include <chrono>
#include <ratio>

#include "rules/format.h"

namespace vigil::rules {

std::optional<domain::Finding> check_missing_data(TimePoint last_reading, TimePoint now, Duration gap) {
  const Duration since = now - last_reading;
  if (since <= gap) return std::nullopt;
  using Hours = std::chrono::duration<double, std::ratio<3600>>;
  domain::Finding f;
  f.rule_id = "missing-data";
  f.severity = domain::Severity::low;
  f.reason = fmt::format("no reading for {} h (protocol allows {} h)", format_number(Hours(since).count(), 1),
                         format_number(Hours(gap).count(), 1));
  f.observed_at = last_reading;
  return f;
}

}  // namespace vigil::rules
