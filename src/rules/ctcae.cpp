#include "rules/ctcae.h"

#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <utility>

#include "rules/format.h"
#include "rules/news2.h"

namespace vigil::rules {
namespace {

// Lower edges of G1, G2, G3 and their written bands, for one blood-pressure component.
struct BpBands {
  const char* name;
  double edges[3];
  const char* bands[3];
};
constexpr BpBands kSystolic{"SBP", {120, 140, 160}, {"120-139", "140-159", ">=160"}};
constexpr BpBands kDiastolic{"DBP", {80, 90, 100}, {"80-89", "90-99", ">=100"}};

CtcaeGrade grade_component(const BpBands& b, std::optional<double> value) {
  if (!value || !std::isfinite(*value)) return {};
  for (int g = 3; g >= 1; --g) {
    if (*value >= b.edges[g - 1]) {
      return {g, fmt::format("{} {} mmHg ({})", b.name, format_number(*value), b.bands[g - 1])};
    }
  }
  return {};
}

std::string hours(Duration d) {
  return format_number(std::chrono::duration<double, std::ratio<3600>>(d).count(), 1);
}

std::optional<domain::Finding> finding(const CtcaeSettings& settings, const char* term, CtcaeGrade grade,
                                       std::vector<std::string> observation_ids, TimePoint at) {
  const auto severity = ctcae_severity(grade.grade);
  if (!severity || grade.grade < settings.min_alert_grade) return std::nullopt;
  domain::Finding f;
  f.rule_id = fmt::format("ctcae:{}", term);
  f.severity = *severity;
  f.reason = fmt::format("CTCAE {} grade {}: {}", term, grade.grade, grade.criterion);
  f.observation_ids = std::move(observation_ids);
  f.observed_at = at;
  return f;
}

}  // namespace

CtcaeGrade grade_hypertension(std::optional<double> systolic, std::optional<double> diastolic) {
  auto s = grade_component(kSystolic, systolic);
  auto d = grade_component(kDiastolic, diastolic);
  if (s.grade > d.grade) return s;
  if (d.grade > s.grade) return d;
  if (s.grade == 0) return {};
  return {s.grade, s.criterion + " and " + d.criterion};
}

CtcaeGrade grade_fever(double temperature_cel, Duration above_40_for) {
  if (!std::isfinite(temperature_cel)) return {};
  const double t = round_to_band(temperature_cel, 0.1);
  const long tenths = std::lround(t * 10);
  const std::string value = fmt::format("temperature {:.1f} C", t);
  if (tenths > 400) {
    if (above_40_for > std::chrono::hours(24)) {
      return {4, fmt::format("{} above 40.0 for {} h (>40.0 for >24 h)", value, hours(above_40_for))};
    }
    return {3, fmt::format("{} (>40.0 for <=24 h; {} h so far)", value, hours(above_40_for))};
  }
  if (tenths > 390) return {2, value + " (>39.0-40.0)"};
  if (tenths >= 380) return {1, value + " (38.0-39.0)"};
  return {};
}

std::optional<domain::Severity> ctcae_severity(int grade) {
  switch (grade) {
    case 1:
      return domain::Severity::low;
    case 2:
      return domain::Severity::medium;
    case 3:
      return domain::Severity::high;
    case 4:
      return domain::Severity::critical;
    default:
      return std::nullopt;
  }
}

std::optional<domain::Finding> hypertension_finding(const CtcaeSettings& settings,
                                                    std::optional<double> systolic,
                                                    std::optional<double> diastolic,
                                                    std::vector<std::string> observation_ids, TimePoint at) {
  return finding(settings, "hypertension", grade_hypertension(systolic, diastolic),
                 std::move(observation_ids), at);
}

std::optional<domain::Finding> fever_finding(const CtcaeSettings& settings, double temperature_cel,
                                             Duration above_40_for, std::vector<std::string> observation_ids,
                                             TimePoint at) {
  return finding(settings, "fever", grade_fever(temperature_cel, above_40_for), std::move(observation_ids),
                 at);
}

}  // namespace vigil::rules
