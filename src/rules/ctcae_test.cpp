#include "rules/ctcae.h"

#include <gtest/gtest.h>

#include <chrono>
#include <utility>
#include <vector>

#include "rules/test_support.h"

namespace vigil::rules {
namespace {

using domain::Severity;
using std::chrono::hours;
using std::chrono::minutes;
using testing::kT0;

TEST(CtcaeHypertensionTest, SystolicEveryEdge) {
  for (const auto& [v, g] : std::vector<std::pair<double, int>>{{100, 0},
                                                                {119, 0},
                                                                {119.9, 0},
                                                                {120, 1},
                                                                {139, 1},
                                                                {139.5, 1},  // has not reached 140
                                                                {139.99, 1},
                                                                {140, 2},
                                                                {159, 2},
                                                                {159.9, 2},
                                                                {160, 3},
                                                                {250, 3}}) {
    EXPECT_EQ(grade_hypertension(v, std::nullopt).grade, g) << "SBP " << v;
  }
}

TEST(CtcaeHypertensionTest, DiastolicEveryEdge) {
  for (const auto& [v, g] : std::vector<std::pair<double, int>>{{60, 0},
                                                                {79, 0},
                                                                {79.9, 0},
                                                                {80, 1},
                                                                {89, 1},
                                                                {89.5, 1},
                                                                {90, 2},
                                                                {99, 2},
                                                                {99.9, 2},
                                                                {100, 3},
                                                                {140, 3}}) {
    EXPECT_EQ(grade_hypertension(std::nullopt, v).grade, g) << "DBP " << v;
  }
}

TEST(CtcaeHypertensionTest, TheHigherOfTheTwoWinsAndIsNamed) {
  auto g = grade_hypertension(152, 85);
  EXPECT_EQ(g.grade, 2);
  EXPECT_EQ(g.criterion, "SBP 152 mmHg (140-159)");
  g = grade_hypertension(125, 101);
  EXPECT_EQ(g.grade, 3);
  EXPECT_EQ(g.criterion, "DBP 101 mmHg (>=100)");
  g = grade_hypertension(145, 95);
  EXPECT_EQ(g.grade, 2);
  EXPECT_EQ(g.criterion, "SBP 145 mmHg (140-159) and DBP 95 mmHg (90-99)");
  g = grade_hypertension(118, 78);
  EXPECT_EQ(g.grade, 0);
  EXPECT_EQ(g.criterion, "");
  EXPECT_EQ(grade_hypertension(std::nullopt, std::nullopt).grade, 0);
  EXPECT_EQ(grade_hypertension(130, std::nullopt).criterion, "SBP 130 mmHg (120-139)");
  EXPECT_EQ(grade_hypertension(165, std::nullopt).criterion, "SBP 165 mmHg (>=160)");
}

TEST(CtcaeFeverTest, EveryEdgeAfterRoundingToTenths) {
  for (const auto& [v, g] : std::vector<std::pair<double, int>>{{37.0, 0},
                                                                {37.9, 0},
                                                                {37.94, 0},
                                                                {37.95, 1},  // rounds to 38.0
                                                                {38.0, 1},
                                                                {39.0, 1},
                                                                {39.04, 1},
                                                                {39.05, 2},  // rounds to 39.1
                                                                {39.1, 2},
                                                                {40.0, 2},
                                                                {40.04, 2},
                                                                {40.05, 3},
                                                                {40.1, 3},
                                                                {42.0, 3}}) {
    EXPECT_EQ(grade_fever(v, Duration::zero()).grade, g) << "temp " << v;
  }
  EXPECT_EQ(grade_fever((100.4 - 32) * 5 / 9, Duration::zero()).grade, 1);  // 100.4 F
}

TEST(CtcaeFeverTest, Grade4OnlyAfterMoreThan24HoursAbove40) {
  EXPECT_EQ(grade_fever(40.5, hours(23)).grade, 3);
  EXPECT_EQ(grade_fever(40.5, hours(24)).grade, 3);
  EXPECT_EQ(grade_fever(40.5, hours(24) + Duration(1)).grade, 4);
  EXPECT_EQ(grade_fever(40.5, hours(30)).grade, 4);
  EXPECT_EQ(grade_fever(40.0, hours(30)).grade, 2);  // the duration only counts above 40.0
  EXPECT_EQ(grade_fever(39.5, hours(30)).grade, 2);
}

TEST(CtcaeFeverTest, CriterionNamesTheBand) {
  EXPECT_EQ(grade_fever(38.44, Duration::zero()).criterion, "temperature 38.4 C (38.0-39.0)");
  EXPECT_EQ(grade_fever(39.5, Duration::zero()).criterion, "temperature 39.5 C (>39.0-40.0)");
  EXPECT_EQ(grade_fever(40.3, hours(5)).criterion, "temperature 40.3 C (>40.0 for <=24 h; 5 h so far)");
  EXPECT_EQ(grade_fever(40.3, hours(26) + minutes(30)).criterion,
            "temperature 40.3 C above 40.0 for 26.5 h (>40.0 for >24 h)");
}

TEST(CtcaeSeverityTest, GradeToSeverity) {
  EXPECT_EQ(ctcae_severity(0), std::nullopt);
  EXPECT_EQ(ctcae_severity(1), Severity::low);
  EXPECT_EQ(ctcae_severity(2), Severity::medium);
  EXPECT_EQ(ctcae_severity(3), Severity::high);
  EXPECT_EQ(ctcae_severity(4), Severity::critical);
  EXPECT_EQ(ctcae_severity(5), std::nullopt);
}

TEST(CtcaeFindingTest, OnlyAtOrAboveTheMinimumGrade) {
  const CtcaeSettings settings{.enabled = true, .min_alert_grade = 2};
  EXPECT_FALSE(hypertension_finding(settings, 135, 85, {"bp-1"}, kT0));
  const auto f = hypertension_finding(settings, 152, 85, {"bp-1"}, kT0);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->rule_id, "ctcae:hypertension");
  EXPECT_EQ(f->severity, Severity::medium);
  EXPECT_EQ(f->reason, "CTCAE hypertension grade 2: SBP 152 mmHg (140-159)");
  EXPECT_EQ(f->observation_ids, std::vector<std::string>{"bp-1"});
  EXPECT_EQ(f->observed_at, kT0);

  const CtcaeSettings all{.enabled = true, .min_alert_grade = 1};
  const auto g1 = hypertension_finding(all, 135, 85, {"bp-1"}, kT0);
  ASSERT_TRUE(g1);
  EXPECT_EQ(g1->severity, Severity::low);
  EXPECT_FALSE(hypertension_finding(all, 110, 70, {"bp-1"}, kT0));  // grade 0 never alerts
  const CtcaeSettings zero{.enabled = true, .min_alert_grade = 0};
  EXPECT_FALSE(hypertension_finding(zero, 110, 70, {"bp-1"}, kT0));
}

TEST(CtcaeFindingTest, FeverFindings) {
  const CtcaeSettings settings{.enabled = true, .min_alert_grade = 2};
  EXPECT_FALSE(fever_finding(settings, 38.5, Duration::zero(), {"t-1"}, kT0));
  auto f = fever_finding(settings, 39.5, Duration::zero(), {"t-1"}, kT0);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->rule_id, "ctcae:fever");
  EXPECT_EQ(f->severity, Severity::medium);
  EXPECT_EQ(f->reason, "CTCAE fever grade 2: temperature 39.5 C (>39.0-40.0)");
  f = fever_finding(settings, 40.6, hours(2), {"t-2"}, kT0);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->severity, Severity::high);
  f = fever_finding(settings, 40.6, hours(25), {"t-3"}, kT0);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->severity, Severity::critical);
  EXPECT_EQ(f->reason, "CTCAE fever grade 4: temperature 40.6 C above 40.0 for 25 h (>40.0 for >24 h)");
}

}  // namespace
}  // namespace vigil::rules
