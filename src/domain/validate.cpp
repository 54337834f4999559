#include "domain/validate.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "domain/loinc.h"

namespace vigil::domain {

namespace {

bool is_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

bool is_identifier_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
         c == '-';
}

class Errors {
 public:
  void add(std::string path, std::string message) { list_.push_back({std::move(path), std::move(message)}); }
  std::vector<FieldError> take() { return std::move(list_); }

 private:
  std::vector<FieldError> list_;
};

void check_uuid(std::string& id, Errors& errors) {
  if (id.empty()) {
    errors.add("id", "required");
  } else if (!is_uuid(id)) {
    errors.add("id", "must be a UUID (8-4-4-4-12 hexadecimal digits)");
  } else {
    // Lower-case so that "A1B2..." and "a1b2..." are the same idempotency key.
    for (char& c : id) {
      if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
    }
  }
}

void check_identifier(std::string_view path, const std::string& value, bool required, Errors& errors) {
  if (value.empty()) {
    if (required) errors.add(std::string(path), "required");
    return;
  }
  if (value.size() > kMaxIdentifierLength) {
    errors.add(std::string(path), fmt::format("must be at most {} characters", kMaxIdentifierLength));
  } else if (!std::all_of(value.begin(), value.end(), is_identifier_char)) {
    errors.add(std::string(path), "may contain only letters, digits, '.', '_' and '-'");
  }
}

void check_not_future(std::string_view path, TimePoint t, TimePoint now, Errors& errors) {
  if (t > now + kMaxFutureSkew) {
    errors.add(std::string(path), fmt::format("{} is more than 5 minutes after the server time {}",
                                              format_rfc3339(t), format_rfc3339(now)));
  }
}

// Converts `value` from `unit` to the canonical unit and checks it against the code's range.
// `prefix` is "" for the observation itself and "components[i]." for a component.
// Returns true when the value is usable (converted and in range).
bool check_quantity(const CodeInfo& info, const std::string& prefix, double& value, std::string& unit,
                    Errors& errors) {
  if (unit.empty()) {
    errors.add(prefix + "unit", fmt::format("required ({} for {})", info.unit, info.display));
    return false;
  }
  const auto canonical = to_canonical(info, value, unit);
  if (!canonical) {
    std::string accepted(info.unit);
    for (const auto& alt : info.alternatives) accepted += fmt::format(", {}", alt.unit);
    errors.add(prefix + "unit", fmt::format("'{}' is not a unit of {} ({}); expected {}", unit, info.display,
                                            info.code, accepted));
    return false;
  }
  if (!std::isfinite(value) || !std::isfinite(*canonical)) {
    errors.add(prefix + "value", "must be a finite number");
    return false;
  }
  const std::string original = unit == info.unit ? "" : fmt::format(" ({} {})", value, unit);
  value = *canonical;
  unit = std::string(info.unit);
  if (!info.range.contains(value)) {
    errors.add(prefix + "value", fmt::format("{} {}{} is not a possible {}: must be {} {}", value, unit,
                                             original, info.display, info.range.describe(), unit));
    return false;
  }
  if (info.whole_number && value != std::floor(value)) {
    errors.add(prefix + "value", fmt::format("{} must be a whole number", info.display));
    return false;
  }
  return true;
}

void check_panel(const CodeInfo& panel, Observation& obs, Errors& errors) {
  if (obs.value)
    errors.add("value", fmt::format("a {} carries no value; send its components", panel.display));
  if (!obs.unit.empty())
    errors.add("unit", fmt::format("a {} carries no unit; its components do", panel.display));
  if (obs.components.empty()) {
    errors.add("components",
               fmt::format("required: {} needs {}", panel.code, fmt::join(panel.components, " and ")));
    return;
  }
  // Index of each expected component in obs.components, or -1; and whether its value is usable.
  std::vector<int> index(panel.components.size(), -1);
  std::vector<bool> usable(panel.components.size(), false);
  for (std::size_t i = 0; i < obs.components.size(); ++i) {
    auto& component = obs.components[i];
    const std::string prefix = fmt::format("components[{}].", i);
    const auto slot = std::find(panel.components.begin(), panel.components.end(), component.code);
    if (slot == panel.components.end()) {
      errors.add(prefix + "code", fmt::format("'{}' is not a component of {} (expected {})", component.code,
                                              panel.code, fmt::join(panel.components, " or ")));
      continue;
    }
    const auto k = static_cast<std::size_t>(slot - panel.components.begin());
    if (index[k] >= 0) {
      errors.add(prefix + "code", fmt::format("duplicate component {}", component.code));
      continue;
    }
    index[k] = static_cast<int>(i);
    usable[k] = check_quantity(*find_code(component.code), prefix, component.value, component.unit, errors);
  }
  for (std::size_t k = 0; k < panel.components.size(); ++k) {
    if (index[k] < 0) {
      errors.add("components", fmt::format("missing {} ({})", find_code(panel.components[k])->display,
                                           panel.components[k]));
    }
  }
  // Blood pressure: the heart cannot relax to a pressure at or above the one it contracts to.
  if (panel.code == loinc::blood_pressure_panel && usable[0] && usable[1]) {
    const auto& systolic = obs.components[static_cast<std::size_t>(index[0])];
    const auto& diastolic = obs.components[static_cast<std::size_t>(index[1])];
    if (diastolic.value >= systolic.value) {
      errors.add(fmt::format("components[{}].value", index[1]),
                 fmt::format("diastolic {} mm[Hg] must be below systolic {} mm[Hg]", diastolic.value,
                             systolic.value));
    }
  }
}

}  // namespace

bool is_uuid(std::string_view text) {
  if (text.size() != 36) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? text[i] != '-' : !is_hex(text[i])) return false;
  }
  return true;
}

std::vector<FieldError> validate(Observation& obs, TimePoint now) {
  Errors errors;
  check_uuid(obs.id, errors);
  check_identifier("patient_id", obs.patient_id, true, errors);
  check_identifier("device_id", obs.device_id, false, errors);

  const CodeInfo* info = obs.code.empty() ? nullptr : find_code(obs.code);
  if (obs.code.empty()) {
    errors.add("code", "required");
  } else if (info == nullptr) {
    errors.add("code", fmt::format("unsupported LOINC code '{}'", obs.code));
  } else if (info->role == CodeRole::component) {
    errors.add("code", fmt::format("{} is a component; send it inside a {} panel", obs.code,
                                   loinc::blood_pressure_panel));
  } else if (info->role == CodeRole::panel) {
    check_panel(*info, obs, errors);
  } else {
    if (!obs.components.empty()) {
      errors.add("components", fmt::format("only panels carry components; {} carries a value", obs.code));
    }
    if (!obs.value) {
      errors.add("value", "required");
    } else {
      check_quantity(*info, "", *obs.value, obs.unit, errors);
    }
  }
  check_not_future("effective_time", obs.effective_time, now, errors);
  return errors.take();
}

std::vector<FieldError> validate(QuestionnaireResponse& response, const QuestionnaireDefinition& definition,
                                 TimePoint now) {
  Errors errors;
  check_uuid(response.id, errors);
  check_identifier("patient_id", response.patient_id, true, errors);
  if (response.questionnaire_id != definition.id) {
    errors.add("questionnaire", fmt::format("unknown questionnaire '{}' (expected '{}')",
                                            response.questionnaire_id, definition.id));
  } else if (response.questionnaire_version != definition.version) {
    errors.add("version", fmt::format("version '{}' does not match the current version '{}'",
                                      response.questionnaire_version, definition.version));
  }
  check_not_future("authored", response.authored, now, errors);

  std::vector<bool> answered(definition.items.size(), false);
  for (const auto& answer : response.answers) {
    const std::string path = "answers." + answer.item_id;
    const auto item = std::find_if(definition.items.begin(), definition.items.end(),
                                   [&](const QuestionnaireItem& i) { return i.id == answer.item_id; });
    if (item == definition.items.end()) {
      errors.add(path, "unknown item");
      continue;
    }
    const auto k = static_cast<std::size_t>(item - definition.items.begin());
    if (answered[k]) {
      errors.add(path, "duplicate answer");
      continue;
    }
    answered[k] = true;
    switch (item->type) {
      case ItemType::numeric: {
        const double* number = std::get_if<double>(&answer.value);
        if (number == nullptr) {
          errors.add(path, "must be a number");
        } else if (!std::isfinite(*number) || *number < item->min || *number > item->max) {
          errors.add(path, fmt::format("must be between {} and {}", item->min, item->max));
        }
        break;
      }
      case ItemType::boolean:
        if (!std::holds_alternative<bool>(answer.value)) errors.add(path, "must be true or false");
        break;
      case ItemType::coded: {
        const std::string* code = std::get_if<std::string>(&answer.value);
        if (code == nullptr ||
            std::find(item->options.begin(), item->options.end(), *code) == item->options.end()) {
          errors.add(path, fmt::format("must be one of: {}", fmt::join(item->options, ", ")));
        }
        break;
      }
    }
  }
  for (std::size_t k = 0; k < definition.items.size(); ++k) {
    if (definition.items[k].required && !answered[k])
      errors.add("answers." + definition.items[k].id, "required");
  }
  return errors.take();
}

}  // namespace vigil::domain
