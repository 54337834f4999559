#pragma once
// The LOINC codes Vigil accepts, with each code's canonical UCUM unit, the alternative units it
// converts from, and the range of values a living patient can physically produce (readings outside
// it are device or transcription errors, refused at intake; clinically alarming but possible values
// are the rules' business, not this table's).
//
// Thread safety: everything here is immutable static data and pure functions.
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace vigil::domain {

namespace loinc {
inline constexpr std::string_view respiratory_rate = "9279-1";
inline constexpr std::string_view heart_rate = "8867-4";
inline constexpr std::string_view spo2 = "2708-6";
inline constexpr std::string_view spo2_pulse_oximetry = "59408-5";
inline constexpr std::string_view body_temperature = "8310-5";
inline constexpr std::string_view body_height = "8302-2";
inline constexpr std::string_view body_weight = "29463-7";
inline constexpr std::string_view bmi = "39156-5";
inline constexpr std::string_view blood_pressure_panel = "85354-9";
inline constexpr std::string_view systolic_bp = "8480-6";   // component of 85354-9 only
inline constexpr std::string_view diastolic_bp = "8462-4";  // component of 85354-9 only
inline constexpr std::string_view glucose_blood = "2339-0";
inline constexpr std::string_view glucose_serum_plasma = "2345-7";
inline constexpr std::string_view pain_severity = "72514-3";
// Any reading > 0 L/min tells NEWS2 the patient is on supplemental oxygen.
inline constexpr std::string_view inhaled_oxygen_flow = "3151-8";
}  // namespace loinc

// canonical = (value - offset) * numerator / denominator. Kept as a ratio so that exact factors
// (5/9, 1/1000) are applied without a rounded reciprocal.
struct UnitConversion {
  std::string_view unit{};
  double offset = 0;
  double numerator = 1;
  double denominator = 1;
};

// An interval with open or closed ends, in the code's canonical unit.
struct Range {
  double low = 0;
  bool low_inclusive = true;
  double high = 0;
  bool high_inclusive = true;

  [[nodiscard]] bool contains(double v) const {
    return (low_inclusive ? v >= low : v > low) && (high_inclusive ? v <= high : v < high);
  }
  // "at least 25 and at most 46", "above 0 and at most 300"
  [[nodiscard]] std::string describe() const;
};

enum class CodeRole {
  single,     // a plain observation carrying one value
  panel,      // carries components and no value (85354-9)
  component,  // valid only inside its panel (8480-6, 8462-4)
};

struct CodeInfo {
  std::string_view code{};
  std::string_view display{};  // e.g. "heart rate"
  std::string_view unit{};     // canonical UCUM unit; empty for panels
  std::span<const UnitConversion> alternatives{};
  Range range{};  // unused for panels
  CodeRole role = CodeRole::single;
  bool whole_number = false;                       // reported scores (pain 0-10) are integers
  std::span<const std::string_view> components{};  // panel only, in canonical order
};

// Every code above, panel components included.
std::span<const CodeInfo> supported_codes();
// nullptr when the code is not supported.
const CodeInfo* find_code(std::string_view code);
// `value` in `unit` converted to the code's canonical unit; nullopt when `unit` is neither the
// canonical unit nor one of the alternatives.
std::optional<double> to_canonical(const CodeInfo& info, double value, std::string_view unit);

}  // namespace vigil::domain
