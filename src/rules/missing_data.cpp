#include "rules/missing_data.h"

#include <fmt/format.h>

#include <chrono>
#include <ratio>
#include <string_view>

#include "rules/format.h"

namespace vigil::rules {

namespace {

using Hours = std::chrono::duration<double, std::ratio<3600>>;

// A missing-data finding when more than `gap` passed from `from` to `now`; `what` leads the reason.
std::optional<domain::Finding> silent_for(std::string_view what, TimePoint from, TimePoint now, Duration gap) {
  const Duration since = now - from;
  if (since <= gap) return std::nullopt;
  domain::Finding f;
  f.rule_id = "missing-data";
  f.severity = domain::Severity::low;
  f.reason = fmt::format("{} {} h (protocol allows {} h)", what, format_number(Hours(since).count(), 1),
                         format_number(Hours(gap).count(), 1));
  f.observed_at = from;
  return f;
}

}  // namespace

std::optional<domain::Finding> check_missing_data(TimePoint last_reading, TimePoint now, Duration gap) {
  return silent_for("no reading for", last_reading, now, gap);
}

std::optional<domain::Finding> check_never_sent(TimePoint since, TimePoint now, Duration gap) {
  return silent_for("no reading since enrolment: none in", since, now, gap);
}

}  // namespace vigil::rules
