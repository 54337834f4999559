#include "sim/wire.h"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>
#include <set>

#include "alerts/alert.h"
#include "domain/codec.h"
#include "domain/validate.h"
#include "sim/alert_watch.h"
#include "sim/test_support.h"

namespace vigil::sim {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::demo_protocol;
using testing::demo_registry;

const TimePoint kWireAt =
    std::chrono::sys_days(std::chrono::year(2026) / 11 / 22) + std::chrono::hours(8) + milliseconds(3120);

PatientPlan patient() {
  PatientPlan p;
  p.id = "DEMO-S01-0007";
  p.site_id = "S01";
  p.device_id = "wear-00007";
  return p;
}

TEST(Wire, IdsAreDistinctVersion4Uuids) {
  IdSource ids(1);
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const std::string id = ids.next();
    ASSERT_TRUE(domain::is_uuid(id)) << id;
    ASSERT_EQ(id[14], '4');
    ASSERT_NE(std::string("89ab").find(id[19]), std::string::npos) << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 1000U);
  EXPECT_NE(IdSource(1).next(), IdSource(2).next());
}

TEST(Wire, AReadingSetIsFiveValidObservationsTheServerAccepts) {
  IdSource ids(3);
  std::vector<domain::Observation> batch;
  append_vitals(patient(), Vitals{112, 22, 93, 38.4, 104, 66}, kWireAt, ids, batch);
  ASSERT_EQ(batch.size(), static_cast<std::size_t>(kObservationsPerSet));

  const std::string body = observations_body(batch);
  EXPECT_NE(body.find(R"("effective_time":"2026-11-22T08:00:03.120Z")"), std::string::npos) << body;
  auto parsed = domain::parse_observations(body);
  ASSERT_EQ(parsed.status, domain::ParseStatus::ok) << parsed.message;
  ASSERT_TRUE(parsed.batch);
  ASSERT_EQ(parsed.items.size(), 5U);
  std::set<std::string> codes;
  for (auto& item : parsed.items) {
    ASSERT_TRUE(item.ok());
    auto& o = item.observation;
    EXPECT_TRUE(domain::validate(o, kWireAt).empty()) << o.code;
    EXPECT_EQ(o.patient_id, "DEMO-S01-0007");
    EXPECT_EQ(o.device_id, "wear-00007");
    EXPECT_EQ(o.effective_time, kWireAt);
    codes.insert(o.code);
  }
  EXPECT_EQ(codes, (std::set<std::string>{"8867-4", "9279-1", "2708-6", "8310-5", "85354-9"}));
  const auto& bp = parsed.items[4].observation;
  ASSERT_EQ(bp.components.size(), 2U);
  EXPECT_EQ(bp.components[0].code, "8480-6");
  EXPECT_EQ(bp.components[0].value, 104);
  EXPECT_EQ(bp.components[1].code, "8462-4");
  EXPECT_EQ(bp.components[1].unit, "mm[Hg]");
  EXPECT_FALSE(bp.value);
  EXPECT_EQ(parsed.items[3].observation.value, 38.4);
  EXPECT_EQ(parsed.items[3].observation.unit, "Cel");
}

TEST(Wire, ADiaryIsAValidDemoDailyResponse) {
  const auto& protocol = demo_protocol();
  IdSource ids(4);
  for (const double severity : {0.0, 1.0}) {
    auto answers = sample_answers(protocol.questionnaire, protocol.epro_thresholds, severity, 9);
    const auto response = diary_response(patient(), protocol.questionnaire, std::move(answers), kWireAt, ids);
    const std::string body = response_body(response);
    auto parsed = domain::parse_questionnaire_response(body);
    ASSERT_TRUE(parsed.ok()) << parsed.message << " " << body;
    EXPECT_EQ(parsed.response.questionnaire_id, "demo-daily");
    EXPECT_EQ(parsed.response.questionnaire_version, "1");
    EXPECT_EQ(parsed.response.authored, kWireAt);
    EXPECT_TRUE(domain::validate(parsed.response, protocol.questionnaire, kWireAt).empty()) << body;
  }
}

TEST(Wire, ParsesIntakeAnswers) {
  auto a = parse_intake_answer(R"({"accepted":98,"duplicates":2})");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->accepted, 98U);
  EXPECT_EQ(a->duplicates, 2U);
  EXPECT_EQ(a->rejected, 0U);

  a = parse_intake_answer(
      R"({"accepted":3,"duplicates":0,"rejected":1,"errors":[{"index":2,"errors":[{"path":"value","message":"out of range"}]}]})");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->rejected, 1U);
  EXPECT_EQ(a->first_error, "[2] value: out of range");

  EXPECT_TRUE(parse_intake_answer(R"({"accepted":1,"duplicates":0,"errors":[]})"));
  EXPECT_FALSE(parse_intake_answer(R"({"accepted":1})"));
  EXPECT_FALSE(parse_intake_answer(R"({"accepted":-1,"duplicates":0})"));
  EXPECT_FALSE(parse_intake_answer("not json"));
  EXPECT_FALSE(parse_intake_answer("[]"));
}

TEST(Wire, DescribesRefusals) {
  EXPECT_EQ(
      describe_refusal(
          404,
          R"({"type":"/problems/unknown-patient","title":"Unknown patient","status":404,)"
          R"("detail":"no patient DEMO-X","errors":[{"path":"patient_id","message":"no patient DEMO-X"}]})"),
      "404 unknown-patient: no patient DEMO-X (patient_id: no patient DEMO-X)");
  EXPECT_EQ(describe_refusal(502, "Bad gateway\r\n"), "502 Bad gateway  ");
}

TEST(Wire, ParsesRetryAfterSeconds) {
  const auto fallback = milliseconds(1000);
  const auto max = milliseconds(30'000);
  EXPECT_EQ(parse_retry_after("2", fallback, max), seconds(2));
  EXPECT_EQ(parse_retry_after(" 3 ", fallback, max), seconds(3));
  EXPECT_EQ(parse_retry_after("0", fallback, max), seconds(0));
  EXPECT_EQ(parse_retry_after("", fallback, max), fallback);
  EXPECT_EQ(parse_retry_after("Wed, 21 Oct 2026 07:28:00 GMT", fallback, max), fallback);
  EXPECT_EQ(parse_retry_after("-1", fallback, max), fallback);
  EXPECT_EQ(parse_retry_after("3600", fallback, max), max);
  EXPECT_EQ(parse_retry_after("99999999999999999999999", fallback, max), max);
}

alerts::AlertEvent event(std::uint64_t id, alerts::AlertEventKind kind, domain::Severity severity,
                         TimePoint at) {
  alerts::AlertEvent e;
  e.event_id = id;
  e.kind = kind;
  e.at = at;
  e.actor = "system";
  e.alert.id = "al_00112233445566ff";
  e.alert.trial_id = "NCT09990001";
  e.alert.site_id = "S03";
  e.alert.patient_id = "DEMO-S03-0127";
  e.alert.rule_id = "news2";
  e.alert.severity = severity;
  e.alert.opened_at = kWireAt;
  e.alert.updated_at = at;
  e.alert.observed_at = kWireAt;
  e.alert.reason = "NEWS2 7 (RR 26 -> 3)";
  return e;
}

std::string data_of(const alerts::AlertEvent& e) {
  return boost::json::serialize(alerts::to_json(e));
}

TEST(Wire, ReadsTheAlertStreamsEventJson) {
  const auto at = kWireAt + seconds(90);
  const auto u =
      parse_alert_event(data_of(event(42, alerts::AlertEventKind::updated, domain::Severity::high, at)));
  ASSERT_TRUE(u);
  EXPECT_EQ(u->event_id, 42U);
  EXPECT_EQ(u->kind, "updated");
  EXPECT_EQ(u->at, at);
  EXPECT_EQ(u->alert_id, "al_00112233445566ff");
  EXPECT_EQ(u->patient_id, "DEMO-S03-0127");
  EXPECT_EQ(u->site_id, "S03");
  EXPECT_EQ(u->rule_id, "news2");
  EXPECT_EQ(u->severity, domain::Severity::high);
  EXPECT_EQ(u->reason, "NEWS2 7 (RR 26 -> 3)");

  EXPECT_FALSE(parse_alert_event(R"({"event_id":1,"kind":"opened"})"));
  EXPECT_FALSE(parse_alert_event("keepalive"));
}

TEST(Wire, TalliesAlertsByHighestSeverityAndFiresOncePerLevel) {
  RunStats stats;
  auto feed = [&](alerts::AlertEventKind kind, domain::Severity s, int minute) {
    record_alert_event(*parse_alert_event(data_of(event(1, kind, s, kWireAt + std::chrono::minutes(minute)))),
                       stats);
  };
  feed(alerts::AlertEventKind::opened, domain::Severity::low_medium, 0);
  EXPECT_EQ(stats.alerts, (std::array<std::uint64_t, 5>{0, 1, 0, 0, 0}));
  EXPECT_TRUE(stats.firings.empty());
  feed(alerts::AlertEventKind::updated, domain::Severity::medium, 5);
  feed(alerts::AlertEventKind::updated, domain::Severity::medium, 10);
  ASSERT_EQ(stats.firings.size(), 1U);
  EXPECT_EQ(stats.firings[0].at, kWireAt + std::chrono::minutes(5));
  EXPECT_TRUE(stats.alert_lines.empty());
  feed(alerts::AlertEventKind::updated, domain::Severity::high, 15);
  feed(alerts::AlertEventKind::acknowledged, domain::Severity::high, 20);
  EXPECT_EQ(stats.alerts, (std::array<std::uint64_t, 5>{0, 0, 0, 1, 0}));
  EXPECT_EQ(stats.firings.size(), 1U);
  ASSERT_EQ(stats.alert_lines.size(), 1U);
  EXPECT_NE(stats.alert_lines[0].find("DEMO-S03-0127"), std::string::npos);
  EXPECT_NE(stats.alert_lines[0].find("high"), std::string::npos);
  EXPECT_EQ(stats.alert_events, 5U);
}

}  // namespace
}  // namespace vigil::sim
