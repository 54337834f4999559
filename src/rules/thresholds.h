#pragma once
// Protocol thresholds: a trial's own numeric alert limits on vital signs (per LOINC code) and on ePRO
// answers (per questionnaire item). Pure functions; values are in canonical units and are compared
// exactly as received (no rounding: the protocol sets the limit at whatever precision it needs).
#include <optional>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "domain/finding.h"
#include "domain/questionnaire.h"
#include "rules/protocol.h"

namespace vigil::rules {

// Checks one reading of `code` against every threshold for that code and returns the finding of the
// most severe one that fires (the first listed on a tie), or nothing. Rule id "threshold:<code>";
// reason like "heart rate 142 /min above 130 (protocol threshold)". Limits are strict: a reading
// equal to `high` or `low` does not fire.
std::optional<domain::Finding> check_threshold(const std::vector<Threshold>& thresholds,
                                               std::string_view code, double value,
                                               std::string_view observation_id, TimePoint at);

// One finding per answered item whose answer trips at least one of its thresholds (the most severe
// one; the first listed on a tie), in answer order. Rule id "epro:<item id>"; reason like
// "ePRO pain 9 >= 8 (protocol threshold)". Booleans compare as 1 (true) and 0 (false); coded
// (text) answers have no numeric value and never fire. `equal` compares exactly.
std::vector<domain::Finding> check_epro_thresholds(const std::vector<EproThreshold>& thresholds,
                                                   const domain::QuestionnaireResponse& response);

}  // namespace vigil::rules
