#pragma once
// What a rule concludes about one patient: the input to alerting. Pure data.
#include <string>
#include <vector>

#include "common/clock.h"
#include "domain/severity.h"

namespace vigil::domain {

struct Finding {
  // Stable rule id; alerts are deduplicated by (patient, rule_id). Families:
  //   "news2", "threshold:<loinc>", "epro:<item id>", "ctcae:hypertension", "ctcae:fever", "missing-data"
  std::string rule_id;
  Severity severity = Severity::low;
  std::string reason;                        // human-readable, e.g. "NEWS2 7 (RR 3, SpO2 2, ...)"
  std::vector<std::string> observation_ids;  // the readings that triggered it
  TimePoint observed_at{};                   // effective time of the newest triggering reading
};

}  // namespace vigil::domain
