#pragma once
// Scores a simulated run from what it planned (episodes) and what the server said (alert changes
// seen on the alert stream). Pure: no clock, no I/O.
//
// Definitions (all times simulated):
// - An alert "fires" at the first change seen at which its severity is medium or higher (opened at
//   medium+, or raised to it later); later changes of the same alert do not fire again.
// - An episode's window is [onset, end + grace]: the grace (default 1 h, the NEWS2 window) covers
//   readings from the episode that are still scored after the physiology has recovered.
// - Injected: episodes with onset before the run's end. Evaluable: those whose ramp completed
//   (peak at or before the end); recall is detected / evaluable, so a run stopped early is not
//   blamed for episodes that had no time to develop. Detected: an alert on the patient fires inside
//   the window. Detection delay: first such firing minus onset.
// - False alert: a firing on a patient with no episode, or outside the patient's window, at or
//   after the run's start (firings before the start belong to an earlier run). Per 100 patient-days
//   of monitored time outside episode windows: patients * (end - start) minus every window's
//   overlap with [start, end].
//
// Thread safety: pure functions over values.
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "domain/severity.h"

namespace vigil::sim {

struct EpisodeRecord {
  std::string patient_id;
  TimePoint onset{};
  TimePoint peak{};
  TimePoint end{};
};

// One alert change as seen on the stream.
struct AlertChangeSeen {
  std::string alert_id;
  std::string patient_id;
  std::string rule_id;
  domain::Severity severity = domain::Severity::low;  // the alert's severity after the change
  TimePoint at{};                                     // when the server made the change
};

struct EvaluationInput {
  TimePoint start{};
  TimePoint end{};
  std::size_t patients = 0;  // monitored patients (all planned ones)
  std::vector<EpisodeRecord> episodes;
  std::vector<AlertChangeSeen> changes;  // any order
  Duration grace = std::chrono::hours(1);
};

struct Evaluation {
  std::size_t injected = 0;
  std::size_t evaluable = 0;
  std::size_t detected = 0;                    // of the evaluable ones
  std::optional<double> recall;                // detected / evaluable; absent when none is evaluable
  std::optional<double> median_delay_minutes;  // over the detected ones
  std::size_t false_alerts = 0;
  double patient_days = 0;                                  // monitored outside episode windows
  std::optional<double> false_alerts_per_100_patient_days;  // absent when patient_days is 0
};

Evaluation evaluate(const EvaluationInput& input);

// The median of `values` (the mean of the two middle ones for an even count); absent when empty.
std::optional<double> median(std::vector<double> values);

}  // namespace vigil::sim
