#pragma once
// Test-only helpers shared by the domain tests: value equality for the plain structs (the shared
// headers define none) and RFC 3339 literals.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "domain/field_error.h"
#include "domain/observation.h"
#include "domain/questionnaire.h"

namespace vigil::domain::testing {

inline TimePoint at(std::string_view text) {
  TimePoint t;
  EXPECT_TRUE(parse_rfc3339(text, t)) << text;
  return t;
}

// Bit-exact for doubles (so -0.0 differs from 0.0 and NaN equals NaN): what a round trip must keep.
inline bool same_double(double a, double b) {
  return std::signbit(a) == std::signbit(b) && (a == b || (std::isnan(a) && std::isnan(b)));
}

inline bool same(const Observation& a, const Observation& b) {
  if (a.id != b.id || a.patient_id != b.patient_id || a.device_id != b.device_id || a.code != b.code ||
      a.unit != b.unit || a.effective_time != b.effective_time ||
      a.value.has_value() != b.value.has_value() || a.components.size() != b.components.size())
    return false;
  if (a.value && !same_double(*a.value, *b.value)) return false;
  for (std::size_t i = 0; i < a.components.size(); ++i) {
    const auto& x = a.components[i];
    const auto& y = b.components[i];
    if (x.code != y.code || x.unit != y.unit || !same_double(x.value, y.value)) return false;
  }
  return true;
}

inline bool same(const QuestionnaireResponse& a, const QuestionnaireResponse& b) {
  if (a.id != b.id || a.patient_id != b.patient_id || a.questionnaire_id != b.questionnaire_id ||
      a.questionnaire_version != b.questionnaire_version || a.authored != b.authored ||
      a.answers.size() != b.answers.size())
    return false;
  for (std::size_t i = 0; i < a.answers.size(); ++i) {
    const auto& x = a.answers[i];
    const auto& y = b.answers[i];
    if (x.item_id != y.item_id || x.value.index() != y.value.index()) return false;
    if (const auto* d = std::get_if<double>(&x.value)) {
      if (!same_double(*d, std::get<double>(y.value))) return false;
    } else if (x.value != y.value) {
      return false;
    }
  }
  return true;
}

// The paths of `errors`, in order.
inline std::vector<std::string> paths(const std::vector<FieldError>& errors) {
  std::vector<std::string> out;
  for (const auto& e : errors) out.push_back(e.path);
  return out;
}

}  // namespace vigil::domain::testing
