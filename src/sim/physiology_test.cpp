#include "sim/physiology.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "sim/test_support.h"

namespace vigil::sim {
namespace {

using std::chrono::minutes;
using testing::ctcae_grade;
using testing::demo_protocol;
using testing::news2;
using testing::tripped_threshold;

const TimePoint kStart = std::chrono::sys_days(std::chrono::year(2026) / 11 / 22);

bool same(const Vitals& a, const Vitals& b) {
  return a.heart_rate == b.heart_rate && a.respiration_rate == b.respiration_rate && a.spo2 == b.spo2 &&
         a.temperature == b.temperature && a.systolic == b.systolic && a.diastolic == b.diastolic;
}

TEST(Physiology, SameSeedsGiveSameReadings) {
  const auto p1 = make_profile(42, 1);
  const auto p2 = make_profile(42, 1);
  EXPECT_TRUE(same(p1.baseline, p2.baseline));
  EXPECT_FALSE(same(p1.baseline, make_profile(43, 1).baseline));

  const Episode e = make_episode(7, kStart);
  const auto a = sample_vitals(p1, &e, kStart + minutes(40), 99, 0.5);
  const auto b = sample_vitals(p2, &e, kStart + minutes(40), 99, 0.5);
  EXPECT_TRUE(same(a.vitals, b.vitals));
  EXPECT_EQ(a.artefact, b.artefact);
  EXPECT_FALSE(same(a.vitals, sample_vitals(p1, &e, kStart + minutes(40), 100, 0.5).vitals));
}

TEST(Physiology, MixSeedSpreadsNeighbouringIndices) {
  std::set<std::uint64_t> seen;
  for (std::uint64_t i = 0; i < 1000; ++i) seen.insert(mix_seed(1, i));
  EXPECT_EQ(seen.size(), 1000U);
  EXPECT_NE(mix_seed(1, 0), mix_seed(2, 0));
}

TEST(Physiology, NormalPatientsScoreZeroAndTripNothing) {
  for (int scale : {1, 2}) {
    for (std::uint64_t patient = 0; patient < 200; ++patient) {
      const auto profile = make_profile(mix_seed(11, patient), scale);
      for (std::uint64_t r = 0; r < 50; ++r) {
        const auto s = sample_vitals(profile, nullptr, kStart + minutes(5 * r), mix_seed(patient, r), 0);
        ASSERT_EQ(s.artefact, Artefact::none);
        const auto score = news2(s.vitals, scale);
        ASSERT_EQ(score.total, 0) << score.describe();
        ASSERT_EQ(tripped_threshold(s.vitals), std::nullopt);
        ASSERT_LT(ctcae_grade(s.vitals), 2);
      }
    }
  }
}

TEST(Physiology, ArtefactsStayBelowMediumWithoutTrippingThresholds) {
  std::set<Artefact> kinds;
  int single_threes = 0;
  for (int scale : {1, 2}) {
    for (std::uint64_t patient = 0; patient < 100; ++patient) {
      const auto profile = make_profile(mix_seed(12, patient), scale);
      for (std::uint64_t r = 0; r < 30; ++r) {
        const auto s = sample_vitals(profile, nullptr, kStart, mix_seed(patient, r), 1.0);
        ASSERT_NE(s.artefact, Artefact::none);
        kinds.insert(s.artefact);
        const auto score = news2(s.vitals, scale);
        if (score.any_single_three) {
          // Only the deepest SpO2 dip, and only as a low-medium band.
          ++single_threes;
          ASSERT_EQ(s.artefact, Artefact::spo2_dip);
          ASSERT_EQ(s.vitals.spo2, 91);
          ASSERT_EQ(score.total, 3) << score.describe();
          ASSERT_EQ(score.band, rules::News2Band::low_medium);
        } else {
          ASSERT_LE(score.total, 2) << score.describe();
        }
        ASSERT_EQ(tripped_threshold(s.vitals), std::nullopt);
        ASSERT_LT(ctcae_grade(s.vitals), 2);
      }
    }
  }
  EXPECT_EQ(kinds.size(), 3U);
  EXPECT_GT(single_threes, 0);
}

TEST(Physiology, ArtefactRateIsRoughlyAsAsked) {
  const auto profile = make_profile(1, 1);
  int artefacts = 0;
  for (std::uint64_t r = 0; r < 20000; ++r) {
    artefacts +=
        sample_vitals(profile, nullptr, kStart, mix_seed(3, r), 0.01).artefact != Artefact::none ? 1 : 0;
  }
  EXPECT_GT(artefacts, 120);  // 200 expected; a 1-in-a-million miss either way
  EXPECT_LT(artefacts, 290);
}

TEST(Physiology, EpisodeParametersLieInTheirRanges) {
  for (std::uint64_t seed = 0; seed < 500; ++seed) {
    const Episode e = make_episode(seed, kStart);
    ASSERT_GE(e.ramp, minutes(30));
    ASSERT_LE(e.ramp, minutes(90));
    ASSERT_GE(e.plateau, minutes(60));
    ASSERT_LE(e.plateau, minutes(120));
    ASSERT_EQ(e.recovery, e.ramp);
    ASSERT_EQ(e.end(), kStart + e.ramp + e.plateau + e.recovery);
  }
}

TEST(Physiology, SeverityRampsHoldsAndRecovers) {
  Episode e;
  e.onset = kStart;
  e.ramp = minutes(60);
  e.plateau = minutes(60);
  e.recovery = minutes(60);
  EXPECT_EQ(episode_severity(e, kStart - minutes(1)), 0);
  EXPECT_EQ(episode_severity(e, kStart), 0);
  EXPECT_DOUBLE_EQ(episode_severity(e, kStart + minutes(30)), 0.5);
  EXPECT_EQ(episode_severity(e, e.peak()), 1);
  EXPECT_EQ(episode_severity(e, e.peak() + minutes(59)), 1);
  EXPECT_DOUBLE_EQ(episode_severity(e, e.peak() + minutes(90)), 0.5);
  EXPECT_EQ(episode_severity(e, e.end()), 0);
  double last = -1;
  for (int m = 0; m <= 60; ++m) {
    const double s = episode_severity(e, kStart + minutes(m));
    ASSERT_GE(s, last);
    last = s;
  }
}

TEST(Physiology, EpisodesReachMediumNews2AtThePeakWhateverTheBaseline) {
  int worst = 100;
  for (int scale : {1, 2}) {
    for (std::uint64_t patient = 0; patient < 300; ++patient) {
      const auto profile = make_profile(mix_seed(21, patient), scale);
      const Episode e = make_episode(mix_seed(22, patient), kStart);
      for (const TimePoint at : {e.peak(), e.peak() + e.plateau / 2}) {
        for (std::uint64_t r = 0; r < 5; ++r) {
          const auto s = sample_vitals(profile, &e, at, mix_seed(patient, r), 1.0);
          ASSERT_EQ(s.artefact, Artefact::none);  // no artefacts during an episode
          const auto score = news2(s.vitals, scale);
          worst = std::min(worst, score.total);
          ASSERT_GE(score.total, 5) << score.describe();
          ASSERT_GE(score.band, rules::News2Band::medium);
        }
      }
    }
  }
  EXPECT_GE(worst, 6);
}

TEST(Physiology, EpisodeReadingsAreNormalBeforeOnsetAndAfterRecovery) {
  const auto profile = make_profile(5, 1);
  const Episode e = make_episode(6, kStart + minutes(60));
  for (const TimePoint at : {kStart, e.onset - minutes(1), e.end(), e.end() + minutes(30)}) {
    const auto s = sample_vitals(profile, &e, at, 8, 0);
    EXPECT_EQ(news2(s.vitals, 1).total, 0);
    EXPECT_TRUE(same(s.vitals, sample_vitals(profile, nullptr, at, 8, 0).vitals));
  }
  const auto sick = sample_vitals(profile, &e, e.peak(), 8, 0).vitals;
  const auto well = sample_vitals(profile, nullptr, e.peak(), 8, 0).vitals;
  EXPECT_GT(sick.heart_rate, well.heart_rate + 40);
  EXPECT_GT(sick.respiration_rate, well.respiration_rate + 10);
  EXPECT_GT(sick.temperature, well.temperature + 1.9);
  EXPECT_LT(sick.systolic, well.systolic - 29);
  EXPECT_LT(sick.spo2, well.spo2 - 5);
  EXPECT_LT(sick.diastolic, sick.systolic);
}

TEST(Physiology, ReadingsAreRoundedAsDevicesReportThem) {
  const auto s = sample_vitals(make_profile(9, 1), nullptr, kStart, 4, 0).vitals;
  EXPECT_EQ(s.heart_rate, std::round(s.heart_rate));
  EXPECT_EQ(s.spo2, std::round(s.spo2));
  EXPECT_LE(s.spo2, 100);
  EXPECT_NEAR(s.temperature * 10, std::round(s.temperature * 10), 1e-9);
}

double number(const domain::Answer& a) {
  return std::get<double>(a.value);
}
bool flag(const domain::Answer& a) {
  return std::get<bool>(a.value);
}

TEST(Physiology, NormalDiaryAnswersNeverTripTheProtocol) {
  const auto& protocol = demo_protocol();
  int nausea = 0;
  for (std::uint64_t seed = 0; seed < 2000; ++seed) {
    const auto answers = sample_answers(protocol.questionnaire, protocol.epro_thresholds, 0, seed);
    ASSERT_EQ(answers.size(), protocol.questionnaire.items.size());
    for (std::size_t i = 0; i < answers.size(); ++i) {
      ASSERT_EQ(answers[i].item_id, protocol.questionnaire.items[i].id);
      const double value =
          std::holds_alternative<bool>(answers[i].value) ? (flag(answers[i]) ? 1 : 0) : number(answers[i]);
      for (const auto& t : protocol.epro_thresholds) {
        if (t.item_id == answers[i].item_id) {
          ASSERT_FALSE(trips(t, value)) << t.item_id << " " << value;
        }
      }
    }
    ASSERT_GE(number(answers[0]), 0);  // pain
    ASSERT_LE(number(answers[0]), 3);
    nausea += flag(answers[1]) ? 1 : 0;
    ASSERT_FALSE(flag(answers[2]));  // shortness_of_breath
    ASSERT_FALSE(flag(answers[3]));  // new_confusion
  }
  EXPECT_GT(nausea, 100);  // about 10 %
  EXPECT_LT(nausea, 320);
}

TEST(Physiology, DiaryAnswersFollowTheEpisode) {
  const auto& protocol = demo_protocol();
  const auto half = sample_answers(protocol.questionnaire, protocol.epro_thresholds, 0.6, 1);
  EXPECT_TRUE(flag(half[2]));   // shortness of breath from half severity
  EXPECT_FALSE(flag(half[3]));  // confusion only later
  const auto full = sample_answers(protocol.questionnaire, protocol.epro_thresholds, 1.0, 1);
  EXPECT_TRUE(flag(full[2]));
  EXPECT_TRUE(flag(full[3]));
  EXPECT_GE(number(full[0]), 3);
}

TEST(Physiology, TripsComparesLikeTheRules) {
  rules::EproThreshold t{"pain", rules::Comparison::greater_or_equal, 8, domain::Severity::medium};
  EXPECT_TRUE(trips(t, 8));
  EXPECT_FALSE(trips(t, 7));
  t.op = rules::Comparison::less_or_equal;
  EXPECT_TRUE(trips(t, 8));
  EXPECT_FALSE(trips(t, 9));
  t.op = rules::Comparison::equal;
  t.value = 1;
  EXPECT_TRUE(trips(t, 1));
  EXPECT_FALSE(trips(t, 0));
}

}  // namespace
}  // namespace vigil::sim
