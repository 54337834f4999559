#pragma once
// Simulated physiology: a patient's wearable vital signs and daily diary answers at a simulated time.
//
// Everything here is a pure function of its arguments: a profile is drawn from a seed, a reading from
// the profile, the episode (if any), the time and a per-reading seed (std::mt19937_64), so the same
// plan produces the same readings whatever order they are generated in, and tests can pin them.
//
// Normal patients. Each patient has a baseline inside the NEWS2 zero-score bands and below every
// threshold of the demo protocol (CLINICAL.md; examples/trials/demo.yaml): pulse 60-82, respiration
// 13-18, SpO2 96.5-99 (91-96 band for scale-2 patients), temperature 36.4-37.1 C, blood pressure
// 114-130 / 66-80 (below CTCAE hypertension grade 2). Readings add Gaussian noise and are clamped to
// a "normal envelope" that still scores NEWS2 0, so a normal reading only scores through an artefact.
//
// Artefacts. With a small probability per reading set, one parameter shows a brief implausible but
// valid value: a SpO2 dip to 91-94 % (90-91 % on scale 2), a motion spike of the pulse (at most
// 109 /min), or a probe-off temperature of 35.6-35.9 C. None trips a protocol threshold; all but
// the deepest dip score at most 2 NEWS2 points, and a dip to 91 % scores 3 on its own, which raises
// a low-medium NEWS2 alert (the "single parameter 3" rule), never a medium one. So a normal patient
// stays in NEWS2 0-2 almost always, and medium-or-higher false alerts come from nothing here.
//
// Episodes (sepsis-like). From onset the deterioration grows over a 30-90 simulated minute ramp
// (smoothstep), holds for a 60-120 minute plateau, and recovers over another ramp length. At full
// severity pulse rises 45-55 /min, respiration 11-14 /min, temperature 2.0-2.5 C, systolic pressure
// falls 30-40 mmHg and SpO2 6-8 points: whatever the baseline and noise, NEWS2 reaches at least 6
// (typically 10+), i.e. the "medium" band or higher. Diary answers follow: shortness of breath from
// half severity, new confusion from 85 %.
#include <cstdint>
#include <vector>

#include "common/clock.h"
#include "domain/questionnaire.h"
#include "rules/protocol.h"

namespace vigil::sim {

// Mixes a base seed with a stream index (SplitMix64 finaliser), so per-patient and per-reading seeds
// are independent draws rather than neighbouring integers fed to the generator.
std::uint64_t mix_seed(std::uint64_t base, std::uint64_t index);

// One reading set in canonical units: /min, /min, %, Cel, mm[Hg], mm[Hg]. Values are rounded as a
// device reports them: integers except temperature (0.1 C).
struct Vitals {
  double heart_rate = 0;
  double respiration_rate = 0;
  double spo2 = 0;
  double temperature = 0;
  double systolic = 0;
  double diastolic = 0;
};

enum class Artefact { none, spo2_dip, pulse_spike, temperature_drop };

struct VitalsSample {
  Vitals vitals;
  Artefact artefact = Artefact::none;
};

struct PatientProfile {
  Vitals baseline;     // unrounded
  int spo2_scale = 1;  // NEWS2 SpO2 scale from the registry (2: hypercapnic respiratory failure)
};

struct Episode {
  TimePoint onset{};
  Duration ramp{};      // onset to full severity
  Duration plateau{};   // at full severity
  Duration recovery{};  // back to baseline
  // Shifts at full severity (positive numbers; directions as in the file comment).
  double heart_rate_rise = 0;
  double respiration_rise = 0;
  double temperature_rise = 0;
  double systolic_fall = 0;
  double spo2_fall = 0;

  [[nodiscard]] TimePoint peak() const { return onset + ramp; }
  [[nodiscard]] TimePoint end() const { return onset + ramp + plateau + recovery; }
};

PatientProfile make_profile(std::uint64_t seed, int spo2_scale);
Episode make_episode(std::uint64_t seed, TimePoint onset);

// 0 before onset and after the end, rising smoothly to 1 at the peak, 1 on the plateau, falling
// smoothly back to 0 over the recovery.
double episode_severity(const Episode& episode, TimePoint at);

// The reading set a patient's wearable reports at `at`. `episode` may be null (no episode).
// `artefact_probability` is per reading set, in [0, 1].
VitalsSample sample_vitals(const PatientProfile& profile, const Episode* episode, TimePoint at,
                           std::uint64_t reading_seed, double artefact_probability);

// Answers to `definition` for a patient at episode severity `severity` (0 for a normal patient), in
// the definition's item order, every item answered. Normal answers never trip `thresholds`: a
// numeric item is drawn from the lowest 30 % of its range (pulled down to the minimum when that
// trips a threshold), an alarming boolean item (one with a threshold, or the NEWS2 consciousness
// item) is false, other booleans are true 10 % of the time, a coded item takes its first option.
std::vector<domain::Answer> sample_answers(const domain::QuestionnaireDefinition& definition,
                                           const std::vector<rules::EproThreshold>& thresholds,
                                           double severity, std::uint64_t seed);

// Whether `value` (numeric, or 1/0 for booleans) trips `threshold`.
bool trips(const rules::EproThreshold& threshold, double value);

}  // namespace vigil::sim
