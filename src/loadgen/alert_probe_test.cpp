#include "loadgen/alert_probe.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>
#include <string>
#include <vector>

#include "alerts/alert.h"
#include "loadgen/sse.h"

namespace vigil::loadgen {
namespace {

using namespace std::chrono_literals;

const std::string kA = "6f1c2a9e-3b7d-4c1e-9a52-0d8e4b7f3c21";
const std::string kB = "0b7e4d2a-51c3-4f8e-a6d9-2c1f0e8b9a47";
const std::string kC = "11111111-2222-4333-8444-555555555555";
const std::string kOther = "99999999-2222-4333-8444-555555555555";

// An SSE frame exactly as the server writes it: the alert event through alerts::to_json.
std::string frame(std::uint64_t event_id, alerts::AlertEventKind kind, std::string rule,
                  std::vector<std::string> observation_ids) {
  alerts::AlertEvent e;
  e.event_id = event_id;
  e.kind = kind;
  e.actor = "system";
  e.alert.id = fmt::format("al_{:016x}", event_id);
  e.alert.trial_id = "NCT09990001";
  e.alert.site_id = "S01";
  e.alert.patient_id = "DEMO-S01-0001";
  e.alert.rule_id = std::move(rule);
  e.alert.severity = domain::Severity::high;
  e.observation_ids = std::move(observation_ids);
  e.alert.reason = "heart rate 150 /min above 130 (protocol threshold)";
  e.alert.count = 1;
  return fmt::format("id: {}\r\nevent: {}\r\ndata: {}\r\n\r\n", event_id, alerts::to_string(kind),
                     boost::json::serialize(alerts::to_json(e)));
}

TEST(AlertProbe, ClaimsEachCredentialPatientOnceThenReportsExhaustion) {
  const auto creds = parse_credentials("P1 Bearer a.a.a\nP2 Bearer b.b.b\nP1 Bearer c.c.c\n", "f");
  AlertProbe probe(creds, PatientSpace{});
  auto first = probe.claim_target();
  auto second = probe.claim_target();
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->patient_id, "P1");
  ASSERT_TRUE(first->credential);
  EXPECT_EQ(first->credential->value, "Bearer a.a.a");
  EXPECT_EQ(second->patient_id, "P2");
  EXPECT_FALSE(probe.stats().patients_exhausted);
  EXPECT_FALSE(probe.claim_target());
  EXPECT_FALSE(probe.claim_target());
  const AlertLatencyStats s = probe.stats();
  EXPECT_TRUE(s.enabled);
  EXPECT_EQ(s.patients, 2U);
  EXPECT_TRUE(s.patients_exhausted);
}

TEST(AlertProbe, WithoutCredentialsWalksThePatientSpace) {
  AlertProbe probe({}, PatientSpace{"DEMO", 2, 3});
  std::vector<std::string> ids;
  while (auto t = probe.claim_target()) {
    EXPECT_FALSE(t->credential);
    ids.push_back(t->patient_id);
  }
  EXPECT_EQ(ids, (std::vector<std::string>{"DEMO-S01-0001", "DEMO-S01-0002", "DEMO-S01-0003", "DEMO-S02-0001",
                                           "DEMO-S02-0002", "DEMO-S02-0003"}));
  EXPECT_EQ(probe.stats().patients, 6U);
}

TEST(AlertProbe, SkipStartsLaterInTheList) {
  AlertProbe probe({}, PatientSpace{"DEMO", 2, 3}, 4);
  EXPECT_EQ(probe.stats().patients, 2U);
  EXPECT_EQ(probe.claim_target()->patient_id, "DEMO-S02-0002");
  EXPECT_EQ(probe.claim_target()->patient_id, "DEMO-S02-0003");
  EXPECT_FALSE(probe.claim_target());
  AlertProbe beyond({}, PatientSpace{"DEMO", 2, 3}, 99);
  EXPECT_EQ(beyond.stats().patients, 0U);
  EXPECT_FALSE(beyond.claim_target());
}

TEST(AlertProbe, MatchesStreamEventsToScheduledSendTimes) {
  AlertProbe probe({}, PatientSpace{});
  probe.sent(kA, 1'000'000);  // scheduled at 1 ms
  probe.sent(kB, 2'000'000);
  probe.sent(kC, 3'000'000);
  probe.answered(kA, true);
  probe.answered(kB, true);
  probe.answered(kC, false);  // refused: no alert is owed
  EXPECT_EQ(probe.pending(), 2U);

  using K = alerts::AlertEventKind;
  const std::string stream =
      frame(1, K::opened, "threshold:8867-4", {kA}) +           // A opens its alert
      ": keepalive\r\n\r\n" +                                   //
      frame(2, K::opened, "news2", {kA}) +                      // A opens NEWS2 as well
      frame(3, K::opened, "missing-data", {}) +                 // not ours
      frame(4, K::updated, "threshold:8867-4", {kOther, kB}) +  // B merged into an open alert
      frame(5, K::acknowledged, "threshold:8867-4", {kA}) +     // people, not ingest
      "data: not json\r\n\r\n";
  // Deliver it in awkward pieces (a CRLF pair and a UUID split), each stamped when it "arrived".
  const std::size_t cuts[] = {
      5, 17, stream.find(kA) + 10, stream.find("\r\n\r\n") + 1, stream.size() / 2, stream.size() - 3};
  SseParser parser;
  std::vector<SseEvent> events;
  std::size_t at = 0;
  std::int64_t now = 1'500'000;
  for (std::size_t cut : cuts) {
    ASSERT_GE(cut, at);
    events.clear();
    parser.feed(std::string_view(stream).substr(at, cut - at), events);
    for (const auto& e : events) probe.on_event(e.data, now);
    at = cut;
    now += 1'000'000;
  }
  events.clear();
  parser.feed(std::string_view(stream).substr(at), events);
  for (const auto& e : events) probe.on_event(e.data, now);

  const AlertLatencyStats s = probe.stats();
  EXPECT_EQ(s.sent, 3U);
  EXPECT_EQ(s.rejected, 1U);
  EXPECT_EQ(s.opened, 1U);
  EXPECT_EQ(s.updated, 1U);
  EXPECT_EQ(s.matched(), 2U);
  EXPECT_EQ(s.missing, 0U);
  EXPECT_EQ(s.repeat_events, 1U);
  EXPECT_EQ(s.unmatched_events, 1U);
  EXPECT_EQ(s.unreadable_events, 1U);
  ASSERT_EQ(s.latency.count(), 2U);
  // A frame counts when its last byte arrives: in the chunk stamped 1.5 ms + (cuts before it) ms.
  auto arrival_of_frame_naming = [&](const std::string& id) {
    const std::size_t last_byte = stream.find("\r\n\r\n", stream.find(id)) + 3;
    std::int64_t t = 1'500'000;
    for (std::size_t cut : cuts) t += cut <= last_byte ? 1'000'000 : 0;
    return t;
  };
  const std::int64_t a = arrival_of_frame_naming(kA) - 1'000'000;
  const std::int64_t b = arrival_of_frame_naming(kB) - 2'000'000;
  EXPECT_EQ(s.latency.min(), std::chrono::nanoseconds(std::min(a, b)));
  EXPECT_EQ(s.latency.max(), std::chrono::nanoseconds(std::max(a, b)));
  EXPECT_TRUE(probe.wait_settled(0ns));
}

TEST(AlertProbe, UnansweredReadingsAreMissing) {
  AlertProbe probe({}, PatientSpace{});
  probe.sent(kA, 0);
  probe.answered(kA, true);
  EXPECT_FALSE(probe.wait_settled(0ns));
  const AlertLatencyStats s = probe.stats();
  EXPECT_EQ(s.missing, 1U);
  EXPECT_EQ(s.latency.count(), 0U);
}

}  // namespace
}  // namespace vigil::loadgen
