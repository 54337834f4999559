#include "domain/loinc.h"

#include <fmt/format.h>

#include <array>

namespace vigil::domain {

namespace {

// UCUM annotations in braces ({beats}/min) are unit 1 by definition, so they equal the bare unit.
constexpr std::array<UnitConversion, 1> kBreaths{{{.unit = "{breaths}/min"}}};
constexpr std::array<UnitConversion, 1> kBeats{{{.unit = "{beats}/min"}}};
constexpr std::array<UnitConversion, 1> kFahrenheit{
    {{.unit = "[degF]", .offset = 32, .numerator = 5, .denominator = 9}}};
constexpr std::array<UnitConversion, 1> kInches{
    {{.unit = "[in_i]", .numerator = 2.54}}};  // international inch, exact
// The avoirdupois pound is defined as exactly 0.45359237 kg.
constexpr std::array<UnitConversion, 2> kMass{
    {{.unit = "g", .denominator = 1000}, {.unit = "[lb_av]", .numerator = 0.45359237}}};
constexpr std::array<UnitConversion, 1> kLitres{{{.unit = "l/min"}}};  // UCUM accepts l and L for the litre

constexpr std::array<std::string_view, 2> kBloodPressureParts{loinc::systolic_bp, loinc::diastolic_bp};

constexpr Range closed(double low, double high) {
  return {low, true, high, true};
}
constexpr Range above(double low, double high) {
  return {low, false, high, true};
}

// Ranges are what a living body can produce, not what is normal; the reason for each bound follows.
constexpr CodeInfo kCodes[] = {
    // 0 is apnoea, a real (critical) reading. Neonates in distress reach about 100; above is artefact.
    {.code = loinc::respiratory_rate,
     .display = "respiratory rate",
     .unit = "/min",
     .alternatives = kBreaths,
     .range = closed(0, 100)},
    // A wearable reports 0 when it loses skin contact, not asystole, so 0 is refused. 1:1 atrial
    // flutter and infant SVT reach about 300; 900 is impossible.
    {.code = loinc::heart_rate,
     .display = "heart rate",
     .unit = "/min",
     .alternatives = kBeats,
     .range = above(0, 300)},
    // A percentage.
    {.code = loinc::spo2, .display = "oxygen saturation", .unit = "%", .range = closed(0, 100)},
    {.code = loinc::spo2_pulse_oximetry,
     .display = "oxygen saturation by pulse oximetry",
     .unit = "%",
     .range = closed(0, 100)},
    // Below 25 Cel a body-worn sensor is reading the room; the highest body temperature survived was
    // 46.5 Cel, so the bound is 47 and 80 Cel is impossible.
    {.code = loinc::body_temperature,
     .display = "body temperature",
     .unit = "Cel",
     .alternatives = kFahrenheit,
     .range = closed(25, 47)},
    // An extremely preterm newborn is about 20 cm; the tallest person recorded was 272 cm.
    {.code = loinc::body_height,
     .display = "body height",
     .unit = "cm",
     .alternatives = kInches,
     .range = closed(20, 300)},
    // Surviving preterm newborns weigh from about 0.25 kg; the heaviest person recorded was 635 kg.
    {.code = loinc::body_weight,
     .display = "body weight",
     .unit = "kg",
     .alternatives = kMass,
     .range = closed(0.2, 700)},
    // Starvation kills well above BMI 5; the highest BMI recorded is about 204.
    {.code = loinc::bmi, .display = "body mass index", .unit = "kg/m2", .range = closed(5, 250)},
    {.code = loinc::blood_pressure_panel,
     .display = "blood pressure panel",
     .unit = "",
     .role = CodeRole::panel,
     .components = kBloodPressureParts},
    // No cuff reads below 20 mmHg; 370/360 mmHg was recorded during maximal weightlifting. Diastolic
    // must also be below systolic (checked in validate.cpp, as it spans two components).
    {.code = loinc::systolic_bp,
     .display = "systolic blood pressure",
     .unit = "mm[Hg]",
     .range = closed(20, 400),
     .role = CodeRole::component},
    {.code = loinc::diastolic_bp,
     .display = "diastolic blood pressure",
     .unit = "mm[Hg]",
     .range = closed(5, 380),
     .role = CodeRole::component},
    // Glucose is never 0 in a living patient; 2656 mg/dL is the highest survived.
    {.code = loinc::glucose_blood, .display = "glucose in blood", .unit = "mg/dL", .range = above(0, 3000)},
    {.code = loinc::glucose_serum_plasma,
     .display = "glucose in serum or plasma",
     .unit = "mg/dL",
     .range = above(0, 3000)},
    // A 0-10 numeric rating scale.
    {.code = loinc::pain_severity,
     .display = "pain severity",
     .unit = "{score}",
     .range = closed(0, 10),
     .whole_number = true},
    // 0 means room air; high-flow nasal cannulas deliver up to 60-70 L/min.
    {.code = loinc::inhaled_oxygen_flow,
     .display = "inhaled oxygen flow rate",
     .unit = "L/min",
     .alternatives = kLitres,
     .range = closed(0, 80)},
};

}  // namespace

std::string Range::describe() const {
  return fmt::format("{} {} and {} {}", low_inclusive ? "at least" : "above", low,
                     high_inclusive ? "at most" : "below", high);
}

std::span<const CodeInfo> supported_codes() {
  return kCodes;
}

const CodeInfo* find_code(std::string_view code) {
  for (const auto& info : kCodes) {
    if (info.code == code) return &info;
  }
  return nullptr;
}

std::optional<double> to_canonical(const CodeInfo& info, double value, std::string_view unit) {
  if (unit == info.unit && !info.unit.empty()) return value;
  for (const auto& alt : info.alternatives) {
    if (alt.unit == unit) return (value - alt.offset) * alt.numerator / alt.denominator;
  }
  return std::nullopt;
}

}  // namespace vigil::domain
