#include "alerts/alert.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <regex>
#include <set>

#include "alerts/test_support.h"

namespace vigil::alerts {
namespace {

using namespace std::chrono_literals;
using testing::t0;

Alert sample() {
  Alert a;
  a.id = "al_00112233445566ff";
  a.trial_id = "TRIAL-1";
  a.site_id = "site-01";
  a.patient_id = "P-0001";
  a.rule_id = "news2";
  a.severity = domain::Severity::low_medium;
  a.status = AlertStatus::acknowledged;
  a.opened_at = t0();
  a.updated_at = t0() + 90s;
  a.observed_at = t0() - 5s + 120ms;
  a.observation_ids = {"obs-1", "obs-2"};
  a.reason = "NEWS2 5 (RR 3, SpO2 2)";
  a.protocol_version = 3;
  a.count = 2;
  a.acknowledged = StateChange{"dr.lee", t0() + 90s, "called patient"};
  return a;
}

TEST(AlertStatusTest, RoundTripsAndRejectsUnknown) {
  for (auto s : {AlertStatus::open, AlertStatus::acknowledged, AlertStatus::resolved}) {
    EXPECT_EQ(parse_alert_status(to_string(s)), s);
  }
  EXPECT_EQ(to_string(AlertStatus::acknowledged), "acknowledged");
  EXPECT_FALSE(parse_alert_status("closed"));
  EXPECT_FALSE(parse_alert_status("Open"));
  for (auto k : {AlertEventKind::opened, AlertEventKind::updated, AlertEventKind::acknowledged,
                 AlertEventKind::resolved}) {
    EXPECT_EQ(parse_alert_event_kind(to_string(k)), k);
  }
  EXPECT_FALSE(parse_alert_event_kind("deleted"));
}

TEST(AlertJsonTest, RendersApiShape) {
  const auto j = to_json(sample());
  EXPECT_EQ(j.at("id").as_string(), "al_00112233445566ff");
  EXPECT_EQ(j.at("severity").as_string(), "low-medium");
  EXPECT_EQ(j.at("status").as_string(), "acknowledged");
  EXPECT_EQ(j.at("opened_at").as_string(), "2026-11-22T08:00:00.000Z");
  EXPECT_EQ(j.at("updated_at").as_string(), "2026-11-22T08:01:30.000Z");
  EXPECT_EQ(j.at("observed_at").as_string(), "2026-11-22T07:59:55.120Z");
  EXPECT_TRUE(j.at("severity_raised_at").is_null());
  EXPECT_TRUE(j.at("resolved").is_null());
  EXPECT_EQ(j.at("acknowledged").at("by").as_string(), "dr.lee");
  EXPECT_EQ(j.at("acknowledged").at("note").as_string(), "called patient");
  EXPECT_EQ(j.at("observation_ids").as_array().size(), 2u);
  EXPECT_EQ(j.at("protocol_version").to_number<int>(), 3);
  EXPECT_EQ(j.at("count").to_number<int>(), 2);
}

TEST(AlertJsonTest, EventCarriesSnapshot) {
  AlertEvent e{42, AlertEventKind::acknowledged, sample(), "dr.lee", "called patient", t0() + 90s};
  const auto j = to_json(e);
  EXPECT_EQ(j.at("event_id").to_number<int>(), 42);
  EXPECT_EQ(j.at("kind").as_string(), "acknowledged");
  EXPECT_EQ(j.at("at").as_string(), "2026-11-22T08:01:30.000Z");
  EXPECT_EQ(j.at("alert").at("id").as_string(), "al_00112233445566ff");
}

TEST(AlertJsonTest, ParsesBackWhatItRendered) {
  Alert a = sample();
  a.severity_raised_at = t0() + 30s;
  a.resolved = StateChange{"cra.kim", t0() + 3600s, ""};
  // Through text, as the store does, so integers come back as int64.
  const auto back = alert_from_json(boost::json::parse(boost::json::serialize(to_json(a))));
  ASSERT_TRUE(back);
  EXPECT_EQ(to_json(*back), to_json(a));
  EXPECT_EQ(back->severity_raised_at, a.severity_raised_at);
  EXPECT_EQ(back->resolved->actor, "cra.kim");
}

TEST(AlertJsonTest, RejectsDamagedSnapshots) {
  auto j = to_json(sample());
  auto bad_severity = j;
  bad_severity["severity"] = "severe";
  EXPECT_FALSE(alert_from_json(bad_severity));
  auto missing = j;
  missing.erase("rule_id");
  EXPECT_FALSE(alert_from_json(missing));
  auto bad_time = j;
  bad_time["opened_at"] = "yesterday";
  EXPECT_FALSE(alert_from_json(bad_time));
  EXPECT_FALSE(alert_from_json(boost::json::value(7)));
}

TEST(AlertIdGeneratorTest, IdsAreWellFormedAndDistinct) {
  AlertIdGenerator gen;
  const std::regex shape("al_[0-9a-f]{16}");
  std::set<std::string> seen;
  for (int i = 0; i < 10000; ++i) {
    auto id = gen.next();
    ASSERT_TRUE(std::regex_match(id, shape)) << id;
    ASSERT_TRUE(seen.insert(id).second) << "repeated " << id;
  }
}

TEST(AlertIdGeneratorTest, SameSeedSameSequenceOtherSeedOther) {
  AlertIdGenerator a(7), b(7), c(8);
  const auto first = a.next();
  EXPECT_EQ(first, b.next());
  EXPECT_NE(first, c.next());
}

}  // namespace
}  // namespace vigil::alerts
