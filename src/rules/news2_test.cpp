#include "rules/news2.h"

#include <gtest/gtest.h>

#include <limits>
#include <utility>
#include <vector>

namespace vigil::rules {
namespace {

// (value, expected score) pairs on both sides of every edge of the NEWS2 table.
using Edges = std::vector<std::pair<double, int>>;

TEST(News2ParameterTest, RespirationRateEveryEdge) {
  for (const auto& [v, s] :
       Edges{{0, 3}, {8, 3}, {9, 1}, {11, 1}, {12, 0}, {20, 0}, {21, 2}, {24, 2}, {25, 3}, {60, 3}}) {
    EXPECT_EQ(score_respiration_rate(v), s) << "RR " << v;
  }
}

TEST(News2ParameterTest, Spo2Scale1EveryEdgeAirAndOxygenAlike) {
  for (bool oxygen : {false, true}) {
    for (const auto& [v, s] :
         Edges{{50, 3}, {91, 3}, {92, 2}, {93, 2}, {94, 1}, {95, 1}, {96, 0}, {100, 0}}) {
      EXPECT_EQ(score_spo2(v, 1, oxygen), s) << "SpO2 " << v << " oxygen " << oxygen;
    }
  }
}

TEST(News2ParameterTest, Spo2Scale2OnAirScoresHighSaturationsZero) {
  // 93-94 on air is 0 on scale 2 (the common mistake scores it 1).
  for (const auto& [v, s] : Edges{{50, 3},
                                  {83, 3},
                                  {84, 2},
                                  {85, 2},
                                  {86, 1},
                                  {87, 1},
                                  {88, 0},
                                  {92, 0},
                                  {93, 0},
                                  {94, 0},
                                  {95, 0},
                                  {96, 0},
                                  {97, 0},
                                  {100, 0}}) {
    EXPECT_EQ(score_spo2(v, 2, false), s) << "SpO2 " << v;
  }
}

TEST(News2ParameterTest, Spo2Scale2OnOxygenScoresHighSaturations) {
  for (const auto& [v, s] : Edges{{50, 3},
                                  {83, 3},
                                  {84, 2},
                                  {85, 2},
                                  {86, 1},
                                  {87, 1},
                                  {88, 0},
                                  {92, 0},
                                  {93, 1},
                                  {94, 1},
                                  {95, 2},
                                  {96, 2},
                                  {97, 3},
                                  {100, 3}}) {
    EXPECT_EQ(score_spo2(v, 2, true), s) << "SpO2 " << v;
  }
}

TEST(News2ParameterTest, SystolicEveryEdge) {
  for (const auto& [v, s] : Edges{
           {40, 3}, {90, 3}, {91, 2}, {100, 2}, {101, 1}, {110, 1}, {111, 0}, {219, 0}, {220, 3}, {280, 3}}) {
    EXPECT_EQ(score_systolic(v), s) << "SBP " << v;
  }
}

TEST(News2ParameterTest, PulseEveryEdge) {
  for (const auto& [v, s] : Edges{{20, 3},
                                  {40, 3},
                                  {41, 1},
                                  {50, 1},
                                  {51, 0},
                                  {90, 0},
                                  {91, 1},
                                  {110, 1},
                                  {111, 2},
                                  {130, 2},
                                  {131, 3},
                                  {220, 3}}) {
    EXPECT_EQ(score_pulse(v), s) << "pulse " << v;
  }
}

TEST(News2ParameterTest, TemperatureEveryEdge) {
  for (const auto& [v, s] : Edges{{30.0, 3},
                                  {35.0, 3},
                                  {35.1, 1},
                                  {36.0, 1},
                                  {36.1, 0},
                                  {38.0, 0},
                                  {38.1, 1},
                                  {39.0, 1},
                                  {39.1, 2},
                                  {42.0, 2}}) {
    EXPECT_EQ(score_temperature(v), s) << "temp " << v;
  }
}

TEST(News2RoundingTest, RoundsHalfAwayFromZeroToTheBandPrecision) {
  EXPECT_EQ(round_to_band(90.5, 1), 91);
  EXPECT_EQ(round_to_band(90.4, 1), 90);
  EXPECT_EQ(round_to_band(-2.5, 1), -3);
  EXPECT_DOUBLE_EQ(round_to_band(38.05, 0.1), 38.1);
  EXPECT_DOUBLE_EQ(round_to_band(38.04, 0.1), 38.0);
  // 36.05 and 35.05 are stored just below the half in binary; they still round up.
  EXPECT_DOUBLE_EQ(round_to_band(36.05, 0.1), 36.1);
  EXPECT_DOUBLE_EQ(round_to_band(35.05, 0.1), 35.1);
  // Fahrenheit conversions leave noise: 100.4 F is 38.0 C; 96.71 F is exactly 35.95 C but computes
  // as 35.949999999999996, and 101.21 F (38.45 C) as 38.449999999999996. The halves still round up.
  EXPECT_DOUBLE_EQ(round_to_band((100.4 - 32) * 5 / 9, 0.1), 38.0);
  EXPECT_DOUBLE_EQ(round_to_band((96.71 - 32) * 5 / 9, 0.1), 36.0);
  EXPECT_DOUBLE_EQ(round_to_band((101.21 - 32) * 5 / 9, 0.1), 38.5);
}

TEST(News2RoundingTest, ScoresTheRoundedValue) {
  News2Input in;
  in.pulse = 90.5;
  EXPECT_EQ(score_news2(in).pulse_score, 1);  // 91
  in.pulse = 90.4;
  EXPECT_EQ(score_news2(in).pulse_score, 0);  // 90
  in.temperature = 38.05;
  EXPECT_EQ(score_news2(in).temperature_score, 1);  // 38.1
  in.temperature = 38.04;
  EXPECT_EQ(score_news2(in).temperature_score, 0);  // 38.0
  in.respiration_rate = 20.5;
  EXPECT_EQ(score_news2(in).respiration_rate_score, 2);  // 21
  in.spo2 = 95.5;
  EXPECT_EQ(score_news2(in).spo2_score, 0);  // 96
  in.systolic = 110.49;
  EXPECT_EQ(score_news2(in).systolic_score, 1);  // 110
  EXPECT_EQ(score_news2(in).scored.pulse, 90);
}

News2Input normal() {
  News2Input in;
  in.respiration_rate = 16;
  in.spo2 = 97;
  in.systolic = 120;
  in.pulse = 70;
  in.temperature = 37.0;
  return in;
}

TEST(News2ScoreTest, NormalObservationsScoreZeroAndBandNone) {
  const auto r = score_news2(normal());
  EXPECT_EQ(r.total, 0);
  EXPECT_EQ(r.band, News2Band::none);
  EXPECT_FALSE(r.any_single_three);
  EXPECT_TRUE(r.missing.empty());
  EXPECT_EQ(news2_severity(r.band), std::nullopt);
}

TEST(News2ScoreTest, OxygenScoresTwoAndConfusionThree) {
  auto in = normal();
  in.on_oxygen = true;
  auto r = score_news2(in);
  EXPECT_EQ(r.oxygen_score, 2);
  EXPECT_EQ(r.total, 2);
  EXPECT_EQ(r.band, News2Band::low);

  in = normal();
  in.new_confusion = true;
  r = score_news2(in);
  EXPECT_EQ(r.consciousness_score, 3);
  EXPECT_EQ(r.total, 3);
  EXPECT_TRUE(r.any_single_three);
  EXPECT_EQ(r.band, News2Band::low_medium);
}

TEST(News2ScoreTest, Scale2OnOxygenAddsBothSpo2AndOxygenScores) {
  auto in = normal();
  in.spo2_scale = 2;
  in.spo2 = 97;
  in.on_oxygen = true;
  const auto r = score_news2(in);
  EXPECT_EQ(r.spo2_score, 3);
  EXPECT_EQ(r.oxygen_score, 2);
  EXPECT_EQ(r.total, 5);
  EXPECT_EQ(r.band, News2Band::medium);

  in.on_oxygen = false;
  in.spo2 = 93;
  EXPECT_EQ(score_news2(in).total, 0);  // 93 on air, scale 2
}

TEST(News2ScoreTest, UnknownScaleMeansScale1) {
  auto in = normal();
  in.spo2_scale = 7;
  in.spo2 = 93;
  EXPECT_EQ(score_news2(in).spo2_score, 2);
  EXPECT_EQ(score_news2(in).scored.spo2_scale, 1);
}

TEST(News2BandTest, EveryBandEdge) {
  EXPECT_EQ(news2_band(0, false), News2Band::none);
  EXPECT_EQ(news2_band(1, false), News2Band::low);
  EXPECT_EQ(news2_band(3, false), News2Band::low);  // 3-4 is low, not medium
  EXPECT_EQ(news2_band(4, false), News2Band::low);
  EXPECT_EQ(news2_band(3, true), News2Band::low_medium);  // a single 3 is low-medium, not high
  EXPECT_EQ(news2_band(4, true), News2Band::low_medium);
  EXPECT_EQ(news2_band(5, false), News2Band::medium);
  EXPECT_EQ(news2_band(5, true), News2Band::medium);  // total 5 outranks the single 3
  EXPECT_EQ(news2_band(6, true), News2Band::medium);
  EXPECT_EQ(news2_band(7, false), News2Band::high);
  EXPECT_EQ(news2_band(7, true), News2Band::high);
  EXPECT_EQ(news2_band(20, true), News2Band::high);
}

TEST(News2BandTest, ThreeOrFourWithoutASingleThreeIsLow) {
  auto in = normal();
  in.respiration_rate = 22;  // 2
  in.pulse = 95;             // 1
  in.temperature = 38.5;     // 1
  const auto r = score_news2(in);
  EXPECT_EQ(r.total, 4);
  EXPECT_FALSE(r.any_single_three);
  EXPECT_EQ(r.band, News2Band::low);
  EXPECT_EQ(news2_severity(r.band), domain::Severity::low);
}

TEST(News2BandTest, SingleThreeIsLowMediumAndTotalFiveIsMedium) {
  auto in = normal();
  in.respiration_rate = 25;  // 3
  auto r = score_news2(in);
  EXPECT_EQ(r.total, 3);
  EXPECT_TRUE(r.any_single_three);
  EXPECT_EQ(r.band, News2Band::low_medium);
  EXPECT_EQ(news2_severity(r.band), domain::Severity::low_medium);

  in.pulse = 115;  // 2
  r = score_news2(in);
  EXPECT_EQ(r.total, 5);
  EXPECT_EQ(r.band, News2Band::medium);
  EXPECT_EQ(news2_severity(r.band), domain::Severity::medium);
}

TEST(News2BandTest, SevenIsHigh) {
  auto in = normal();
  in.respiration_rate = 26;  // 3
  in.spo2 = 93;              // 2
  in.systolic = 105;         // 1
  in.pulse = 112;            // 2
  in.temperature = 38.4;     // 1
  const auto r = score_news2(in);
  EXPECT_EQ(r.total, 9);
  EXPECT_EQ(r.band, News2Band::high);
  EXPECT_EQ(news2_severity(r.band), domain::Severity::high);
}

TEST(News2DescribeTest, NamesEveryParameterValueAndScore) {
  News2Input in;
  in.respiration_rate = 26;
  in.spo2 = 93;
  in.systolic = 105;
  in.pulse = 112;
  in.temperature = 38.4;
  const auto r = score_news2(in);
  EXPECT_EQ(
      r.describe(),
      "NEWS2 9 (RR 26 -> 3, SpO2 93 scale 1 -> 2, air -> 0, SBP 105 -> 1, pulse 112 -> 2, temp 38.4 -> 1, "
      "alert -> 0)");
}

TEST(News2DescribeTest, OxygenConfusionAndRoundedValues) {
  News2Input in;
  in.respiration_rate = 18.6;
  in.spo2 = 95;
  in.systolic = 120;
  in.pulse = 90.5;
  in.temperature = 38.0;
  in.on_oxygen = true;
  in.new_confusion = true;
  in.spo2_scale = 2;
  EXPECT_EQ(
      score_news2(in).describe(),
      "NEWS2 8 (RR 19 -> 0, SpO2 95 scale 2 -> 2, oxygen -> 2, SBP 120 -> 0, pulse 91 -> 1, temp 38.0 -> 0, "
      "new confusion -> 3)");
}

TEST(News2PartialTest, ScoresWhatIsPresentAndListsTheRest) {
  News2Input in;
  in.pulse = 135;  // 3
  in.spo2 = 92;    // 2
  const auto r = score_news2(in);
  EXPECT_EQ(r.total, 5);
  EXPECT_EQ(r.band, News2Band::medium);  // the lower bound decides the band
  EXPECT_FALSE(r.respiration_rate_score.has_value());
  EXPECT_FALSE(r.systolic_score.has_value());
  EXPECT_FALSE(r.temperature_score.has_value());
  EXPECT_EQ(r.missing, (std::vector<std::string>{"respiration_rate", "systolic", "temperature"}));
  EXPECT_EQ(
      r.describe(),
      "NEWS2 >=5 (RR missing, SpO2 92 scale 1 -> 2, air -> 0, SBP missing, pulse 135 -> 3, temp missing, "
      "alert -> 0)");
}

TEST(News2PartialTest, NothingPresentScoresZero) {
  const auto r = score_news2(News2Input{});
  EXPECT_EQ(r.total, 0);
  EXPECT_EQ(r.band, News2Band::none);
  EXPECT_EQ(r.missing.size(), 5u);
}

TEST(News2PartialTest, NonFiniteValuesCountAsMissing) {
  auto in = normal();
  in.pulse = std::numeric_limits<double>::quiet_NaN();
  const auto r = score_news2(in);
  EXPECT_FALSE(r.pulse_score.has_value());
  EXPECT_EQ(r.missing, std::vector<std::string>{"pulse"});
}

TEST(News2BandNamesTest, RoundTrip) {
  for (const auto b :
       {News2Band::none, News2Band::low, News2Band::low_medium, News2Band::medium, News2Band::high}) {
    EXPECT_EQ(parse_news2_band(to_string(b)), b);
  }
  EXPECT_EQ(to_string(News2Band::low_medium), "low-medium");
  EXPECT_EQ(parse_news2_band("Medium"), std::nullopt);
  EXPECT_EQ(parse_news2_band("low_medium"), std::nullopt);
}

}  // namespace
}  // namespace vigil::rules
