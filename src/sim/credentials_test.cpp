// Credentials: the request builder, header checks, and run() against a stand-in that enforces
// per-patient device keys and a staff token on the alert stream (recording_server.h).
#include <gtest/gtest.h>

#include <future>
#include <map>
#include <stdexcept>

#include "sim/recording_server.h"
#include "sim/simulator.h"
#include "sim/test_support.h"
#include "sim/traffic.h"

namespace vigil::sim {
namespace {

using testing::run_bounded;

namespace http = boost::beast::http;
using std::chrono::milliseconds;

constexpr const char* kStaff = "Bearer staff-token";

std::string key_for(const std::string& patient) {
  return "vk_" + patient;
}
// One patient in ten (ids ending in 7) is given a key the server does not accept.
bool gets_a_wrong_key(std::string_view patient) {
  return patient.back() == '7';
}

SimOptions options_for(const testing::RecordingServer& server) {
  SimOptions o;
  o.url = server.url();
  o.out = nullptr;
  o.rate = 4000;
  o.duration = std::chrono::seconds(30);  // a bound only: the tests stop on a condition
  o.subscribe_timeout = milliseconds(5'000);
  o.drain_timeout = milliseconds(20'000);
  o.settle_timeout = milliseconds(0);
  o.staff_headers = {{"Authorization", kStaff}};
  o.device_credential = [](std::string_view patient) {
    return Header{"X-API-Key", gets_a_wrong_key(patient) ? "vk_wrong" : key_for(std::string(patient))};
  };
  return o;
}

TEST(JsonPost, CarriesTheCredentialAndTheBody) {
  const auto req = json_post("/p/v1/observations", "h:1", {"X-API-Key", "vk_abc"}, R"({"observations":[]})");
  EXPECT_EQ(req.method(), http::verb::post);
  EXPECT_EQ(req.target(), "/p/v1/observations");
  EXPECT_EQ(req[http::field::host], "h:1");
  EXPECT_EQ(req["X-API-Key"], "vk_abc");
  EXPECT_EQ(req[http::field::content_type], "application/json");
  EXPECT_EQ(req[http::field::content_length], "19");
  EXPECT_EQ(req.body(), R"({"observations":[]})");
  EXPECT_TRUE(req.keep_alive());

  const auto bare = json_post("/v1/observations", "h", Header{}, "{}");
  EXPECT_EQ(bare.find("X-API-Key"), bare.end());
  EXPECT_EQ(bare.find(http::field::authorization), bare.end());
}

TEST(CheckHeader, AcceptsCredentialsAndRejectsWhatCouldSplitARequest) {
  EXPECT_EQ(check_header({"X-API-Key", "vk_abc-_0"}), "");
  EXPECT_EQ(check_header({"Authorization", "Bearer a.b.c"}), "");
  EXPECT_NE(check_header({"", "v"}), "");
  EXPECT_NE(check_header({"X API", "v"}), "");
  EXPECT_NE(check_header({"X-Key:", "v"}), "");
  EXPECT_NE(check_header({"X-API-Key", "vk\r\nX-Evil: 1"}), "");
  EXPECT_NE(check_header({"X-API-Key", std::string("vk\0x", 4)}), "");
  EXPECT_NE(check_header({"X-API-Key", " vk"}), "");
}

TEST(SimulatorCredentials, EveryRequestHoldsOnePatientAndCarriesThatPatientsKey) {
  testing::RecordingServer server(key_for, kStaff);
  SimHooks hooks;
  // Enough of both kinds of answer; one in ten patients has a wrong key.
  hooks.stop_requested = [&] {
    const auto [ok, refused] = server.observation_answers();
    return ok >= 40 && refused >= 3;
  };
  const SimSummary s = run_bounded(options_for(server), hooks);
  ASSERT_TRUE(s.error.empty()) << s.error;
  EXPECT_TRUE(s.warnings.empty()) << s.warnings.front();

  const auto streams = server.stream_authorizations();
  ASSERT_FALSE(streams.empty());
  for (const auto& a : streams) EXPECT_EQ(a, kStaff);

  std::uint64_t accepted = 0;
  std::uint64_t refused = 0;
  std::uint64_t diaries_accepted = 0;
  std::map<std::string, std::size_t> requests_by_patient;
  for (const auto& post : server.posts()) {
    ASSERT_FALSE(post.patients.empty()) << post.target;
    const std::string& patient = post.patients.front();
    for (const auto& p : post.patients) ASSERT_EQ(p, patient) << "a body mixes patients";
    ++requests_by_patient[patient];
    const bool right_key = !gets_a_wrong_key(patient);
    EXPECT_EQ(post.api_key, right_key ? key_for(patient) : "vk_wrong");
    EXPECT_EQ(post.status, right_key ? 202U : 403U);
    if (post.target == "/v1/observations") {
      EXPECT_LE(post.patients.size(), 100U);
      EXPECT_EQ(post.patients.size() % kObservationsPerSet, 0U);
      (right_key ? accepted : refused) += post.patients.size();
    } else {
      EXPECT_EQ(post.target, "/v1/questionnaire-responses");
      EXPECT_EQ(post.patients.size(), 1U);
      diaries_accepted += right_key ? 1 : 0;
    }
  }
  EXPECT_GT(requests_by_patient.size(), 1U);
  EXPECT_GT(refused, 0U);
  // The summary's accounts match what the server saw, and balance.
  EXPECT_EQ(s.observations_acked, accepted);
  EXPECT_EQ(s.observations_refused, refused);
  EXPECT_EQ(s.observations_abandoned, 0U);
  EXPECT_EQ(s.observations_generated, accepted + refused);
  EXPECT_EQ(s.observations_sent, accepted + refused);
  EXPECT_EQ(s.responses_acked, diaries_accepted);
  EXPECT_GT(s.requests_refused, 0U);
  ASSERT_FALSE(s.refusals.empty());
  EXPECT_EQ(s.refusals.front().rfind("403", 0), 0U) << s.refusals.front();
}

TEST(SimulatorCredentials, ARefusedAlertStreamIsReportedWithItsStatus) {
  testing::RecordingServer server(key_for, "Bearer someone-else");
  SimOptions o = options_for(server);
  o.subscribe_timeout = milliseconds(300);
  SimHooks hooks;
  hooks.stop_requested = [&] { return server.observation_answers().first >= 1; };
  const SimSummary s = run_bounded(o, hooks);
  ASSERT_TRUE(s.error.empty()) << s.error;
  ASSERT_FALSE(s.warnings.empty());
  EXPECT_NE(s.warnings.front().find("answered 401 (check the staff credentials)"), std::string::npos)
      << s.warnings.front();
  ASSERT_FALSE(server.stream_authorizations().empty());
  EXPECT_EQ(server.stream_authorizations().front(), kStaff);
}

TEST(SimulatorCredentials, AnUnusableCredentialStopsTheRunBeforeItSends) {
  testing::RecordingServer server(key_for, kStaff);
  SimOptions o = options_for(server);
  o.device_credential = [](std::string_view patient) {
    if (patient == "DEMO-S02-0001") throw std::runtime_error("no device enrolled");
    return Header{"X-API-Key", key_for(std::string(patient))};
  };
  SimSummary s = run_bounded(o);
  EXPECT_EQ(s.error, "device credential of patient DEMO-S02-0001: no device enrolled");

  o.device_credential = [](std::string_view) { return Header{"X-API-Key", "vk\nX-Other: 1"}; };
  s = run_bounded(o);
  EXPECT_EQ(s.error.rfind("device credential of patient DEMO-", 0), 0U) << s.error;
  EXPECT_NE(s.error.find("control character"), std::string::npos) << s.error;

  o = options_for(server);
  o.staff_headers = {{"Authorization", "Bearer x\r\n"}};
  s = run_bounded(o);
  EXPECT_NE(s.error.find("staff headers: "), std::string::npos) << s.error;
  EXPECT_TRUE(server.posts().empty());
  EXPECT_TRUE(server.stream_authorizations().empty());
}

}  // namespace
}  // namespace vigil::sim
