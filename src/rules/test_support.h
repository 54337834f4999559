#pragma once
// Builders for rules tests: readings as the processor hands them over (already normalised).
#include <chrono>
#include <string>

#include "domain/observation.h"
#include "domain/questionnaire.h"

namespace vigil::rules::testing {

// An arbitrary fixed day, so that no test depends on the wall clock.
inline const TimePoint kT0 = TimePoint(std::chrono::hours(24 * 20000));

inline domain::Observation reading(std::string id, std::string code, double value, TimePoint at) {
  domain::Observation o;
  o.id = std::move(id);
  o.patient_id = "P-001";
  o.code = std::move(code);
  o.value = value;
  o.effective_time = at;
  return o;
}

inline domain::Observation blood_pressure(std::string id, double systolic, double diastolic, TimePoint at) {
  domain::Observation o;
  o.id = std::move(id);
  o.patient_id = "P-001";
  o.code = "85354-9";
  o.components = {{"8480-6", systolic, "mm[Hg]"}, {"8462-4", diastolic, "mm[Hg]"}};
  o.effective_time = at;
  return o;
}

// The demo questionnaire: pain 0-10 and a consciousness item NEWS2 reads.
inline domain::QuestionnaireDefinition questionnaire() {
  domain::QuestionnaireDefinition d;
  d.id = "daily";
  d.version = "1";
  domain::QuestionnaireItem pain;
  pain.id = "pain";
  pain.text = "Pain";
  pain.type = domain::ItemType::numeric;
  pain.max = 10;
  domain::QuestionnaireItem confused;
  confused.id = "confused";
  confused.text = "Has the patient become newly confused?";
  confused.type = domain::ItemType::boolean;
  confused.news2_consciousness = true;
  d.items = {pain, confused};
  return d;
}

inline domain::QuestionnaireResponse answers(std::string id, TimePoint authored,
                                             std::vector<domain::Answer> given) {
  domain::QuestionnaireResponse r;
  r.id = std::move(id);
  r.patient_id = "P-001";
  r.questionnaire_id = "daily";
  r.questionnaire_version = "1";
  r.authored = authored;
  r.answers = std::move(given);
  return r;
}

}  // namespace vigil::rules::testing
