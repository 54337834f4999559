#include "loadgen/payload.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <regex>
#include <set>
#include <string>

#include "domain/codec.h"
#include "domain/validate.h"
#include "loadgen/request.h"

namespace vigil::loadgen {
namespace {

namespace json = boost::json;

TimePoint test_time() {
  TimePoint t;
  EXPECT_TRUE(parse_rfc3339("2026-11-22T08:00:03.120Z", t));
  return t;
}

bool is_uuid_v4(const std::string& s) {
  static const std::regex re("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
  return std::regex_match(s, re);
}

std::string str(const json::value& v) {
  return std::string(v.as_string());
}

// Checks one observation object the way Vigil's intake would, and returns its id.
std::string check_observation(const json::object& o, const TimePoint expected_time) {
  const std::string id = str(o.at("id"));
  EXPECT_TRUE(is_uuid_v4(id)) << id;
  EXPECT_TRUE(std::regex_match(str(o.at("patient_id")), std::regex("^DEMO-S0[1-5]-0[0-9]{3}$")))
      << str(o.at("patient_id"));
  EXPECT_TRUE(std::regex_match(str(o.at("device_id")), std::regex("^wear-[0-9]{5}$")));
  TimePoint t;
  EXPECT_TRUE(parse_rfc3339(str(o.at("effective_time")), t));
  EXPECT_EQ(t, expected_time);
  const std::string code = str(o.at("code"));
  if (code == "85354-9") {
    EXPECT_FALSE(o.contains("value"));
    const auto& comps = o.at("components").as_array();
    EXPECT_EQ(comps.size(), 2U);
    EXPECT_EQ(str(comps[0].at("code")), "8480-6");
    EXPECT_EQ(str(comps[1].at("code")), "8462-4");
    for (const auto& c : comps) {
      EXPECT_EQ(str(c.at("unit")), "mm[Hg]");
      EXPECT_GT(c.at("value").to_number<double>(), 30.0);
      EXPECT_LT(c.at("value").to_number<double>(), 250.0);
    }
  } else {
    const double v = o.at("value").to_number<double>();
    const std::string unit = str(o.at("unit"));
    if (code == "8867-4") {
      EXPECT_EQ(unit, "/min");
      EXPECT_TRUE(v >= 30 && v <= 140) << v;
    } else if (code == "2708-6") {
      EXPECT_EQ(unit, "%");
      EXPECT_TRUE(v >= 80 && v <= 100) << v;
    } else if (code == "9279-1") {
      EXPECT_EQ(unit, "/min");
      EXPECT_TRUE(v >= 4 && v <= 30) << v;
    } else if (code == "8310-5") {
      EXPECT_EQ(unit, "Cel");
      EXPECT_TRUE(v >= 34 && v <= 40) << v;
    } else {
      ADD_FAILURE() << "unexpected code " << code;
    }
  }
  return id;
}

TEST(PayloadWriter, ObservationIsValidJsonWithEveryField) {
  ManualClock clock(test_time());
  PayloadWriter w(PatientSpace{}, 42, clock);
  std::string body;
  std::set<std::string> codes;
  for (int i = 0; i < 500; ++i) {
    w.observation(body);
    const json::object o = json::parse(body).as_object();
    check_observation(o, test_time());
    codes.insert(str(o.at("code")));
  }
  // The mix covers every vital sign the generator knows.
  EXPECT_EQ(codes, (std::set<std::string>{"8867-4", "2708-6", "9279-1", "8310-5", "85354-9"}));
}

// Every generated reading passes Vigil's own parser and validator: a benchmark that sends
// refused readings measures 422s, not intake (a diastolic above the systolic once slipped through).
TEST(PayloadWriter, EveryGeneratedObservationPassesTheRealValidator) {
  ManualClock clock(test_time());
  PayloadWriter w(PatientSpace{}, 7, clock);
  std::string body;
  for (int round = 0; round < 1000; ++round) {  // 100,000 readings: rare tails included
    w.observation_batch(body, 100);
    auto parsed = domain::parse_observations(body);
    ASSERT_EQ(parsed.status, domain::ParseStatus::ok) << parsed.message;
    for (auto& item : parsed.items) {
      ASSERT_TRUE(item.errors.empty()) << item.errors.front().path << ": " << item.errors.front().message;
      const auto errors = domain::validate(item.observation, test_time());
      ASSERT_TRUE(errors.empty()) << errors.front().path << ": " << errors.front().message;
    }
  }
}

TEST(PayloadWriter, BatchHoldsDistinctIds) {
  ManualClock clock(test_time());
  PayloadWriter w(PatientSpace{}, 1, clock);
  std::string body;
  w.observation_batch(body, 100);
  const json::value parsed = json::parse(body);
  const auto& list = parsed.at("observations").as_array();
  ASSERT_EQ(list.size(), 100U);
  std::set<std::string> ids;
  for (const auto& o : list) ids.insert(check_observation(o.as_object(), test_time()));
  EXPECT_EQ(ids.size(), 100U);
}

TEST(PayloadWriter, QuestionnaireResponseMatchesTheDemoQuestionnaire) {
  ManualClock clock(test_time());
  PayloadWriter w(PatientSpace{}, 3, clock);
  std::string body;
  for (int i = 0; i < 200; ++i) {
    w.questionnaire_response(body);
    const json::object o = json::parse(body).as_object();
    EXPECT_TRUE(is_uuid_v4(str(o.at("id"))));
    EXPECT_EQ(str(o.at("questionnaire")), "demo-daily");
    EXPECT_EQ(str(o.at("version")), "1");
    TimePoint t;
    EXPECT_TRUE(parse_rfc3339(str(o.at("authored")), t));
    EXPECT_EQ(t, test_time());
    const auto& a = o.at("answers").as_object();
    const auto pain = a.at("pain").as_int64();
    EXPECT_TRUE(pain >= 0 && pain <= 10);
    EXPECT_TRUE(a.at("nausea").is_bool());
    EXPECT_TRUE(a.at("shortness_of_breath").is_bool());
    EXPECT_TRUE(a.at("new_confusion").is_bool());
  }
}

TEST(PayloadWriter, PatientIdsCoverTheConfiguredSpaceOnly) {
  ManualClock clock(test_time());
  PayloadWriter w(PatientSpace{"TRIAL", 2, 3}, 9, clock);
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    std::string id;
    w.append_patient_id(id);
    seen.insert(id);
  }
  EXPECT_EQ(seen, (std::set<std::string>{"TRIAL-S01-0001", "TRIAL-S01-0002", "TRIAL-S01-0003",
                                         "TRIAL-S02-0001", "TRIAL-S02-0002", "TRIAL-S02-0003"}));
  PayloadWriter wide(PatientSpace{"X", 120, 20000}, 9, clock);
  std::string id;
  wide.append_patient_id(id);
  EXPECT_TRUE(std::regex_match(id, std::regex("^X-S[0-9]{3}-[0-9]{5}$"))) << id;
}

TEST(PayloadWriter, SameSeedSameBodiesOtherSeedOtherIds) {
  ManualClock clock(test_time());
  PayloadWriter a(PatientSpace{}, 5, clock);
  PayloadWriter b(PatientSpace{}, 5, clock);
  PayloadWriter c(PatientSpace{}, 6, clock);
  std::string x, y, z;
  a.observation(x);
  b.observation(y);
  c.observation(z);
  EXPECT_EQ(x, y);
  EXPECT_NE(json::parse(x).at("id"), json::parse(z).at("id"));
}

TEST(RequestBuilder, HeadDescribesTheBody) {
  ManualClock clock(test_time());
  RequestBuilder b(Scenario::single, TargetInfo{"example:8080", "/base", "secret"}, PatientSpace{}, 1, clock);
  const Request r = b.next();
  const std::string head(r.head);
  EXPECT_EQ(head.rfind("POST /base/v1/observations HTTP/1.1\r\n", 0), 0U) << head;
  EXPECT_NE(head.find("\r\nHost: example:8080\r\n"), std::string::npos);
  EXPECT_NE(head.find("\r\nContent-Type: application/json\r\n"), std::string::npos);
  EXPECT_NE(head.find("\r\nContent-Length: " + std::to_string(r.body.size()) + "\r\n"), std::string::npos);
  EXPECT_NE(head.find("\r\nAuthorization: Bearer secret\r\n"), std::string::npos);
  EXPECT_TRUE(head.ends_with("\r\n\r\n"));
  EXPECT_EQ(r.observations, 1U);
  EXPECT_FALSE(r.is_read);
}

TEST(RequestBuilder, NoTokenNoAuthorization) {
  ManualClock clock(test_time());
  RequestBuilder b(Scenario::epro, TargetInfo{"h", "", ""}, PatientSpace{}, 1, clock);
  const Request r = b.next();
  EXPECT_EQ(std::string(r.head).rfind("POST /v1/questionnaire-responses HTTP/1.1\r\n", 0), 0U);
  EXPECT_EQ(std::string(r.head).find("Authorization"), std::string::npos);
  EXPECT_EQ(r.observations, 0U);
}

TEST(RequestBuilder, MixedReadsEveryTenthRequest) {
  ManualClock clock(test_time());
  RequestBuilder b(Scenario::mixed, TargetInfo{}, PatientSpace{}, 1, clock);
  int reads = 0;
  for (int i = 0; i < 100; ++i) {
    const Request r = b.next();
    if (r.is_read) {
      ++reads;
      EXPECT_EQ(i % 10, 9);
      EXPECT_EQ(std::string(r.head).rfind("GET /v1/alerts?limit=20 HTTP/1.1\r\n", 0), 0U);
      EXPECT_TRUE(r.body.empty());
    } else {
      EXPECT_EQ(r.observations, 1U);
    }
  }
  EXPECT_EQ(reads, 10);
}

TEST(Scenario, NamesRoundTrip) {
  for (auto s : {Scenario::single, Scenario::batch100, Scenario::epro, Scenario::mixed}) {
    EXPECT_EQ(parse_scenario(scenario_name(s)), s);
  }
  EXPECT_FALSE(parse_scenario("bogus"));
}

}  // namespace
}  // namespace vigil::loadgen
