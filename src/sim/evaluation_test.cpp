#include "sim/evaluation.h"

#include <gtest/gtest.h>

namespace vigil::sim {
namespace {

using domain::Severity;
using std::chrono::hours;
using std::chrono::minutes;

const TimePoint kEvaluationStart = std::chrono::sys_days(std::chrono::year(2026) / 11 / 22);

EpisodeRecord episode(std::string patient, Duration onset, Duration ramp = minutes(60),
                      Duration rest = minutes(120)) {
  const TimePoint at = kEvaluationStart + onset;
  return EpisodeRecord{std::move(patient), at, at + ramp, at + ramp + rest};
}

AlertChangeSeen change(std::string alert, std::string patient, Severity severity, Duration at) {
  return AlertChangeSeen{std::move(alert), std::move(patient), "news2", severity, kEvaluationStart + at};
}

TEST(Evaluation, Median) {
  EXPECT_EQ(median({}), std::nullopt);
  EXPECT_EQ(median({4}), 4);
  EXPECT_EQ(median({9, 1, 5}), 5);
  EXPECT_EQ(median({9, 1, 5, 3}), 4);
}

TEST(Evaluation, DetectsEpisodesAndMeasuresTheDelayFromOnset) {
  EvaluationInput in;
  in.start = kEvaluationStart;
  in.end = kEvaluationStart + hours(6);
  in.patients = 10;
  in.episodes = {episode("A", minutes(60)), episode("B", minutes(60)), episode("C", minutes(120))};
  in.changes = {
      change("a1", "A", Severity::low_medium, minutes(70)),  // below medium: not a detection
      change("a1", "A", Severity::medium, minutes(100)),     // raised: detected 40 min after onset
      change("a1", "A", Severity::high, minutes(110)),       // same alert again: ignored
      change("a2", "A", Severity::high, minutes(90)),        // another alert, earlier: 30 min
      change("c1", "C", Severity::critical, minutes(170)),   // 50 min
  };
  const Evaluation e = evaluate(in);
  EXPECT_EQ(e.injected, 3U);
  EXPECT_EQ(e.evaluable, 3U);
  EXPECT_EQ(e.detected, 2U);
  ASSERT_TRUE(e.recall);
  EXPECT_DOUBLE_EQ(*e.recall, 2.0 / 3.0);
  ASSERT_TRUE(e.median_delay_minutes);
  EXPECT_DOUBLE_EQ(*e.median_delay_minutes, 40);  // of 30 and 50
  EXPECT_EQ(e.false_alerts, 0U);
}

TEST(Evaluation, OnlyEpisodesWhoseRampCompletedAreEvaluable) {
  EvaluationInput in;
  in.start = kEvaluationStart;
  in.end = kEvaluationStart + hours(2);
  in.patients = 3;
  in.episodes = {episode("A", minutes(30)),    // peak at 90 min: evaluable
                 episode("B", minutes(100)),   // peak at 160 min: injected only
                 episode("C", minutes(150))};  // onset after the end: not injected
  in.changes = {change("b1", "B", Severity::medium, minutes(110))};
  const Evaluation e = evaluate(in);
  EXPECT_EQ(e.injected, 2U);
  EXPECT_EQ(e.evaluable, 1U);
  EXPECT_EQ(e.detected, 0U);
  EXPECT_EQ(e.recall, 0.0);
  EXPECT_EQ(e.median_delay_minutes, std::nullopt);
  EXPECT_EQ(e.false_alerts, 0U);  // B's alert is inside B's window
}

TEST(Evaluation, CountsFalseAlertsOutsideEpisodeWindows) {
  EvaluationInput in;
  in.start = kEvaluationStart;
  in.end = kEvaluationStart + hours(24);
  in.patients = 100;
  in.episodes = {episode("A", hours(2), minutes(60), minutes(120))};  // window 2 h .. 5 h + 1 h grace
  in.changes = {
      change("n1", "N", Severity::medium, hours(3)),                // a patient without an episode
      change("n1", "N", Severity::high, hours(4)),                  // the same alert: counted once
      change("n2", "N", Severity::low_medium, hours(5)),            // below medium: not an alert here
      change("a0", "A", Severity::high, hours(1)),                  // before A's onset
      change("a1", "A", Severity::high, hours(3)),                  // inside A's window
      change("a2", "A", Severity::medium, hours(5) + minutes(59)),  // inside the grace
      change("a3", "A", Severity::medium, hours(6) + minutes(1)),   // after the grace
      change("old", "N", Severity::high, -hours(1)),                // before the run: an earlier run's
  };
  const Evaluation e = evaluate(in);
  EXPECT_EQ(e.false_alerts, 3U);  // n1, a0, a3
  // 100 patient-days minus A's 4-hour window.
  EXPECT_NEAR(e.patient_days, 100 - 4.0 / 24, 1e-9);
  ASSERT_TRUE(e.false_alerts_per_100_patient_days);
  EXPECT_NEAR(*e.false_alerts_per_100_patient_days, 3 * 100 / (100 - 4.0 / 24), 1e-9);
}

TEST(Evaluation, WindowsAreClippedToTheRun) {
  EvaluationInput in;
  in.start = kEvaluationStart;
  in.end = kEvaluationStart + hours(3);
  in.patients = 2;
  in.episodes = {episode("A", hours(2), minutes(30), minutes(60))};  // window 2 h .. 4.5 h: 1 h inside
  const Evaluation e = evaluate(in);
  EXPECT_NEAR(e.patient_days, (2 * 3.0 - 1.0) / 24, 1e-9);
  EXPECT_EQ(e.false_alerts_per_100_patient_days, 0.0);
}

TEST(Evaluation, AnEmptyRunHasNoRates) {
  EvaluationInput in;
  in.start = kEvaluationStart;
  in.end = kEvaluationStart;
  in.patients = 5;
  const Evaluation e = evaluate(in);
  EXPECT_EQ(e.injected, 0U);
  EXPECT_EQ(e.recall, std::nullopt);
  EXPECT_EQ(e.patient_days, 0);
  EXPECT_EQ(e.false_alerts_per_100_patient_days, std::nullopt);
}

}  // namespace
}  // namespace vigil::sim
