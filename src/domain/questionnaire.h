#pragma once
// ePRO: a patient's answers to a versioned questionnaire, and the questionnaire's definition that
// answers are validated against. Pure data.
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "common/clock.h"

namespace vigil::domain {

// numeric, boolean or coded (a code from the item's option list)
using AnswerValue = std::variant<double, bool, std::string>;

struct Answer {
  std::string item_id;
  AnswerValue value;
};

struct QuestionnaireResponse {
  std::string id;  // idempotency key (UUID)
  std::string patient_id;
  std::string questionnaire_id;
  std::string questionnaire_version;
  TimePoint authored{};
  std::vector<Answer> answers;  // in submission order, item ids unique
};

enum class ItemType { numeric, boolean, coded };

struct QuestionnaireItem {
  std::string id;    // e.g. "pain"
  std::string text;  // shown to the patient
  ItemType type = ItemType::numeric;
  std::string loinc;                 // optional, e.g. 72514-3 for pain severity
  double min = 0;                    // numeric only
  double max = 0;                    // numeric only
  std::vector<std::string> options;  // coded only
  bool required = false;
  // NEWS2 reads new confusion from the item marked as the consciousness item (boolean true = new confusion).
  bool news2_consciousness = false;
};

struct QuestionnaireDefinition {
  std::string id;
  std::string version;
  std::vector<QuestionnaireItem> items;
};

}  // namespace vigil::domain
