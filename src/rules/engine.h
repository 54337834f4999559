#pragma once
// The rule engine's facade: what the processor calls for each reading of a patient. It updates the
// patient's state and returns every finding the reading raises, from the protocol thresholds, CTCAE
// grades and NEWS2 (in that order). Pure: no I/O, no clock (every time comes from the data or the
// caller), so replaying a patient's readings in the same order gives the same findings.
//
// Thread safety: the functions are stateless; the PatientState passed in must not be used by another
// thread during the call (see patient_state.h).
#include <optional>
#include <vector>

#include "common/clock.h"
#include "domain/finding.h"
#include "domain/observation.h"
#include "domain/questionnaire.h"
#include "rules/patient_state.h"
#include "rules/protocol.h"

namespace vigil::rules {

// Applies `observation` to `state`, then checks:
// - protocol thresholds on its value, or on each component of a panel;
// - CTCAE (when enabled) hypertension from a blood-pressure panel or a lone SBP/DBP reading, fever from
//   a temperature (G4 from how long the temperature has stayed above 40.0 C);
// - NEWS2 (when enabled and the reading became the newest of a NEWS2 parameter), scored at the
//   reading's effective time, or at the newest held NEWS2 reading when that is later (a late reading
//   is scored with the current picture instead of a past one that lacks the newer readings).
//   A finding only when the band reaches news2.min_alert_band; it lists the readings scored.
std::vector<domain::Finding> evaluate(const Protocol& protocol, const PatientSettings& settings,
                                      PatientState& state, const domain::Observation& observation);

// Applies `response` (a response to protocol.questionnaire) to `state`, then checks the ePRO
// thresholds and, when the response answered the consciousness item, re-scores NEWS2 as above at
// its authored time.
std::vector<domain::Finding> evaluate(const Protocol& protocol, const PatientSettings& settings,
                                      PatientState& state, const domain::QuestionnaireResponse& response);

// The missing-data finding for a patient at `now` (protocol.missing_data_gap since the last
// observation); nothing for a patient who has sent no observation yet.
std::optional<domain::Finding> evaluate_missing(const Protocol& protocol, const PatientState& state,
                                                TimePoint now);

// NEWS2 at `at` from the state alone (no apply), with the same alerting rule as evaluate(): for
// showing a patient's current score and for re-scoring on a timer.
std::optional<domain::Finding> evaluate_news2(const Protocol& protocol, const PatientSettings& settings,
                                              const PatientState& state, TimePoint at);

}  // namespace vigil::rules
