#include "rules/patient_state.h"

#include <gtest/gtest.h>

#include "rules/test_support.h"

namespace vigil::rules {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using testing::answers;
using testing::blood_pressure;
using testing::kT0;
using testing::questionnaire;
using testing::reading;

TEST(PatientStateTest, EmptyStateHasNothing) {
  const PatientState s;
  EXPECT_FALSE(s.last_reading());
  EXPECT_FALSE(s.newest_news2_reading());
  const auto in = s.news2_input(kT0, hours(1), 1);
  EXPECT_FALSE(in.respiration_rate || in.spo2 || in.systolic || in.pulse || in.temperature);
  EXPECT_FALSE(in.on_oxygen);
  EXPECT_FALSE(in.new_confusion);
}

TEST(PatientStateTest, EveryNews2ParameterFromItsCode) {
  PatientState s;
  EXPECT_TRUE(s.apply(reading("rr", "9279-1", 22, kT0)));
  EXPECT_TRUE(s.apply(reading("sat", "59408-5", 94, kT0)));
  EXPECT_TRUE(s.apply(blood_pressure("bp", 105, 70, kT0)));
  EXPECT_TRUE(s.apply(reading("hr", "8867-4", 112, kT0)));
  EXPECT_TRUE(s.apply(reading("temp", "8310-5", 38.4, kT0)));
  EXPECT_TRUE(s.apply(reading("o2", "3151-8", 2, kT0)));
  EXPECT_FALSE(s.apply(reading("wt", "29463-7", 70, kT0)));  // data, but not a NEWS2 input

  const auto snap = s.news2_snapshot(kT0, hours(1), 2);
  EXPECT_EQ(snap.input.respiration_rate, 22);
  EXPECT_EQ(snap.input.spo2, 94);
  EXPECT_EQ(snap.input.systolic, 105);
  EXPECT_EQ(snap.input.pulse, 112);
  EXPECT_EQ(snap.input.temperature, 38.4);
  EXPECT_TRUE(snap.input.on_oxygen);
  EXPECT_FALSE(snap.input.new_confusion);
  EXPECT_EQ(snap.input.spo2_scale, 2);
  EXPECT_EQ(std::vector<std::string>(snap.source_ids.begin(), snap.source_ids.end()),
            (std::vector<std::string>{"rr", "sat", "bp", "hr", "temp", "o2"}));
  EXPECT_EQ(snap.newest, kT0);
  EXPECT_EQ(s.last_reading(), kT0);
}

TEST(PatientStateTest, Spo2FromEitherCodeLatestWins) {
  PatientState s;
  s.apply(reading("a", "2708-6", 97, kT0));
  s.apply(reading("b", "59408-5", 91, kT0 + minutes(5)));
  EXPECT_EQ(s.news2_input(kT0 + minutes(5), hours(1), 1).spo2, 91);
  EXPECT_EQ(s.latest(News2Parameter::spo2)->source_id, "b");
}

TEST(PatientStateTest, ZeroOxygenFlowMeansAir) {
  PatientState s;
  s.apply(reading("o2-on", "3151-8", 4, kT0));
  EXPECT_TRUE(s.news2_input(kT0, hours(1), 1).on_oxygen);
  s.apply(reading("o2-off", "3151-8", 0, kT0 + minutes(10)));
  EXPECT_FALSE(s.news2_input(kT0 + minutes(10), hours(1), 1).on_oxygen);
}

TEST(PatientStateTest, WindowIsInclusiveAtBothEnds) {
  PatientState s;
  s.apply(reading("hr", "8867-4", 80, kT0));
  EXPECT_EQ(s.news2_input(kT0, hours(1), 1).pulse, 80);
  EXPECT_EQ(s.news2_input(kT0 + hours(1), hours(1), 1).pulse, 80);
  EXPECT_FALSE(s.news2_input(kT0 + hours(1) + Duration(1), hours(1), 1).pulse);  // too old
  EXPECT_FALSE(s.news2_input(kT0 - Duration(1), hours(1), 1).pulse);             // after `now`
}

TEST(PatientStateTest, OxygenAndConfusionAgeOutOfTheWindowToo) {
  PatientState s;
  s.apply(reading("o2", "3151-8", 2, kT0));
  s.apply(answers("qr", kT0, {{"confused", true}}), questionnaire());
  EXPECT_TRUE(s.news2_input(kT0 + minutes(30), hours(1), 1).on_oxygen);
  EXPECT_TRUE(s.news2_input(kT0 + minutes(30), hours(1), 1).new_confusion);
  const auto later = s.news2_snapshot(kT0 + hours(2), hours(1), 1);
  EXPECT_FALSE(later.input.on_oxygen);
  EXPECT_FALSE(later.input.new_confusion);
  EXPECT_TRUE(later.source_ids.empty());
  EXPECT_FALSE(later.newest);
}

TEST(PatientStateTest, OutOfOrderReadingsDoNotOverwriteNewerOnes) {
  PatientState s;
  EXPECT_TRUE(s.apply(reading("new", "8867-4", 120, kT0 + minutes(10))));
  EXPECT_FALSE(s.apply(reading("old", "8867-4", 70, kT0)));
  EXPECT_EQ(s.latest(News2Parameter::pulse)->source_id, "new");
  EXPECT_EQ(s.news2_input(kT0 + minutes(10), hours(1), 1).pulse, 120);
  EXPECT_EQ(s.last_reading(), kT0 + minutes(10));  // the older reading does not move it back

  // The same effective time replaces (a redelivery or correction).
  EXPECT_TRUE(s.apply(reading("fix", "8867-4", 118, kT0 + minutes(10))));
  EXPECT_EQ(s.latest(News2Parameter::pulse)->value, 118);

  EXPECT_TRUE(s.apply(blood_pressure("bp-old", 90, 60, kT0 - minutes(1))));
  EXPECT_TRUE(s.apply(blood_pressure("bp-new", 130, 80, kT0 + minutes(20))));
  EXPECT_FALSE(s.apply(blood_pressure("bp-late", 90, 60, kT0 + minutes(15))));
  EXPECT_EQ(s.latest(News2Parameter::systolic)->value, 130);
}

TEST(PatientStateTest, ObservationsWithoutValueChangeOnlyTheLastReadingTime) {
  PatientState s;
  domain::Observation o = reading("x", "8867-4", 0, kT0);
  o.value.reset();
  EXPECT_FALSE(s.apply(o));
  EXPECT_FALSE(s.latest(News2Parameter::pulse));
  EXPECT_EQ(s.last_reading(), kT0);
}

TEST(PatientStateTest, ConsciousnessFromTheMarkedItem) {
  PatientState s;
  EXPECT_FALSE(s.apply(answers("qr-0", kT0, {{"pain", 3.0}}), questionnaire()));  // not answered
  EXPECT_TRUE(s.apply(answers("qr-1", kT0, {{"pain", 3.0}, {"confused", true}}), questionnaire()));
  EXPECT_TRUE(s.news2_input(kT0, hours(1), 1).new_confusion);
  EXPECT_TRUE(s.apply(answers("qr-2", kT0 + minutes(5), {{"confused", false}}), questionnaire()));
  EXPECT_FALSE(s.news2_input(kT0 + minutes(5), hours(1), 1).new_confusion);
  // An older response arriving late does not bring the confusion back.
  EXPECT_FALSE(s.apply(answers("qr-3", kT0 + minutes(1), {{"confused", true}}), questionnaire()));
  EXPECT_FALSE(s.news2_input(kT0 + minutes(5), hours(1), 1).new_confusion);
  // Only a boolean answer counts.
  EXPECT_FALSE(s.apply(answers("qr-5", kT0 + minutes(8), {{"confused", 1.0}}), questionnaire()));
  // A definition without a consciousness item records nothing; responses are not observations.
  auto plain = questionnaire();
  plain.items[1].news2_consciousness = false;
  EXPECT_FALSE(s.apply(answers("qr-4", kT0 + minutes(9), {{"confused", true}}), plain));
  EXPECT_FALSE(s.last_reading());
}

TEST(PatientStateTest, TimeAbove40CountsAnUnbrokenRun) {
  PatientState s;
  s.apply(reading("t1", "8310-5", 39.8, kT0));
  EXPECT_EQ(s.time_above_40(kT0), Duration::zero());
  s.apply(reading("t2", "8310-5", 40.2, kT0 + hours(1)));
  EXPECT_EQ(s.time_above_40(kT0 + hours(1)), Duration::zero());
  s.apply(reading("t3", "8310-5", 40.6, kT0 + hours(13)));
  EXPECT_EQ(s.time_above_40(kT0 + hours(13)), hours(12));
  s.apply(reading("t4", "8310-5", 40.1, kT0 + hours(26)));
  EXPECT_EQ(s.time_above_40(kT0 + hours(26)), hours(25));
  EXPECT_EQ(s.time_above_40(kT0), Duration::zero());  // before the run began
  // 40.04 rounds to 40.0, which is not above 40.0: the run ends.
  s.apply(reading("t5", "8310-5", 40.04, kT0 + hours(27)));
  EXPECT_EQ(s.time_above_40(kT0 + hours(27)), Duration::zero());
  s.apply(reading("t6", "8310-5", 40.5, kT0 + hours(28)));
  EXPECT_EQ(s.time_above_40(kT0 + hours(30)), hours(2));
  // A late reading does not break the run.
  s.apply(reading("late", "8310-5", 37.0, kT0 + hours(27) + minutes(30)));
  EXPECT_EQ(s.time_above_40(kT0 + hours(30)), hours(2));
}

}  // namespace
}  // namespace vigil::rules
