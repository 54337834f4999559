// The requests a connection builds: credentials (per-connection patient, headers) and the
// alert-latency scenario's readings, checked with the real intake validator and the demo
// protocol's heart-rate threshold (examples/trials/demo.yaml).
#include "loadgen/request.h"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <boost/json.hpp>
#include <set>
#include <string>

#include "domain/codec.h"
#include "domain/validate.h"
#include "loadgen/alert_probe.h"
#include "rules/thresholds.h"

namespace vigil::loadgen {
namespace {

namespace json = boost::json;

const std::string kJwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln";
const std::string kKey = "vk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

TimePoint test_time() {
  TimePoint t;
  EXPECT_TRUE(parse_rfc3339("2026-11-22T08:00:03.120Z", t));
  return t;
}

// The value of header `name` in `head` ("" when absent), and how many times it occurs.
std::pair<std::string, int> header(std::string_view head, std::string_view name) {
  std::string value;
  int count = 0;
  std::size_t at = head.find("\r\n");
  while (at != std::string_view::npos && at + 2 < head.size()) {
    const std::size_t end = head.find("\r\n", at + 2);
    const std::string_view line = head.substr(at + 2, end - at - 2);
    const std::size_t colon = line.find(':');
    if (colon != std::string_view::npos && same_header_name(line.substr(0, colon), name)) {
      value = std::string(line.substr(colon + 2));
      ++count;
    }
    at = end;
  }
  return {value, count};
}

// Every observation of a body, parsed and validated as Vigil's intake does.
std::vector<domain::Observation> intake(std::string_view body) {
  auto parsed = domain::parse_observations(body);
  EXPECT_EQ(parsed.status, domain::ParseStatus::ok) << parsed.message;
  std::vector<domain::Observation> out;
  for (auto& item : parsed.items) {
    EXPECT_TRUE(item.ok());
    EXPECT_TRUE(domain::validate(item.observation, test_time()).empty()) << body;
    out.push_back(item.observation);
  }
  return out;
}

// The demo protocol's heart-rate threshold, read from the trial file itself.
std::vector<rules::Threshold> demo_heart_rate_threshold() {
  const YAML::Node trial = YAML::LoadFile(std::string(VIGIL_SOURCE_DIR) + "/examples/trials/demo.yaml");
  std::vector<rules::Threshold> out;
  for (const auto& t : trial["protocol"]["thresholds"]) {
    if (t["code"].as<std::string>() != "8867-4") continue;
    rules::Threshold th{"8867-4", std::nullopt, std::nullopt, domain::Severity::high};
    if (t["low"]) th.low = t["low"].as<double>();
    if (t["high"]) th.high = t["high"].as<double>();
    out.push_back(th);
  }
  EXPECT_EQ(out.size(), 1U);
  return out;
}

TEST(RequestCredentials, EveryBodyOfAConnectionIsForItsPatient) {
  ManualClock clock(test_time());
  const auto creds =
      parse_credentials("DEMO-S03-0042 " + kKey + "\nDEMO-S01-0001 Bearer " + kJwt + "\n", "f");
  for (Scenario scenario : {Scenario::single, Scenario::batch100, Scenario::alert_latency}) {
    TargetInfo info{"h", "", "", {{"Authorization", "Bearer staff.t.k"}, {"X-Run", "7"}}};
    RequestBuilder b(scenario, info, PatientSpace{}, 3, clock);
    b.set_credential(credential_for_connection(creds, 2));  // connection 2 holds line 1 again
    for (int i = 0; i < 5; ++i) {
      const Request r = b.next();
      for (const auto& o : intake(r.body)) EXPECT_EQ(o.patient_id, "DEMO-S03-0042");
      EXPECT_EQ(header(r.head, "X-API-Key"), std::make_pair(kKey, 1));
      EXPECT_EQ(header(r.head, "Authorization").second, 0) << "a device request carries one credential";
      EXPECT_EQ(header(r.head, "X-Run"), std::make_pair(std::string("7"), 1));
    }
  }
}

TEST(RequestCredentials, BearerCredentialReplacesTheStaticTokenAndEproFollowsThePatient) {
  ManualClock clock(test_time());
  const auto creds = parse_credentials("DEMO-S01-0007 Bearer " + kJwt + "\n", "f");
  RequestBuilder b(Scenario::epro, TargetInfo{"h", "", "static.t.k"}, PatientSpace{}, 3, clock);
  b.set_credential(creds[0]);
  const Request r = b.next();
  EXPECT_EQ(header(r.head, "Authorization"), std::make_pair("Bearer " + kJwt, 1));
  EXPECT_EQ(json::parse(r.body).at("patient_id").as_string(), "DEMO-S01-0007");
}

TEST(RequestCredentials, ReadsCarryOnlyTheStaticHeaders) {
  ManualClock clock(test_time());
  const auto creds = parse_credentials("DEMO-S01-0007 " + kKey + "\n", "f");
  RequestBuilder b(Scenario::mixed, TargetInfo{"h", "", "", {{"Authorization", "Bearer staff.t.k"}}},
                   PatientSpace{}, 3, clock);
  b.set_credential(creds[0]);
  for (int i = 0; i < 10; ++i) {
    const Request r = b.next();
    if (!r.is_read) continue;
    EXPECT_EQ(header(r.head, "Authorization"), std::make_pair(std::string("Bearer staff.t.k"), 1));
    EXPECT_EQ(header(r.head, "X-API-Key").second, 0);
  }
}

TEST(AlertLatencyRequests, AlertingReadingsCrossTheDemoThresholdOncePerPatient) {
  ManualClock clock(test_time());
  const auto thresholds = demo_heart_rate_threshold();
  const auto creds = parse_credentials(
      "P-1 " + kKey + "\nP-2 Bearer " + kJwt + "\nP-1 Bearer a.b.c\nP-3 Bearer d.e.f\n", "f");
  AlertProbe probe(creds, PatientSpace{});
  RequestBuilder b(Scenario::alert_latency, TargetInfo{"h", "", ""}, PatientSpace{}, 9, clock);
  b.set_credential(creds[1]);
  b.set_alert_probe(probe, 1.0);  // every reading alerts while patients last

  std::vector<std::string> alert_patients;
  std::set<std::string> ids;
  for (int i = 0; i < 10; ++i) {
    const Request r = b.next();
    EXPECT_EQ(r.observations, 1U);
    const auto obs = intake(r.body);
    ASSERT_EQ(obs.size(), 1U);
    const auto& o = obs[0];
    EXPECT_TRUE(ids.insert(o.id).second) << "ids are unique";
    EXPECT_EQ(o.code, "8867-4");
    EXPECT_EQ(o.unit, "/min");
    const auto finding = rules::check_threshold(thresholds, o.code, *o.value, o.id, o.effective_time);
    if (!r.alert_id.empty()) {
      EXPECT_EQ(r.alert_id, o.id);
      EXPECT_GE(*o.value, kAlertBpmLow);
      EXPECT_LE(*o.value, kAlertBpmHigh);
      ASSERT_TRUE(finding) << *o.value;
      EXPECT_EQ(finding->rule_id, "threshold:8867-4");
      alert_patients.push_back(o.patient_id);
      // Sent with that patient's own credential.
      const std::string expected = o.patient_id == "P-1" ? kKey : "";
      EXPECT_EQ(header(r.head, "X-API-Key").first, expected);
    } else {
      EXPECT_GE(*o.value, kNormalBpmLow);
      EXPECT_LE(*o.value, kNormalBpmHigh);
      EXPECT_FALSE(finding) << *o.value;
      EXPECT_EQ(o.patient_id, "P-2") << "normal readings stay with the connection's patient";
      EXPECT_EQ(header(r.head, "Authorization").first, "Bearer " + kJwt);
    }
  }
  EXPECT_EQ(alert_patients, (std::vector<std::string>{"P-1", "P-2", "P-3"}));
  EXPECT_TRUE(probe.stats().patients_exhausted);
}

TEST(AlertLatencyRequests, FractionAndWarmUp) {
  ManualClock clock(test_time());
  AlertProbe probe({}, PatientSpace{"DEMO", 5, 400});
  RequestBuilder b(Scenario::alert_latency, TargetInfo{}, PatientSpace{}, 11, clock);
  b.set_alert_probe(probe, 0.1);
  for (int i = 0; i < 500; ++i) EXPECT_TRUE(b.next(/*measured=*/false).alert_id.empty()) << "none in warm-up";
  int alerting = 0;
  std::set<std::string> patients;
  for (int i = 0; i < 1000; ++i) {
    const Request r = b.next(true);
    if (r.alert_id.empty()) continue;
    ++alerting;
    patients.insert(std::string(json::parse(r.body).at("patient_id").as_string()));
  }
  EXPECT_GT(alerting, 60);  // 100 expected; binomial sd 9.5
  EXPECT_LT(alerting, 140);
  EXPECT_EQ(patients.size(), static_cast<std::size_t>(alerting)) << "one alerting reading per patient";
  EXPECT_TRUE(patients.contains("DEMO-S01-0001"));
}

}  // namespace
}  // namespace vigil::loadgen
