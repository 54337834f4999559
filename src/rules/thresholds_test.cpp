#include "rules/thresholds.h"

#include <gtest/gtest.h>

#include <chrono>

#include "rules/test_support.h"

namespace vigil::rules {
namespace {

using domain::Severity;
using testing::kT0;

std::vector<Threshold> heart_rate_limits() {
  return {
      {.code = "8867-4", .low = 40, .high = 130, .severity = Severity::medium},
      {.code = "8867-4", .low = 30, .high = 150, .severity = Severity::high},
      {.code = "9279-1", .low = std::nullopt, .high = 30, .severity = Severity::critical},
  };
}

TEST(ThresholdTest, NoFindingInsideOrOnTheLimits) {
  const auto t = heart_rate_limits();
  EXPECT_FALSE(check_threshold(t, "8867-4", 80, "obs-1", kT0));
  EXPECT_FALSE(check_threshold(t, "8867-4", 130, "obs-1", kT0));  // strict
  EXPECT_FALSE(check_threshold(t, "8867-4", 40, "obs-1", kT0));
}

TEST(ThresholdTest, AboveHighRaisesTheThresholdsSeverity) {
  const auto f = check_threshold(heart_rate_limits(), "8867-4", 142, "obs-1", kT0);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->rule_id, "threshold:8867-4");
  EXPECT_EQ(f->severity, Severity::medium);
  EXPECT_EQ(f->reason, "heart rate 142 /min above 130 (protocol threshold)");
  EXPECT_EQ(f->observation_ids, std::vector<std::string>{"obs-1"});
  EXPECT_EQ(f->observed_at, kT0);
}

TEST(ThresholdTest, TheMostSevereMatchingThresholdWins) {
  const auto f = check_threshold(heart_rate_limits(), "8867-4", 150.5, "obs-2", kT0);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->severity, Severity::high);
  EXPECT_EQ(f->reason, "heart rate 150.5 /min above 150 (protocol threshold)");
}

TEST(ThresholdTest, BelowLow) {
  auto f = check_threshold(heart_rate_limits(), "8867-4", 39.9, "obs-3", kT0);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->severity, Severity::medium);
  EXPECT_EQ(f->reason, "heart rate 39.9 /min below 40 (protocol threshold)");
  f = check_threshold(heart_rate_limits(), "8867-4", 29, "obs-3", kT0);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->severity, Severity::high);
}

TEST(ThresholdTest, OnlyThresholdsForTheReadingsCode) {
  const auto t = heart_rate_limits();
  EXPECT_FALSE(check_threshold(t, "8310-5", 142, "obs-1", kT0));
  const auto f = check_threshold(t, "9279-1", 31, "obs-4", kT0);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->severity, Severity::critical);
  EXPECT_EQ(f->reason, "respiratory rate 31 /min above 30 (protocol threshold)");
  EXPECT_FALSE(check_threshold(t, "9279-1", 1, "obs-4", kT0));  // no low limit
}

TEST(ThresholdTest, ReasonUsesReadableUnitsAndHidesConversionNoise) {
  const std::vector<Threshold> t{{"8310-5", std::nullopt, 39.5, Severity::medium},
                                 {"8480-6", 90, std::nullopt, Severity::medium},
                                 {"72514-3", std::nullopt, 7, Severity::medium},
                                 {"1234-5", std::nullopt, 1, Severity::medium}};
  EXPECT_EQ(check_threshold(t, "8310-5", (104 - 32) * 5.0 / 9 + 1e-13, "o", kT0)->reason,
            "body temperature 40 C above 39.5 (protocol threshold)");
  EXPECT_EQ(check_threshold(t, "8480-6", 85, "o", kT0)->reason,
            "systolic blood pressure 85 mmHg below 90 (protocol threshold)");
  EXPECT_EQ(check_threshold(t, "72514-3", 8, "o", kT0)->reason,
            "pain severity 8 above 7 (protocol threshold)");
  EXPECT_EQ(check_threshold(t, "1234-5", 2, "o", kT0)->reason, "1234-5 2 above 1 (protocol threshold)");
}

domain::QuestionnaireResponse response(std::vector<domain::Answer> answers) {
  domain::QuestionnaireResponse r;
  r.id = "qr-1";
  r.patient_id = "P-001";
  r.authored = kT0;
  r.answers = std::move(answers);
  return r;
}

std::vector<EproThreshold> epro_limits() {
  return {
      {.item_id = "pain", .op = Comparison::greater_or_equal, .value = 8, .severity = Severity::medium},
      {.item_id = "pain", .op = Comparison::greater_or_equal, .value = 10, .severity = Severity::high},
      {.item_id = "appetite", .op = Comparison::less_or_equal, .value = 2, .severity = Severity::low},
      {.item_id = "fever", .op = Comparison::equal, .value = 1, .severity = Severity::medium},
      {.item_id = "mood", .op = Comparison::equal, .value = 1, .severity = Severity::medium},
  };
}

TEST(EproThresholdTest, GreaterOrEqualEdge) {
  EXPECT_TRUE(check_epro_thresholds(epro_limits(), response({{"pain", 7.0}})).empty());
  const auto f = check_epro_thresholds(epro_limits(), response({{"pain", 8.0}}));
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].rule_id, "epro:pain");
  EXPECT_EQ(f[0].severity, Severity::medium);
  EXPECT_EQ(f[0].reason, "ePRO pain 8 >= 8 (protocol threshold)");
  EXPECT_EQ(f[0].observation_ids, std::vector<std::string>{"qr-1"});
  EXPECT_EQ(f[0].observed_at, kT0);
}

TEST(EproThresholdTest, MostSevereMatchPerItem) {
  const auto f = check_epro_thresholds(epro_limits(), response({{"pain", 10.0}}));
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].severity, Severity::high);
  EXPECT_EQ(f[0].reason, "ePRO pain 10 >= 10 (protocol threshold)");
}

TEST(EproThresholdTest, LessOrEqualEdge) {
  EXPECT_TRUE(check_epro_thresholds(epro_limits(), response({{"appetite", 3.0}})).empty());
  const auto f = check_epro_thresholds(epro_limits(), response({{"appetite", 2.0}}));
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].reason, "ePRO appetite 2 <= 2 (protocol threshold)");
  EXPECT_EQ(f[0].severity, Severity::low);
}

TEST(EproThresholdTest, BooleansCompareAsOneAndZero) {
  EXPECT_TRUE(check_epro_thresholds(epro_limits(), response({{"fever", false}})).empty());
  const auto f = check_epro_thresholds(epro_limits(), response({{"fever", true}}));
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].rule_id, "epro:fever");
  EXPECT_EQ(f[0].reason, "ePRO fever yes = 1 (protocol threshold)");

  const std::vector<EproThreshold> when_false{
      {.item_id = "fever", .op = Comparison::equal, .value = 0, .severity = Severity::low}};
  EXPECT_EQ(check_epro_thresholds(when_false, response({{"fever", false}})).size(), 1u);
}

TEST(EproThresholdTest, CodedAnswersNeverFire) {
  EXPECT_TRUE(check_epro_thresholds(epro_limits(), response({{"mood", std::string("1")}})).empty());
}

TEST(EproThresholdTest, OneFindingPerTrippedItemInAnswerOrder) {
  const auto f = check_epro_thresholds(
      epro_limits(), response({{"fever", true}, {"pain", 9.0}, {"appetite", 5.0}, {"unlisted", 100.0}}));
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[0].rule_id, "epro:fever");
  EXPECT_EQ(f[1].rule_id, "epro:pain");
}

}  // namespace
}  // namespace vigil::rules
