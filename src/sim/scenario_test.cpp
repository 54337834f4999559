#include "sim/scenario.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <stdexcept>

#include "registry/memory_registry.h"
#include "sim/test_support.h"

namespace vigil::sim {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using testing::demo_registry;

const TimePoint kScenarioStart = std::chrono::sys_days(std::chrono::year(2026) / 11 / 22) + hours(8);

TEST(Scenario, PlansEveryEnrolledDemoPatientAndNobodyElse) {
  const Plan plan = make_plan(demo_registry(), ScenarioOptions{}, kScenarioStart);
  ASSERT_EQ(plan.patients.size(), 2000U);
  EXPECT_EQ(plan.protocols.size(), 1U);
  std::set<std::string> ids;
  std::set<std::string> devices;
  int scale_2 = 0;
  for (const auto& p : plan.patients) {
    ids.insert(p.id);
    devices.insert(p.device_id);
    EXPECT_TRUE(demo_registry().check_patient_for_intake(p.id).ok()) << p.id;
    scale_2 += p.profile.spo2_scale == 2 ? 1 : 0;
  }
  EXPECT_EQ(ids.size(), 2000U);
  EXPECT_EQ(devices.size(), 2000U);
  EXPECT_TRUE(ids.contains("DEMO-S01-0001"));
  EXPECT_TRUE(ids.contains("DEMO-S05-0400"));
  EXPECT_FALSE(ids.contains("DEMO-S01-0401"));  // screened
  EXPECT_FALSE(ids.contains("DEMO-S05-0401"));  // completed
  EXPECT_EQ(scale_2, 20);                       // every 100th, from the protocol file
  EXPECT_EQ(plan.patients.front().device_id, "wear-00001");
}

TEST(Scenario, IntervalHonoursTheRate) {
  ScenarioOptions o;  // 2,000 observations/s at speed 60 over 2,000 patients
  o.gap_fraction = 0;
  EXPECT_EQ(make_plan(demo_registry(), o, kScenarioStart).vitals_interval, minutes(5));
  o.rate = 500;
  EXPECT_EQ(make_plan(demo_registry(), o, kScenarioStart).vitals_interval, minutes(20));
  o.rate = 2000;
  o.speed = 1;
  EXPECT_EQ(make_plan(demo_registry(), o, kScenarioStart).vitals_interval, std::chrono::seconds(5));
}

TEST(Scenario, EpisodesAndGapsFollowTheFractionsAndTheHorizon) {
  ScenarioOptions o;
  o.horizon = hours(4);
  const Plan plan = make_plan(demo_registry(), o, kScenarioStart);
  EXPECT_EQ(plan.episode_count(), 100U);
  EXPECT_EQ(plan.gap_count(), 190U);  // 10 % of the 1,900 others
  for (const auto& p : plan.patients) {
    if (p.episode) {
      EXPECT_FALSE(p.gap) << p.id;
      EXPECT_GE(p.episode->onset, kScenarioStart + o.lead_in);
      EXPECT_LE(p.episode->peak() + minutes(15), kScenarioStart + o.horizon) << p.id;
    }
    if (p.gap) {
      EXPECT_GE(p.gap->from, kScenarioStart + o.lead_in);
      EXPECT_LE(p.gap->from, kScenarioStart + o.horizon);
      EXPECT_GE(p.gap->to - p.gap->from, minutes(20));
      EXPECT_LE(p.gap->to - p.gap->from, minutes(120));
      EXPECT_FALSE(p.sending(p.gap->from));
      EXPECT_TRUE(p.sending(p.gap->to));
      EXPECT_TRUE(p.sending(p.gap->from - minutes(1)));
    }
  }
}

TEST(Scenario, TheSeedDecidesEverything) {
  ScenarioOptions o;
  const Plan a = make_plan(demo_registry(), o, kScenarioStart);
  const Plan b = make_plan(demo_registry(), o, kScenarioStart);
  o.seed = 2;
  const Plan c = make_plan(demo_registry(), o, kScenarioStart);
  auto episodes = [](const Plan& p) {
    std::map<std::string, TimePoint> out;
    for (const auto& pp : p.patients) {
      if (pp.episode) out[pp.id] = pp.episode->onset;
    }
    return out;
  };
  EXPECT_EQ(episodes(a), episodes(b));
  EXPECT_NE(episodes(a), episodes(c));
  for (std::size_t i = 0; i < a.patients.size(); ++i) {
    ASSERT_EQ(a.patients[i].vitals_phase, b.patients[i].vitals_phase);
    ASSERT_EQ(a.patients[i].profile.baseline.heart_rate, b.patients[i].profile.baseline.heart_rate);
  }
  EXPECT_EQ(vitals_seed(a, 3, 4), vitals_seed(b, 3, 4));
  EXPECT_NE(vitals_seed(a, 3, 4), vitals_seed(a, 4, 3));
  EXPECT_NE(vitals_seed(a, 3, 4), vitals_seed(c, 3, 4));
  EXPECT_NE(vitals_seed(a, 3, 4), diary_seed(a, 3, 4));
}

TEST(Scenario, ShortHorizonsStartEpisodesAfterTheLeadIn) {
  ScenarioOptions o;
  o.horizon = minutes(20);  // shorter than any ramp
  const Plan plan = make_plan(demo_registry(), o, kScenarioStart);
  for (const auto& p : plan.patients) {
    if (p.episode) {
      EXPECT_EQ(p.episode->onset, kScenarioStart + o.lead_in);
    }
  }
}

TEST(Scenario, RefusesUnusableOptionsAndEmptyRegistries) {
  ScenarioOptions o;
  o.rate = 0;
  EXPECT_THROW(make_plan(demo_registry(), o, kScenarioStart), std::invalid_argument);
  o = {};
  o.speed = -1;
  EXPECT_THROW(make_plan(demo_registry(), o, kScenarioStart), std::invalid_argument);
  o = {};
  o.episode_fraction = 1.5;
  EXPECT_THROW(make_plan(demo_registry(), o, kScenarioStart), std::invalid_argument);
  o = {};
  o.horizon = Duration(0);
  EXPECT_THROW(make_plan(demo_registry(), o, kScenarioStart), std::invalid_argument);

  registry::RegistryContents contents;
  contents.trials.push_back(registry::Trial{"T1", "trial", "2", registry::TrialStatus::active});
  auto protocol = std::make_shared<rules::Protocol>();
  protocol->trial_id = "T1";
  contents.protocols.push_back(protocol);
  contents.sites.push_back(registry::Site{"S1", "T1", "site", "GB", "Europe/London", "Dr A"});
  registry::Patient screened;
  screened.id = "P1";
  screened.trial_id = "T1";
  screened.site_id = "S1";
  screened.status = registry::PatientStatus::screened;
  contents.patients.push_back(screened);
  const registry::MemoryRegistry none_enrolled(contents);
  EXPECT_THROW(make_plan(none_enrolled, ScenarioOptions{}, kScenarioStart), std::invalid_argument);
}

TEST(Scenario, ScheduleYieldsEveryPatientOncePerRoundInTimeOrder) {
  const std::vector<Duration> phases{minutes(3), minutes(0), minutes(4), minutes(1)};
  Schedule s(phases, minutes(5), kScenarioStart);
  TimePoint last = TimePoint::min();
  for (std::uint64_t round = 0; round < 3; ++round) {
    std::set<std::size_t> seen;
    for (std::size_t i = 0; i < phases.size(); ++i) {
      const auto slot = s.peek();
      s.pop();
      EXPECT_EQ(slot.round, round);
      EXPECT_EQ(slot.due, kScenarioStart + phases[slot.patient] + minutes(5) * static_cast<int>(round));
      EXPECT_GE(slot.due, last);
      last = slot.due;
      seen.insert(slot.patient);
    }
    EXPECT_EQ(seen.size(), phases.size());
  }
  EXPECT_EQ(s.taken(), 12U);
  EXPECT_THROW(Schedule({}, minutes(5), kScenarioStart), std::invalid_argument);
  EXPECT_THROW(Schedule({minutes(5)}, minutes(5), kScenarioStart), std::invalid_argument);
}

TEST(Scenario, PlannedScheduleDeliversTheRateDespiteGaps) {
  ScenarioOptions o;
  const Plan plan = make_plan(demo_registry(), o, kScenarioStart);
  EXPECT_LT(plan.vitals_interval, minutes(5));  // shortened for the gaps
  Schedule s = vitals_schedule(plan);
  std::uint64_t sent = 0;
  std::uint64_t skipped = 0;
  while (s.peek().due < kScenarioStart + o.horizon) {
    const auto slot = s.peek();
    s.pop();
    (plan.patients[slot.patient].sending(slot.due) ? sent : skipped) += kObservationsPerSet;
  }
  EXPECT_GT(skipped, 0U);
  // Four simulated hours are 240 real seconds at speed 60: 480,000 observations at 2,000/s.
  EXPECT_NEAR(static_cast<double>(sent), 480'000, 480'000 * 0.005);

  Schedule d = diary_schedule(plan);
  std::uint64_t diaries = 0;
  while (d.peek().due < kScenarioStart + hours(24)) {
    d.pop();
    ++diaries;
  }
  EXPECT_EQ(diaries, 2000U);
}

}  // namespace
}  // namespace vigil::sim
