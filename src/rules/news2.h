#pragma once
// NEWS2 (National Early Warning Score 2, Royal College of Physicians 2017): scores one set of vital
// signs and maps the total to a clinical response band. Pure functions over values; no state.
//
// Rounding. The NEWS2 table has integer bands for respiration rate, SpO2, systolic BP and pulse, and
// 0.1 C bands for temperature, so a decimal reading (a pulse of 90.5) falls between two bands. We
// round half away from zero to the band's precision before scoring: pulse 90.5 -> 91 (scores 1),
// 90.4 -> 90 (scores 0), temperature 38.05 -> 38.1 (scores 1). Readings arrive as decimal text or
// from unit conversion, so a value within 1e-9 (in band units) of a half counts as the half: 38.05
// is stored as 38.04999... in binary and must still round as its decimal text says.
//
// Partial inputs. Parameters that are absent are not scored and are listed in `missing`; the total
// of what is present is then a lower bound, and the band is computed from that lower bound. Air and
// alert are the defaults for the two yes/no parameters.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/severity.h"
#include "rules/protocol.h"

namespace vigil::rules {

// All values in canonical units: /min, %, mm[Hg], /min, Cel.
struct News2Input {
  std::optional<double> respiration_rate;
  std::optional<double> spo2;
  std::optional<double> systolic;
  std::optional<double> pulse;
  std::optional<double> temperature;
  bool on_oxygen = false;      // supplemental oxygen (scores 2); false means air
  bool new_confusion = false;  // ACVPU other than Alert (scores 3)
  int spo2_scale = 1;          // 1, or 2 for hypercapnic respiratory failure; any other value means 1
};

struct News2Result {
  int total = 0;  // a lower bound when `missing` is not empty
  // Per-parameter scores; absent when the parameter was absent from the input.
  std::optional<int> respiration_rate_score;
  std::optional<int> spo2_score;
  std::optional<int> systolic_score;
  std::optional<int> pulse_score;
  std::optional<int> temperature_score;
  int oxygen_score = 0;
  int consciousness_score = 0;
  bool any_single_three = false;
  News2Band band = News2Band::none;
  std::vector<std::string> missing;  // "respiration_rate", "spo2", "systolic", "pulse", "temperature"
  News2Input scored;                 // the input after rounding: the values the scores are for

  // "NEWS2 7 (RR 26 -> 3, SpO2 93 scale 1 -> 2, air -> 0, SBP 105 -> 1, pulse 112 -> 2, temp 38.4 -> 1,
  // alert -> 0)"; with missing parameters the total reads ">=4" and each reads e.g. "RR missing".
  [[nodiscard]] std::string describe() const;
};

News2Result score_news2(const News2Input& input);

// Single-parameter scores, on values already rounded as described above (exposed for tests and for
// showing a parameter's contribution on its own).
int score_respiration_rate(double per_min);
int score_spo2(double percent, int scale, bool on_oxygen);
int score_systolic(double mmhg);
int score_pulse(double per_min);
int score_temperature(double cel);

// Rounds half away from zero to `step` (1 or 0.1), treating values within 1e-9 steps of a half as
// the half.
double round_to_band(double value, double step);

// total 0 -> none; 1-4 -> low; a 3 in any single parameter (total below 5) -> low_medium;
// 5-6 -> medium; >=7 -> high.
News2Band news2_band(int total, bool any_single_three);

// The alert severity for a band: low, low-medium, medium, high; none for News2Band::none.
std::optional<domain::Severity> news2_severity(News2Band band);

// "none", "low", "low-medium", "medium", "high"; parse accepts exactly these.
std::string_view to_string(News2Band band);
std::optional<News2Band> parse_news2_band(std::string_view text);

}  // namespace vigil::rules
