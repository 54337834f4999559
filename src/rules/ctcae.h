#pragma once
// CTCAE v5.0 grades for the adverse-event terms that have numeric criteria: hypertension (adult) and
// fever. Pure functions over values in canonical units (mm[Hg], Cel).
//
// Decimals. Hypertension bands are written in whole mmHg ("G1 SBP 120-139", "G2 140-159",
// "G3 >=160"), and each band's upper edge is one below the next band's lower edge, so we read them as
// half-open intervals: a grade is reached when the value reaches its lower edge. 139.5 is G1 (it
// has not reached 140), 119.9 is no grade. Fever bands are written to 0.1 C with ">" edges
// ("G2 >39.0-40.0"), so the temperature is first rounded half away from zero to 0.1 C, exactly as
// NEWS2 rounds it (39.04 -> 39.0 is G1, 39.05 -> 39.1 is G2): the same reading never gets a
// different precision in the two scores, and unit-conversion noise (100.4 F -> 37.99999...) cannot
// move a reading across an edge.
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "domain/finding.h"
#include "domain/severity.h"
#include "rules/protocol.h"

namespace vigil::rules {

struct CtcaeGrade {
  int grade = 0;          // 0 when no grade is met
  std::string criterion;  // what met it: "SBP 152 mmHg (140-159)"; empty when grade is 0
};

// The higher of the SBP and DBP grades (either may be absent): G1 SBP 120-139 or DBP 80-89; G2 SBP
// 140-159 or DBP 90-99; G3 SBP >=160 or DBP >=100. G4 (life-threatening) needs clinical judgement
// and is never assigned here. When both reach the grade, the criterion names both.
CtcaeGrade grade_hypertension(std::optional<double> systolic, std::optional<double> diastolic);

// G1 38.0-39.0 C; G2 >39.0-40.0; G3 >40.0 for at most 24 h; G4 >40.0 for more than 24 h.
// `above_40_for` is how long the patient has been continuously above 40.0 C up to this reading
// (PatientState::time_above_40); it only matters when this reading is itself above 40.0.
CtcaeGrade grade_fever(double temperature_cel, Duration above_40_for);

// 1 low, 2 medium, 3 high, 4 critical; nothing for grade 0 (or anything outside 1-4).
std::optional<domain::Severity> ctcae_severity(int grade);

// A finding (rule "ctcae:hypertension" / "ctcae:fever") when the grade is at least
// settings.min_alert_grade, with the reason "CTCAE hypertension grade 2: SBP 152 mmHg (140-159)".
// `settings.enabled` is the caller's business.
std::optional<domain::Finding> hypertension_finding(const CtcaeSettings& settings,
                                                    std::optional<double> systolic,
                                                    std::optional<double> diastolic,
                                                    std::vector<std::string> observation_ids, TimePoint at);
std::optional<domain::Finding> fever_finding(const CtcaeSettings& settings, double temperature_cel,
                                             Duration above_40_for, std::vector<std::string> observation_ids,
                                             TimePoint at);

}  // namespace vigil::rules
