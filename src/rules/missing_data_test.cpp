#include "rules/missing_data.h"

#include <gtest/gtest.h>

#include <chrono>

namespace vigil::rules {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

const TimePoint kLast = TimePoint(hours(24 * 20000));

TEST(MissingDataTest, NoFindingUpToAndIncludingTheGap) {
  EXPECT_FALSE(check_missing_data(kLast, kLast, hours(24)));
  EXPECT_FALSE(check_missing_data(kLast, kLast + hours(23), hours(24)));
  EXPECT_FALSE(check_missing_data(kLast, kLast + hours(24), hours(24)));  // exactly the gap
}

TEST(MissingDataTest, FindingOnceTheGapIsExceeded) {
  const auto f = check_missing_data(kLast, kLast + hours(24) + Duration(1), hours(24));
  ASSERT_TRUE(f);
  EXPECT_EQ(f->rule_id, "missing-data");
  EXPECT_EQ(f->severity, domain::Severity::low);
  EXPECT_EQ(f->observed_at, kLast);
  EXPECT_TRUE(f->observation_ids.empty());
}

TEST(MissingDataTest, ReasonGivesHoursSinceTheLastReading) {
  EXPECT_EQ(check_missing_data(kLast, kLast + hours(26) + minutes(30), hours(24))->reason,
            "no reading for 26.5 h (protocol allows 24 h)");
  EXPECT_EQ(check_missing_data(kLast, kLast + hours(7), minutes(90))->reason,
            "no reading for 7 h (protocol allows 1.5 h)");
}

TEST(MissingDataTest, ClockBehindTheLastReadingIsNotMissing) {
  EXPECT_FALSE(check_missing_data(kLast, kLast - hours(48), hours(24)));
}

TEST(MissingDataTest, APatientWhoNeverSentIsFlaggedOnceTheGapSinceEnrolmentPasses) {
  EXPECT_FALSE(check_never_sent(kLast, kLast + hours(24), hours(24)));  // exactly the gap
  const auto f = check_never_sent(kLast, kLast + hours(26) + minutes(30), hours(24));
  ASSERT_TRUE(f);
  EXPECT_EQ(f->rule_id, "missing-data");
  EXPECT_EQ(f->severity, domain::Severity::low);
  EXPECT_EQ(f->observed_at, kLast);
  EXPECT_EQ(f->reason, "no reading since enrolment: none in 26.5 h (protocol allows 24 h)");
  EXPECT_FALSE(check_never_sent(kLast, kLast - hours(1), hours(24)));
}

}  // namespace
}  // namespace vigil::rules
