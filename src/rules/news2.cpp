#include "rules/news2.h"

#include <fmt/format.h>

#include <cmath>

namespace vigil::rules {
namespace {

// Temperature bands are in tenths of a degree; compare integers so that 38.1 stored as
// 38.100000000000001 cannot land in the wrong band.
long tenths(double cel) {
  return std::lround(cel * 10.0);
}

// Rounds a present, finite value; absent or non-finite values count as missing.
std::optional<double> rounded(const std::optional<double>& value, double step) {
  if (!value || !std::isfinite(*value)) return std::nullopt;
  return round_to_band(*value, step);
}

}  // namespace

double round_to_band(double value, double step) {
  const double per_unit = std::round(1.0 / step);  // 1 or 10: exact, unlike dividing by 0.1
  const double scaled = value * per_unit;
  return std::round(scaled + std::copysign(1e-9, scaled)) / per_unit;
}

int score_respiration_rate(double per_min) {
  if (per_min <= 8) return 3;
  if (per_min <= 11) return 1;
  if (per_min <= 20) return 0;
  if (per_min <= 24) return 2;
  return 3;
}

int score_spo2(double percent, int scale, bool on_oxygen) {
  if (scale != 2) {
    if (percent <= 91) return 3;
    if (percent <= 93) return 2;
    if (percent <= 95) return 1;
    return 0;
  }
  if (percent <= 83) return 3;
  if (percent <= 85) return 2;
  if (percent <= 87) return 1;
  if (percent <= 92) return 0;
  // Scale 2 scores high saturations only on oxygen: 93 % or more on air is the target range (0), the
  // usual mistake is to score 93-94 on air as 1.
  if (!on_oxygen) return 0;
  if (percent <= 94) return 1;
  if (percent <= 96) return 2;
  return 3;
}

int score_systolic(double mmhg) {
  if (mmhg <= 90) return 3;
  if (mmhg <= 100) return 2;
  if (mmhg <= 110) return 1;
  if (mmhg <= 219) return 0;
  return 3;
}

int score_pulse(double per_min) {
  if (per_min <= 40) return 3;
  if (per_min <= 50) return 1;
  if (per_min <= 90) return 0;
  if (per_min <= 110) return 1;
  if (per_min <= 130) return 2;
  return 3;
}

int score_temperature(double cel) {
  const long t = tenths(cel);
  if (t <= 350) return 3;
  if (t <= 360) return 1;
  if (t <= 380) return 0;
  if (t <= 390) return 1;
  return 2;
}

News2Band news2_band(int total, bool any_single_three) {
  if (total >= 7) return News2Band::high;
  if (total >= 5) return News2Band::medium;
  if (any_single_three) return News2Band::low_medium;
  if (total >= 1) return News2Band::low;
  return News2Band::none;
}

News2Result score_news2(const News2Input& input) {
  News2Result r;
  r.scored.respiration_rate = rounded(input.respiration_rate, 1);
  r.scored.spo2 = rounded(input.spo2, 1);
  r.scored.systolic = rounded(input.systolic, 1);
  r.scored.pulse = rounded(input.pulse, 1);
  r.scored.temperature = rounded(input.temperature, 0.1);
  r.scored.on_oxygen = input.on_oxygen;
  r.scored.new_confusion = input.new_confusion;
  r.scored.spo2_scale = input.spo2_scale == 2 ? 2 : 1;

  const auto score = [&r](const std::optional<double>& value, const char* name, auto scorer) {
    if (!value) {
      r.missing.emplace_back(name);
      return std::optional<int>();
    }
    return std::optional<int>(scorer(*value));
  };
  r.respiration_rate_score = score(r.scored.respiration_rate, "respiration_rate", score_respiration_rate);
  r.spo2_score = score(r.scored.spo2, "spo2",
                       [&r](double v) { return score_spo2(v, r.scored.spo2_scale, r.scored.on_oxygen); });
  r.systolic_score = score(r.scored.systolic, "systolic", score_systolic);
  r.pulse_score = score(r.scored.pulse, "pulse", score_pulse);
  r.temperature_score = score(r.scored.temperature, "temperature", score_temperature);
  r.oxygen_score = input.on_oxygen ? 2 : 0;
  r.consciousness_score = input.new_confusion ? 3 : 0;

  for (const auto& s :
       {r.respiration_rate_score, r.spo2_score, r.systolic_score, r.pulse_score, r.temperature_score,
        std::optional<int>(r.oxygen_score), std::optional<int>(r.consciousness_score)}) {
    if (!s) continue;
    r.total += *s;
    if (*s == 3) r.any_single_three = true;
  }
  r.band = news2_band(r.total, r.any_single_three);
  return r;
}

std::string News2Result::describe() const {
  std::string out = fmt::format("NEWS2 {}{} (", missing.empty() ? "" : ">=", total);
  const auto part = [&out](std::string_view label, const std::optional<double>& value,
                           const std::optional<int>& score, int decimals, std::string_view suffix = "") {
    if (out.back() != '(') out += ", ";
    if (!value || !score) {
      out += fmt::format("{} missing", label);
      return;
    }
    out += fmt::format("{} {:.{}f}{} -> {}", label, *value, decimals, suffix, *score);
  };
  part("RR", scored.respiration_rate, respiration_rate_score, 0);
  part("SpO2", scored.spo2, spo2_score, 0, fmt::format(" scale {}", scored.spo2_scale));
  out += fmt::format(", {} -> {}", scored.on_oxygen ? "oxygen" : "air", oxygen_score);
  part("SBP", scored.systolic, systolic_score, 0);
  part("pulse", scored.pulse, pulse_score, 0);
  part("temp", scored.temperature, temperature_score, 1);
  out += fmt::format(", {} -> {})", scored.new_confusion ? "new confusion" : "alert", consciousness_score);
  return out;
}

std::optional<domain::Severity> news2_severity(News2Band band) {
  switch (band) {
    case News2Band::none:
      return std::nullopt;
    case News2Band::low:
      return domain::Severity::low;
    case News2Band::low_medium:
      return domain::Severity::low_medium;
    case News2Band::medium:
      return domain::Severity::medium;
    case News2Band::high:
      return domain::Severity::high;
  }
  return std::nullopt;
}

std::string_view to_string(News2Band band) {
  switch (band) {
    case News2Band::none:
      return "none";
    case News2Band::low:
      return "low";
    case News2Band::low_medium:
      return "low-medium";
    case News2Band::medium:
      return "medium";
    case News2Band::high:
      return "high";
  }
  return "none";
}

std::optional<News2Band> parse_news2_band(std::string_view text) {
  for (const auto band :
       {News2Band::none, News2Band::low, News2Band::low_medium, News2Band::medium, News2Band::high}) {
    if (to_string(band) == text) return band;
  }
  return std::nullopt;
}

}  // namespace vigil::rules
