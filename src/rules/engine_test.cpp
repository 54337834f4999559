#include "rules/engine.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "rules/test_support.h"

namespace vigil::rules {
namespace {

using domain::Finding;
using domain::Severity;
using std::chrono::hours;
using std::chrono::minutes;
using testing::answers;
using testing::blood_pressure;
using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::IsEmpty;
using testing::kT0;
using testing::questionnaire;
using testing::reading;
using ::testing::UnorderedElementsAre;

Protocol protocol() {
  Protocol p;
  p.trial_id = "VIG-001";
  p.thresholds = {{.code = "8867-4", .low = 40, .high = 130, .severity = Severity::medium},
                  {.code = "8480-6", .low = 90, .high = std::nullopt, .severity = Severity::high}};
  p.epro_thresholds = {
      {.item_id = "pain", .op = Comparison::greater_or_equal, .value = 8, .severity = Severity::medium}};
  p.questionnaire = questionnaire();
  return p;
}

std::vector<std::string> rule_ids(const std::vector<Finding>& findings) {
  std::vector<std::string> ids;
  for (const auto& f : findings) ids.push_back(f.rule_id);
  return ids;
}

const Finding* find(const std::vector<Finding>& findings, std::string_view rule) {
  const auto it =
      std::find_if(findings.begin(), findings.end(), [&](const Finding& f) { return f.rule_id == rule; });
  return it == findings.end() ? nullptr : &*it;
}

// A patient developing sepsis over two hours: every vital sign drifts, readings arrive one at a time.
TEST(EngineTest, DeterioratingSepsisLikeSequenceRaisesNews2MediumThenHigh) {
  const auto p = protocol();
  const PatientSettings settings;
  PatientState state;
  struct Step {
    domain::Observation observation;
    std::optional<Severity> news2;  // the NEWS2 finding expected after this reading, if any
  };
  const auto t = [](int minutes_in) { return kT0 + minutes(minutes_in); };
  const std::vector<Step> steps{
      // 08:00 baseline: NEWS2 0.
      {reading("rr-0", "9279-1", 16, t(0)), std::nullopt},
      {reading("sat-0", "2708-6", 97, t(0)), std::nullopt},
      {blood_pressure("bp-0", 125, 80, t(0)), std::nullopt},
      {reading("hr-0", "8867-4", 80, t(0)), std::nullopt},
      {reading("temp-0", "8310-5", 37.2, t(0)), std::nullopt},
      // 08:30 fever and tachycardia start: 1, 2, 4 -- low, which alerts nobody.
      {reading("temp-1", "8310-5", 38.4, t(30)), std::nullopt},
      {reading("hr-1", "8867-4", 98, t(30)), std::nullopt},
      {reading("rr-1", "9279-1", 21, t(30)), std::nullopt},
      // 09:00 saturation and pressure fall: 5 then 6 -- medium.
      {reading("sat-2", "2708-6", 95, t(60)), Severity::medium},
      {blood_pressure("bp-2", 108, 68, t(60)), Severity::medium},
      // 09:30 frank sepsis: 7, 8, 9 -- high.
      {reading("hr-3", "8867-4", 125, t(90)), Severity::high},
      {reading("rr-3", "9279-1", 26, t(90)), Severity::high},
      {reading("temp-3", "8310-5", 39.3, t(90)), Severity::high},
  };
  std::vector<Severity> seen;
  for (const auto& step : steps) {
    const auto findings = evaluate(p, settings, state, step.observation);
    const Finding* news2 = find(findings, "news2");
    if (!step.news2) {
      EXPECT_EQ(news2, nullptr) << step.observation.id << ": " << news2->reason;
      continue;
    }
    ASSERT_NE(news2, nullptr) << step.observation.id;
    EXPECT_EQ(news2->severity, *step.news2) << step.observation.id << ": " << news2->reason;
    seen.push_back(news2->severity);
  }
  EXPECT_THAT(
      seen, ElementsAre(Severity::medium, Severity::medium, Severity::high, Severity::high, Severity::high));

  // The last finding explains itself and names the readings it scored.
  const auto last = evaluate_news2(p, settings, state, t(90));
  ASSERT_TRUE(last);
  EXPECT_EQ(
      last->reason,
      "NEWS2 9 (RR 26 -> 3, SpO2 95 scale 1 -> 1, air -> 0, SBP 108 -> 1, pulse 125 -> 2, temp 39.3 -> 2, "
      "alert -> 0)");
  EXPECT_THAT(last->observation_ids, ElementsAre("rr-3", "sat-2", "bp-2", "hr-3", "temp-3"));
  EXPECT_EQ(last->observed_at, t(90));
}

TEST(EngineTest, OneReadingCanRaiseThresholdCtcaeAndNews2Together) {
  const auto p = protocol();
  PatientState state;
  evaluate(p, {}, state, reading("rr", "9279-1", 24, kT0));                         // 2
  evaluate(p, {}, state, reading("o2", "3151-8", 2, kT0));                          // 2
  const auto findings = evaluate(p, {}, state, reading("hr", "8867-4", 142, kT0));  // 3
  EXPECT_THAT(rule_ids(findings), ElementsAre("threshold:8867-4", "news2"));
  EXPECT_EQ(find(findings, "threshold:8867-4")->reason, "heart rate 142 /min above 130 (protocol threshold)");
  EXPECT_EQ(find(findings, "news2")->severity, Severity::high);  // 7
  EXPECT_THAT(find(findings, "news2")->observation_ids, ElementsAre("rr", "hr", "o2"));
}

TEST(EngineTest, BloodPressurePanelChecksComponentsAndCtcaeHypertension) {
  const auto p = protocol();
  PatientState state;
  auto findings = evaluate(p, {}, state, blood_pressure("bp-1", 152, 85, kT0));
  ASSERT_THAT(rule_ids(findings), ElementsAre("ctcae:hypertension"));
  EXPECT_EQ(findings[0].reason, "CTCAE hypertension grade 2: SBP 152 mmHg (140-159)");
  EXPECT_EQ(findings[0].severity, Severity::medium);

  findings = evaluate(p, {}, state, blood_pressure("bp-2", 85, 50, kT0 + minutes(5)));
  EXPECT_THAT(rule_ids(findings), ElementsAre("threshold:8480-6", "news2"));  // SBP 85 scores 3
  EXPECT_EQ(find(findings, "news2")->severity, Severity::low_medium);

  findings = evaluate(p, {}, state, blood_pressure("bp-3", 135, 88, kT0 + minutes(10)));
  EXPECT_THAT(findings, IsEmpty());  // grade 1 is below the protocol's minimum grade 2
}

TEST(EngineTest, FeverGrade4AfterMoreThanADayAbove40) {
  const auto p = protocol();
  PatientState state;
  auto findings = evaluate(p, {}, state, reading("t0", "8310-5", 40.3, kT0));
  EXPECT_EQ(find(findings, "ctcae:fever")->severity, Severity::high);
  findings = evaluate(p, {}, state, reading("t1", "8310-5", 40.6, kT0 + hours(24)));
  EXPECT_EQ(find(findings, "ctcae:fever")->severity, Severity::high);  // exactly 24 h is still G3
  findings = evaluate(p, {}, state, reading("t2", "8310-5", 40.5, kT0 + hours(25)));
  ASSERT_NE(find(findings, "ctcae:fever"), nullptr);
  EXPECT_EQ(find(findings, "ctcae:fever")->severity, Severity::critical);
  EXPECT_EQ(find(findings, "ctcae:fever")->reason,
            "CTCAE fever grade 4: temperature 40.5 C above 40.0 for 25 h (>40.0 for >24 h)");
}

TEST(EngineTest, DisabledFamiliesAndTheMinimumBandAreRespected) {
  auto p = protocol();
  p.ctcae.enabled = false;
  p.news2.enabled = false;
  PatientState state;
  EXPECT_THAT(evaluate(p, {}, state, reading("t", "8310-5", 41, kT0)), IsEmpty());
  EXPECT_THAT(evaluate(p, {}, state, reading("rr", "9279-1", 30, kT0)), IsEmpty());

  p = protocol();
  p.news2.min_alert_band = News2Band::medium;
  PatientState other;
  EXPECT_THAT(evaluate(p, {}, other, reading("rr", "9279-1", 30, kT0)), IsEmpty());  // low-medium
  EXPECT_THAT(rule_ids(evaluate(p, {}, other, reading("sat", "2708-6", 92, kT0))), ElementsAre("news2"));
}

TEST(EngineTest, Spo2ScaleComesFromThePatientSettings) {
  const auto p = protocol();
  PatientState state;
  evaluate(p, {}, state, reading("o2", "3151-8", 2, kT0));
  const PatientSettings hypercapnic{.spo2_scale = 2};
  auto findings = evaluate(p, hypercapnic, state, reading("sat", "2708-6", 97, kT0));
  EXPECT_EQ(find(findings, "news2")->severity, Severity::medium);  // 97 on O2 scores 3, oxygen 2
  PatientState air;
  EXPECT_THAT(evaluate(p, hypercapnic, air, reading("sat", "2708-6", 93, kT0)), IsEmpty());
}

TEST(EngineTest, LateReadingIsScoredWithTheCurrentPicture) {
  const auto p = protocol();
  PatientState state;
  evaluate(p, {}, state, reading("rr", "9279-1", 25, kT0 + minutes(30)));  // 3: low-medium
  // A pulse taken earlier arrives now; it is scored with the newer respiration rate.
  auto findings = evaluate(p, {}, state, reading("hr", "8867-4", 115, kT0 + minutes(10)));
  ASSERT_NE(find(findings, "news2"), nullptr);
  EXPECT_EQ(find(findings, "news2")->severity, Severity::medium);  // 3 + 2
  EXPECT_EQ(find(findings, "news2")->observed_at, kT0 + minutes(30));
  // One older than the held pulse changes nothing for NEWS2, but its own threshold still fires.
  findings = evaluate(p, {}, state, reading("hr-old", "8867-4", 135, kT0));
  EXPECT_THAT(rule_ids(findings), ElementsAre("threshold:8867-4"));
}

TEST(EngineTest, QuestionnaireResponseChecksEproAndRescoresNews2WithConsciousness) {
  const auto p = protocol();
  PatientState state;
  evaluate(p, {}, state, reading("hr", "8867-4", 95, kT0));  // 1
  auto findings =
      evaluate(p, {}, state, answers("qr-1", kT0 + minutes(5), {{"pain", 9.0}, {"confused", true}}));
  EXPECT_THAT(rule_ids(findings), ElementsAre("epro:pain", "news2"));
  const Finding* news2 = find(findings, "news2");
  EXPECT_EQ(news2->severity, Severity::low_medium);
  EXPECT_THAT(news2->observation_ids, ElementsAre("hr", "qr-1"));
  EXPECT_EQ(news2->observed_at, kT0 + minutes(5));
  EXPECT_THAT(news2->reason, ::testing::HasSubstr("new confusion -> 3"));

  // Pain alone does not re-score NEWS2.
  findings = evaluate(p, {}, state, answers("qr-2", kT0 + minutes(6), {{"pain", 2.0}}));
  EXPECT_THAT(findings, IsEmpty());
}

TEST(EngineTest, MissingDataFromTheLastObservation) {
  const auto p = protocol();
  PatientState state;
  EXPECT_FALSE(evaluate_missing(p, state, kT0 + hours(100)));  // nothing sent yet
  evaluate(p, {}, state, reading("wt", "29463-7", 70, kT0));
  EXPECT_FALSE(evaluate_missing(p, state, kT0 + hours(24)));
  const auto f = evaluate_missing(p, state, kT0 + hours(30));
  ASSERT_TRUE(f);
  EXPECT_EQ(f->rule_id, "missing-data");
  EXPECT_EQ(f->reason, "no reading for 30 h (protocol allows 24 h)");
}

}  // namespace
}  // namespace vigil::rules
