#include "rules/thresholds.h"

#include <fmt/format.h>

#include <string>
#include <type_traits>
#include <utility>
#include <variant>

#include "domain/loinc.h"
#include "rules/format.h"

namespace vigil::rules {
namespace {

bool compares(Comparison op, double answer, double limit) {
  switch (op) {
    case Comparison::greater_or_equal:
      return answer >= limit;
    case Comparison::less_or_equal:
      return answer <= limit;
    case Comparison::equal:
      return answer == limit;
  }
  return false;
}

std::string_view symbol(Comparison op) {
  switch (op) {
    case Comparison::greater_or_equal:
      return ">=";
    case Comparison::less_or_equal:
      return "<=";
    case Comparison::equal:
      return "=";
  }
  return "?";
}

// The answer as a number, and as the reader should see it; nothing for coded answers.
std::optional<std::pair<double, std::string>> numeric(const domain::AnswerValue& value) {
  return std::visit(
      [](const auto& v) -> std::optional<std::pair<double, std::string>> {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, bool>) {
          return std::pair<double, std::string>{v ? 1.0 : 0.0, v ? "yes" : "no"};
        } else if constexpr (std::is_same_v<T, double>) {
          return std::pair<double, std::string>{v, format_number(v)};
        } else {
          return std::nullopt;
        }
      },
      value);
}

struct Label {
  std::string_view name;
  std::string_view unit;  // as a reader writes it: "C", not UCUM's "Cel"
};

Label label(std::string_view code) {
  const auto* info = domain::find_code(code);
  if (info == nullptr) return {code, ""};
  std::string_view unit = info->unit;
  if (unit == "Cel") unit = "C";
  if (unit == "mm[Hg]") unit = "mmHg";
  if (unit.starts_with('{')) unit = "";  // annotations such as {score} have no unit to show
  return {info->display, unit};
}

}  // namespace

std::optional<domain::Finding> check_threshold(const std::vector<Threshold>& thresholds,
                                               std::string_view code, double value,
                                               std::string_view observation_id, TimePoint at) {
  const Threshold* worst = nullptr;
  bool below = false;
  for (const auto& t : thresholds) {
    if (t.code != code) continue;
    const bool is_below = t.low && value < *t.low;
    const bool is_above = t.high && value > *t.high;
    if (!is_below && !is_above) continue;
    if (worst == nullptr || t.severity > worst->severity) {
      worst = &t;
      below = is_below;
    }
  }
  if (worst == nullptr) return std::nullopt;

  const auto what = label(code);
  domain::Finding f;
  f.rule_id = fmt::format("threshold:{}", code);
  f.severity = worst->severity;
  f.reason = fmt::format("{} {}{}{} {} {} (protocol threshold)", what.name, format_number(value),
                         what.unit.empty() ? "" : " ", what.unit, below ? "below" : "above",
                         format_number(below ? *worst->low : *worst->high));
  f.observation_ids.emplace_back(observation_id);
  f.observed_at = at;
  return f;
}

std::vector<domain::Finding> check_epro_thresholds(const std::vector<EproThreshold>& thresholds,
                                                   const domain::QuestionnaireResponse& response) {
  std::vector<domain::Finding> findings;
  for (const auto& answer : response.answers) {
    const auto value = numeric(answer.value);
    if (!value) continue;
    const EproThreshold* worst = nullptr;
    for (const auto& t : thresholds) {
      if (t.item_id != answer.item_id || !compares(t.op, value->first, t.value)) continue;
      if (worst == nullptr || t.severity > worst->severity) worst = &t;
    }
    if (worst == nullptr) continue;

    domain::Finding f;
    f.rule_id = "epro:" + answer.item_id;
    f.severity = worst->severity;
    f.reason = fmt::format("ePRO {} {} {} {} (protocol threshold)", answer.item_id, value->second,
                           symbol(worst->op), format_number(worst->value));
    f.observation_ids.push_back(response.id);
    f.observed_at = response.authored;
    findings.push_back(std::move(f));
  }
  return findings;
}

}  // namespace vigil::rules
