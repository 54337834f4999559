#pragma once
// Missing data: a patient whose devices have sent nothing for longer than the protocol allows (the
// "no upload for 24 h" alert of REDCap-style tools). Pure function.
#include <optional>

#include "common/clock.h"
#include "domain/finding.h"

namespace vigil::rules {

// A finding (Severity::low, rule "missing-data", reason "no reading for 26.5 h (protocol allows 24 h)",
// observed_at = last_reading) when more than `gap` has passed since `last_reading`; nothing when
// exactly `gap` or less has passed, or when `now` is before `last_reading`.
std::optional<domain::Finding> check_missing_data(TimePoint last_reading, TimePoint now, Duration gap);

// The same for an enrolled patient with no reading at all: silent for more than `gap` since
// `since` (the enrolment, or a later start of monitoring when the patient was enrolled before the
// node could receive anything). Reason "no reading since enrolment: none in 26.5 h (protocol allows
// 24 h)", observed_at = since.
std::optional<domain::Finding> check_never_sent(TimePoint since, TimePoint now, Duration gap);

}  // namespace vigil::rules
