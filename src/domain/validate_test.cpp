#include "domain/validate.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "domain/test_support.h"

namespace vigil::domain {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

using testing::at;
using testing::paths;

const TimePoint kNow = at("2026-11-22T08:00:00Z");

Observation reading(std::string code, double value, std::string unit) {
  Observation obs;
  obs.id = "3F2504E0-4F89-11D3-9A0C-0305E82C3301";
  obs.patient_id = "P-0001.site_3";
  obs.device_id = "watch-17";
  obs.code = std::move(code);
  obs.value = value;
  obs.unit = std::move(unit);
  obs.effective_time = kNow - std::chrono::minutes(1);
  return obs;
}

Observation blood_pressure(double systolic, double diastolic) {
  Observation obs = reading("85354-9", 0, "");
  obs.value.reset();
  obs.components = {{"8480-6", systolic, "mm[Hg]"}, {"8462-4", diastolic, "mm[Hg]"}};
  return obs;
}

// The only error is at `path`, with a message containing `text`.
void expect_single(const std::vector<FieldError>& errors, std::string_view path, std::string_view text) {
  ASSERT_EQ(errors.size(), 1U) << ::testing::PrintToString(paths(errors));
  EXPECT_EQ(errors[0].path, path);
  EXPECT_THAT(errors[0].message, HasSubstr(std::string(text)));
}

TEST(ValidateObservation, AcceptsAValidReadingAndLowerCasesTheId) {
  Observation obs = reading("8867-4", 72, "/min");
  EXPECT_THAT(validate(obs, kNow), IsEmpty());
  EXPECT_EQ(obs.id, "3f2504e0-4f89-11d3-9a0c-0305e82c3301");
  EXPECT_EQ(obs.value, 72);
  EXPECT_EQ(obs.unit, "/min");
}

TEST(ValidateObservation, AcceptsEveryCodeInItsCanonicalUnit) {
  const std::tuple<const char*, double, const char*> cases[] = {
      {"9279-1", 16, "/min"},  {"8867-4", 72, "/min"},  {"2708-6", 97, "%"},       {"59408-5", 97, "%"},
      {"8310-5", 37, "Cel"},   {"8302-2", 172, "cm"},   {"29463-7", 70, "kg"},     {"39156-5", 23.7, "kg/m2"},
      {"2339-0", 95, "mg/dL"}, {"2345-7", 95, "mg/dL"}, {"72514-3", 4, "{score}"}, {"3151-8", 2, "L/min"}};
  for (const auto& [code, value, unit] : cases) {
    Observation obs = reading(code, value, unit);
    EXPECT_THAT(validate(obs, kNow), IsEmpty()) << code;
  }
  Observation bp = blood_pressure(120, 80);
  EXPECT_THAT(validate(bp, kNow), IsEmpty());
}

TEST(ValidateObservation, IdMustBeAUuid) {
  for (const char* bad : {"", "not-a-uuid", "3f2504e0-4f89-11d3-9a0c-0305e82c330",  // one digit short
                          "3f2504e0-4f89-11d3-9a0c-0305e82c33011", "3f2504e0x4f89-11d3-9a0c-0305e82c3301",
                          "3f2504e0-4f89-11d3-9a0c-0305e82c330g", "{3f2504e0-4f89-11d3-9a0c-0305e82c3301}"}) {
    Observation obs = reading("8867-4", 72, "/min");
    obs.id = bad;
    const auto errors = validate(obs, kNow);
    EXPECT_THAT(paths(errors), ElementsAre("id")) << bad;
    EXPECT_EQ(obs.id, bad);  // left as submitted
  }
  EXPECT_TRUE(is_uuid("00000000-0000-0000-0000-000000000000"));
  EXPECT_TRUE(is_uuid("ABCDEF01-abcd-ABCD-abcd-0123456789AB"));
}

TEST(ValidateObservation, PatientIdRules) {
  Observation obs = reading("8867-4", 72, "/min");
  obs.patient_id = "";
  expect_single(validate(obs, kNow), "patient_id", "required");
  obs.patient_id = std::string(64, 'a');
  EXPECT_THAT(validate(obs, kNow), IsEmpty());
  obs.patient_id = std::string(65, 'a');
  expect_single(validate(obs, kNow), "patient_id", "at most 64");
  for (const char* bad : {"P 1", "P/1", "P\xc3\xa9", "P:1", "P1\n"}) {
    obs.patient_id = bad;
    expect_single(validate(obs, kNow), "patient_id", "letters, digits");
  }
}

TEST(ValidateObservation, DeviceIdIsOptionalWithTheSameRules) {
  Observation obs = reading("8867-4", 72, "/min");
  obs.device_id = "";
  EXPECT_THAT(validate(obs, kNow), IsEmpty());
  obs.device_id = "dev#1";
  expect_single(validate(obs, kNow), "device_id", "letters, digits");
  obs.device_id = std::string(65, 'd');
  expect_single(validate(obs, kNow), "device_id", "at most 64");
}

TEST(ValidateObservation, CodeMustBeSupportedAndStandalone) {
  Observation obs = reading("", 72, "/min");
  expect_single(validate(obs, kNow), "code", "required");
  obs.code = "1234-5";
  expect_single(validate(obs, kNow), "code", "unsupported LOINC code '1234-5'");
  obs = reading("8480-6", 120, "mm[Hg]");
  expect_single(validate(obs, kNow), "code", "inside a 85354-9 panel");
}

TEST(ValidateObservation, NonPanelsNeedAValueAndNoComponents) {
  Observation obs = reading("8867-4", 72, "/min");
  obs.value.reset();
  expect_single(validate(obs, kNow), "value", "required");
  obs = reading("8867-4", 72, "/min");
  obs.components = {{"8480-6", 120, "mm[Hg]"}};
  expect_single(validate(obs, kNow), "components", "only panels");
}

TEST(ValidateObservation, UnitMustFitTheCode) {
  Observation obs = reading("8867-4", 37, "Cel");
  const auto errors = validate(obs, kNow);
  expect_single(errors, "unit", "'Cel' is not a unit of heart rate (8867-4); expected /min, {beats}/min");
  obs = reading("8867-4", 72, "");
  expect_single(validate(obs, kNow), "unit", "required");
  obs = reading("2708-6", 97, "percent");
  expect_single(validate(obs, kNow), "unit", "expected %");
}

TEST(ValidateObservation, ConvertsToTheCanonicalUnit) {
  Observation temp = reading("8310-5", 98.6, "[degF]");
  EXPECT_THAT(validate(temp, kNow), IsEmpty());
  EXPECT_NEAR(*temp.value, 37.0, 1e-9);
  EXPECT_EQ(temp.unit, "Cel");

  Observation weight = reading("29463-7", 154.3, "[lb_av]");
  EXPECT_THAT(validate(weight, kNow), IsEmpty());
  EXPECT_NEAR(*weight.value, 154.3 * 0.45359237, 1e-9);
  EXPECT_EQ(weight.unit, "kg");

  Observation grams = reading("29463-7", 3250, "g");
  EXPECT_THAT(validate(grams, kNow), IsEmpty());
  EXPECT_NEAR(*grams.value, 3.25, 1e-12);
  EXPECT_EQ(grams.unit, "kg");

  Observation height = reading("8302-2", 69, "[in_i]");
  EXPECT_THAT(validate(height, kNow), IsEmpty());
  EXPECT_NEAR(*height.value, 175.26, 1e-9);
  EXPECT_EQ(height.unit, "cm");

  Observation rate = reading("8867-4", 80, "{beats}/min");
  EXPECT_THAT(validate(rate, kNow), IsEmpty());
  EXPECT_EQ(rate.unit, "/min");
}

TEST(ValidateObservation, ConvertedValuesAreRangeCheckedInTheCanonicalUnit) {
  Observation obs = reading("8310-5", 176, "[degF]");  // 80 Cel
  expect_single(validate(obs, kNow), "value", "80 Cel (176 [degF]) is not a possible body temperature");
  obs = reading("8310-5", 98.6, "[degF]");
  EXPECT_THAT(validate(obs, kNow), IsEmpty());
}

struct Edge {
  const char* code;
  const char* unit;
  double inside;
  double outside;
};

TEST(ValidateObservation, PossibleRangeEdges) {
  const Edge edges[] = {
      {"9279-1", "/min", 0, -1},      {"9279-1", "/min", 100, 100.5},  {"8867-4", "/min", 0.5, 0},
      {"8867-4", "/min", 300, 300.5}, {"2708-6", "%", 0, -0.1},        {"2708-6", "%", 100, 100.1},
      {"59408-5", "%", 100, 101},     {"8310-5", "Cel", 25, 24.9},     {"8310-5", "Cel", 47, 47.1},
      {"8302-2", "cm", 20, 19.9},     {"8302-2", "cm", 300, 301},      {"29463-7", "kg", 0.2, 0.19},
      {"29463-7", "kg", 700, 700.1},  {"39156-5", "kg/m2", 5, 4.9},    {"39156-5", "kg/m2", 250, 251},
      {"2339-0", "mg/dL", 0.1, 0},    {"2345-7", "mg/dL", 3000, 3001}, {"72514-3", "{score}", 0, -1},
      {"72514-3", "{score}", 10, 11}, {"3151-8", "L/min", 0, -0.5},    {"3151-8", "L/min", 80, 81},
  };
  for (const auto& e : edges) {
    Observation in = reading(e.code, e.inside, e.unit);
    EXPECT_THAT(validate(in, kNow), IsEmpty()) << e.code << " " << e.inside;
    Observation out = reading(e.code, e.outside, e.unit);
    const auto errors = validate(out, kNow);
    EXPECT_THAT(paths(errors), ElementsAre("value")) << e.code << " " << e.outside;
  }
  Observation impossible = reading("8867-4", 900, "/min");
  expect_single(validate(impossible, kNow), "value",
                "900 /min is not a possible heart rate: must be above 0 and at most 300");
}

TEST(ValidateObservation, PainScoresAreWholeNumbers) {
  Observation obs = reading("72514-3", 4.5, "{score}");
  expect_single(validate(obs, kNow), "value", "whole number");
}

TEST(ValidateObservation, ValuesMustBeFinite) {
  for (const double bad : {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity(),
                           -std::numeric_limits<double>::infinity()}) {
    Observation obs = reading("8867-4", bad, "/min");
    expect_single(validate(obs, kNow), "value", "finite");
    Observation bp = blood_pressure(bad, 80);
    expect_single(validate(bp, kNow), "components[0].value", "finite");
  }
}

TEST(ValidateObservation, PanelNeedsBothComponentsAndNoValue) {
  Observation obs = blood_pressure(120, 80);
  obs.value = 120;
  expect_single(validate(obs, kNow), "value", "carries no value");

  obs = blood_pressure(120, 80);
  obs.unit = "mm[Hg]";
  expect_single(validate(obs, kNow), "unit", "carries no unit");

  obs = blood_pressure(120, 80);
  obs.components.clear();
  expect_single(validate(obs, kNow), "components", "8480-6 and 8462-4");

  obs = blood_pressure(120, 80);
  obs.components.pop_back();
  expect_single(validate(obs, kNow), "components", "missing diastolic blood pressure (8462-4)");

  obs = blood_pressure(120, 80);
  obs.components.erase(obs.components.begin());
  expect_single(validate(obs, kNow), "components", "missing systolic blood pressure (8480-6)");
}

TEST(ValidateObservation, PanelComponentsAreCheckedOneByOne) {
  Observation obs = blood_pressure(120, 80);
  obs.components[1].code = "8867-4";
  EXPECT_THAT(paths(validate(obs, kNow)), ElementsAre("components[1].code", "components"));

  obs = blood_pressure(120, 80);
  obs.components.push_back({"8480-6", 121, "mm[Hg]"});
  expect_single(validate(obs, kNow), "components[2].code", "duplicate component 8480-6");

  obs = blood_pressure(120, 80);
  obs.components[1].unit = "kPa";
  expect_single(validate(obs, kNow), "components[1].unit", "'kPa' is not a unit of diastolic blood pressure");

  obs = blood_pressure(120, 80);
  obs.components[0].unit = "";
  expect_single(validate(obs, kNow), "components[0].unit", "required");

  obs = blood_pressure(401, 80);
  expect_single(validate(obs, kNow), "components[0].value", "systolic blood pressure");

  obs = blood_pressure(120, 2);
  expect_single(validate(obs, kNow), "components[1].value", "diastolic blood pressure");
}

TEST(ValidateObservation, DiastolicMustBeBelowSystolic) {
  Observation obs = blood_pressure(120, 120);
  expect_single(validate(obs, kNow), "components[1].value",
                "diastolic 120 mm[Hg] must be below systolic 120 mm[Hg]");
  obs = blood_pressure(120, 119.9);
  EXPECT_THAT(validate(obs, kNow), IsEmpty());
  // Order of the components does not matter; the path points at the diastolic one.
  obs = blood_pressure(90, 100);
  std::swap(obs.components[0], obs.components[1]);
  expect_single(validate(obs, kNow), "components[0].value", "must be below systolic");
}

TEST(ValidateObservation, EffectiveTimeAtMostFiveMinutesAhead) {
  Observation obs = reading("8867-4", 72, "/min");
  obs.effective_time = kNow + std::chrono::minutes(5);
  EXPECT_THAT(validate(obs, kNow), IsEmpty());
  obs.effective_time = kNow + std::chrono::minutes(5) + std::chrono::milliseconds(1);
  expect_single(validate(obs, kNow), "effective_time", "more than 5 minutes after the server time");
  obs.effective_time = kNow - std::chrono::hours(24 * 365);
  EXPECT_THAT(validate(obs, kNow), IsEmpty());  // late uploads are fine
}

TEST(ValidateObservation, ReportsEveryProblemAtOnce) {
  Observation obs = reading("8867-4", 900, "/min");
  obs.id = "x";
  obs.patient_id = "";
  obs.device_id = "a b";
  obs.effective_time = kNow + std::chrono::hours(1);
  EXPECT_THAT(paths(validate(obs, kNow)),
              ElementsAre("id", "patient_id", "device_id", "value", "effective_time"));
}

QuestionnaireItem item(std::string id, ItemType type, bool required) {
  QuestionnaireItem i;
  i.id = std::move(id);
  i.text = "question " + i.id;
  i.type = type;
  i.required = required;
  return i;
}

QuestionnaireDefinition definition() {
  QuestionnaireDefinition def;
  def.id = "daily-symptoms";
  def.version = "3";
  auto pain = item("pain", ItemType::numeric, true);
  pain.loinc = "72514-3";
  pain.max = 10;
  auto confused = item("confused", ItemType::boolean, false);
  confused.news2_consciousness = true;
  auto nausea = item("nausea", ItemType::coded, true);
  nausea.options = {"none", "mild", "severe"};
  def.items = {pain, confused, nausea};
  return def;
}

QuestionnaireResponse response() {
  QuestionnaireResponse r;
  r.id = "6BA7B810-9DAD-11D1-80B4-00C04FD430C8";
  r.patient_id = "P-0001";
  r.questionnaire_id = "daily-symptoms";
  r.questionnaire_version = "3";
  r.authored = kNow;
  r.answers = {{"pain", 3.0}, {"confused", false}, {"nausea", std::string("mild")}};
  return r;
}

TEST(ValidateQuestionnaire, AcceptsAValidResponse) {
  auto r = response();
  EXPECT_THAT(validate(r, definition(), kNow), IsEmpty());
  EXPECT_EQ(r.id, "6ba7b810-9dad-11d1-80b4-00c04fd430c8");
  r.answers.erase(r.answers.begin() + 1);  // "confused" is optional
  EXPECT_THAT(validate(r, definition(), kNow), IsEmpty());
}

TEST(ValidateQuestionnaire, IdentityFields) {
  auto r = response();
  r.id = "nope";
  expect_single(validate(r, definition(), kNow), "id", "UUID");
  r = response();
  r.patient_id = "";
  expect_single(validate(r, definition(), kNow), "patient_id", "required");
  r = response();
  r.questionnaire_id = "weekly";
  expect_single(validate(r, definition(), kNow), "questionnaire", "unknown questionnaire 'weekly'");
  r = response();
  r.questionnaire_version = "2";
  expect_single(validate(r, definition(), kNow), "version",
                "version '2' does not match the current version '3'");
}

TEST(ValidateQuestionnaire, AnswersMatchTheirItems) {
  auto r = response();
  r.answers[0].value = std::string("3");
  expect_single(validate(r, definition(), kNow), "answers.pain", "must be a number");
  r = response();
  r.answers[0].value = 10.5;
  expect_single(validate(r, definition(), kNow), "answers.pain", "between 0 and 10");
  r.answers[0].value = -0.5;
  expect_single(validate(r, definition(), kNow), "answers.pain", "between 0 and 10");
  r.answers[0].value = std::numeric_limits<double>::quiet_NaN();
  expect_single(validate(r, definition(), kNow), "answers.pain", "between 0 and 10");
  r.answers[0].value = 10.0;
  EXPECT_THAT(validate(r, definition(), kNow), IsEmpty());
  r.answers[0].value = 0.0;
  EXPECT_THAT(validate(r, definition(), kNow), IsEmpty());

  r = response();
  r.answers[1].value = 1.0;
  expect_single(validate(r, definition(), kNow), "answers.confused", "true or false");

  r = response();
  r.answers[2].value = std::string("extreme");
  expect_single(validate(r, definition(), kNow), "answers.nausea", "one of: none, mild, severe");
  r.answers[2].value = true;
  expect_single(validate(r, definition(), kNow), "answers.nausea", "one of");
}

TEST(ValidateQuestionnaire, UnknownDuplicateAndMissingItems) {
  auto r = response();
  r.answers.push_back({"fatigue", 2.0});
  expect_single(validate(r, definition(), kNow), "answers.fatigue", "unknown item");

  r = response();
  r.answers.push_back({"pain", 4.0});
  expect_single(validate(r, definition(), kNow), "answers.pain", "duplicate answer");

  r = response();
  r.answers.clear();
  EXPECT_THAT(paths(validate(r, definition(), kNow)), ElementsAre("answers.pain", "answers.nausea"));
}

TEST(ValidateQuestionnaire, AuthoredAtMostFiveMinutesAhead) {
  auto r = response();
  r.authored = kNow + std::chrono::minutes(5);
  EXPECT_THAT(validate(r, definition(), kNow), IsEmpty());
  r.authored += std::chrono::milliseconds(1);
  expect_single(validate(r, definition(), kNow), "authored", "more than 5 minutes");
}

}  // namespace
}  // namespace vigil::domain
