// The registry management routes over real HTTP: create, read, update and status changes of every
// entity, pagination and filters, strict bodies, and devices' keys. Access control, the audit trail,
// SQL metacharacters and concurrency are in registry_api_access_test.cpp.
#include <algorithm>

#include "api/registry_api_fixture.h"
#include "auth/api_key.h"
#include "config/config.h"

namespace vigil::api::testing {
namespace {

// The configuration accepts rate limits and deadlines for the groups in config::kRouteGroups only
// (a misspelt group stops start-up); every route must therefore belong to one of them. This
// fixture registers every route of the API but the profiles (no profiler), the registry's included.
TEST_F(RegistryApiTest, EveryRouteBelongsToAConfigurableGroup) {
  const auto groups = router_.groups();
  for (const std::string_view expected : {"admin", "health", "intake", "read", "stream"}) {
    EXPECT_NE(std::find(groups.begin(), groups.end(), expected), groups.end()) << expected;
  }
  for (const auto& group : groups) {
    EXPECT_NE(std::find(config::kRouteGroups.begin(), config::kRouteGroups.end(), group), config::kRouteGroups.end())
        << "route group '" << group << "' is not in config::kRouteGroups";
  }
}

// The registry store is the one downstream a request calls: with tracing export on, each store call
// of a sampled request is a CLIENT span of the request's trace, a child of its server span.
TEST_F(RegistryApiTest, EachStoreCallOfASampledRequestIsAClientSpanUnderTheRequestsSpan) {
  seed_trial();
  const std::string trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
  http::TestClient::Headers headers{{"Authorization", "Bearer " + admin_},
                                    {"traceparent", "00-" + trace_id + "-00f067aa0ba902b7-01"}};
  const auto res = client_->request(Verb::get, "/v1/trials/T1", "", headers);
  ASSERT_EQ(res.result_int(), 200) << res.body();
  const std::string answered(res["traceparent"]);  // 00-<trace>-<this request's span>-01
  ASSERT_EQ(answered.size(), 55U) << answered;
  const std::string server_span = answered.substr(36, 16);
  const auto of_this_trace = [&] {
    std::vector<observability::Span> out;
    for (const auto& span : spans_.spans()) {
      if (span.kind == observability::SpanKind::client && span.context.trace_id_hex() == trace_id) {
        out.push_back(span);
      }
    }
    return out;
  };
  const auto client_spans = of_this_trace();
  ASSERT_EQ(client_spans.size(), 1U);
  const auto& span = client_spans.front();
  EXPECT_EQ(span.name, "registry-store read");
  EXPECT_EQ(span.context.trace_id_hex(), trace_id);
  EXPECT_EQ(span.context.parent_span_id_hex(), server_span);
  EXPECT_NE(span.context.span_id_hex(), server_span);
  EXPECT_LE(span.start_unix_nanos, span.end_unix_nanos);
  EXPECT_FALSE(span.error);

  // A trace the caller asked not to record (flags 00) records nothing.
  headers.back().second = "00-" + trace_id + "-00f067aa0ba902b7-00";
  ASSERT_EQ(client_->request(Verb::get, "/v1/trials/T1", "", headers).result_int(), 200);
  EXPECT_EQ(of_this_trace().size(), 1U);
}

TEST_F(RegistryApiTest, TrialsAreCreatedReadUpdatedAndMoveThroughTheirStatuses) {
  auto res = as_admin(Verb::post, "/v1/trials", R"({"id":"T9","name":"Nine","phase":"1/2"})");
  ASSERT_EQ(res.result_int(), 201) << res.body();
  EXPECT_EQ(res[boost::beast::http::field::location], "/v1/trials/T9");
  EXPECT_EQ(object_of(res).at("status").as_string(), "planned");

  res = as_admin(Verb::patch, "/v1/trials/T9", R"json({"name":"Nine (renamed)","phase":"2"})json");
  ASSERT_EQ(res.result_int(), 200) << res.body();
  res = as_admin(Verb::get, "/v1/trials/T9");
  ASSERT_EQ(res.result_int(), 200);
  EXPECT_EQ(object_of(res).at("name").as_string(), "Nine (renamed)");
  EXPECT_EQ(object_of(res).at("phase").as_string(), "2");

  res = as_admin(Verb::post, "/v1/trials/T9/status", R"({"status":"recruiting","reason":"ethics approval"})");
  ASSERT_EQ(res.result_int(), 200) << res.body();
  EXPECT_EQ(object_of(res).at("status").as_string(), "recruiting");

  res = as_admin(Verb::post, "/v1/trials/T9/status", R"({"status":"completed","reason":"too early"})");
  ASSERT_EQ(res.result_int(), 409) << res.body();
  EXPECT_EQ(object_of(res).at("type").as_string(), "/problems/invalid-transition");
  EXPECT_EQ(object_of(res).at("from").as_string(), "recruiting");
  EXPECT_EQ(object_of(res).at("to").as_string(), "completed");
  EXPECT_EQ(object_of(as_admin(Verb::get, "/v1/trials/T9")).at("status").as_string(), "recruiting");

  res = as_admin(Verb::post, "/v1/trials/T9/status", R"({"status":"active"})");
  ASSERT_EQ(res.result_int(), 422);
  EXPECT_EQ(error_paths(res), std::vector<std::string>{"reason"});

  EXPECT_EQ(as_admin(Verb::post, "/v1/trials", R"({"id":"T9","name":"Again","phase":"2"})").result_int(),
            409);
  EXPECT_EQ(as_admin(Verb::get, "/v1/trials/NOPE").result_int(), 404);
  EXPECT_EQ(as_admin(Verb::patch, "/v1/trials/NOPE", R"({"name":"x"})").result_int(), 404);
  res = as_admin(Verb::get, "/v1/trials");
  ASSERT_EQ(res.result_int(), 200);
  EXPECT_EQ(object_of(res).at("trials").as_array().size(), 1U);
  EXPECT_TRUE(object_of(res).at("next_cursor").is_null());
}

TEST_F(RegistryApiTest, BodiesAreStrictAndEveryProblemHasItsPath) {
  auto res = as_admin(Verb::post, "/v1/trials",
                      R"({"id":"T2","name":42,"phase":"7","colour":"red","sizes":[1],"status":"open"})");
  ASSERT_EQ(res.result_int(), 422) << res.body();
  auto paths = error_paths(res);
  std::sort(paths.begin(), paths.end());
  EXPECT_EQ(paths, (std::vector<std::string>{"colour", "name", "phase", "sizes", "status"}));

  res = as_admin(Verb::post, "/v1/trials",
                 fmt::format(R"({{"id":"T2","name":"{}","phase":"2"}})", std::string(257, 'n')));
  ASSERT_EQ(res.result_int(), 422);
  EXPECT_EQ(error_paths(res), std::vector<std::string>{"name"});
  res = as_admin(Verb::post, "/v1/trials", "not json");
  EXPECT_EQ(res.result_int(), 400);
  res = as_admin(Verb::post, "/v1/trials", "[1,2]");
  EXPECT_EQ(res.result_int(), 400);
  res = call(*client_, Verb::post, "/v1/trials", "{}", admin_);
  ASSERT_EQ(res.result_int(), 422);
  EXPECT_EQ(error_paths(res), (std::vector<std::string>{"id", "name", "phase"}));
  res = as_admin(Verb::get, "/v1/trials?colour=red");
  EXPECT_EQ(res.result_int(), 400);
  EXPECT_EQ(as_admin(Verb::get, "/v1/trials").body(), R"({"trials":[],"next_cursor":null})");
}

TEST_F(RegistryApiTest, SitesBelongToTheirTrialForLife) {
  seed_trial();
  auto res = as_admin(Verb::get, "/v1/trials/T1/sites");
  ASSERT_EQ(res.result_int(), 200);
  ASSERT_EQ(object_of(res).at("sites").as_array().size(), 2U);
  res = as_admin(Verb::patch, "/v1/sites/S02", R"({"name":"Lyon Sud","trial_id":"T2"})");
  ASSERT_EQ(res.result_int(), 422);
  EXPECT_EQ(error_paths(res), std::vector<std::string>{"trial_id"});
  res = as_admin(Verb::patch, "/v1/sites/S02", R"({"name":"Lyon Sud","country":"fr"})");
  ASSERT_EQ(res.result_int(), 422);
  EXPECT_EQ(error_paths(res), std::vector<std::string>{"country"});
  res = as_admin(Verb::patch, "/v1/sites/S02", R"({"name":"Lyon Sud"})");
  ASSERT_EQ(res.result_int(), 200) << res.body();
  res = as_admin(Verb::get, "/v1/sites/S02");
  EXPECT_EQ(object_of(res).at("name").as_string(), "Lyon Sud");
  EXPECT_EQ(object_of(res).at("country").as_string(), "FR");
  EXPECT_EQ(
      as_admin(Verb::post, "/v1/trials/NOPE/sites",
               R"({"id":"S09","name":"X","country":"GB","timezone":"UTC","principal_investigator":"Y"})")
          .result_int(),
      404);
}

TEST_F(RegistryApiTest, PatientsAreListedByFilterAcrossPages) {
  seed_trial();
  for (int i = 0; i < 5; ++i) add_patient(fmt::format("P-1-{}", i), "S01");
  for (int i = 0; i < 3; ++i) add_patient(fmt::format("P-2-{}", i), "S02");
  ASSERT_EQ(as_admin(Verb::post, "/v1/patients/P-1-0/enrol", R"({"arm":"A"})").result_int(), 200);

  std::vector<std::string> seen;
  std::string target = "/v1/patients?site=S01&limit=2";
  for (int pages = 0; pages < 10; ++pages) {
    const auto res = as_admin(Verb::get, target);
    ASSERT_EQ(res.result_int(), 200) << res.body();
    const auto body = object_of(res);
    for (const auto& p : body.at("patients").as_array()) seen.emplace_back(p.at("id").as_string());
    if (body.at("next_cursor").is_null()) break;
    target = "/v1/patients?site=S01&limit=2&cursor=" + std::string(body.at("next_cursor").as_string());
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"P-1-0", "P-1-1", "P-1-2", "P-1-3", "P-1-4"}));

  auto res = as_admin(Verb::get, "/v1/patients?trial=T1&status=enrolled");
  ASSERT_EQ(object_of(res).at("patients").as_array().size(), 1U);
  EXPECT_EQ(object_of(res).at("patients").as_array()[0].at("arm").as_string(), "A");
  res = as_admin(Verb::get, "/v1/patients?status=screened&limit=1000");
  EXPECT_EQ(object_of(res).at("patients").as_array().size(), 7U);
  EXPECT_EQ(as_admin(Verb::get, "/v1/patients?status=happy").result_int(), 400);
  EXPECT_EQ(as_admin(Verb::get, "/v1/patients?limit=0").result_int(), 400);
}

TEST_F(RegistryApiTest, PatientStatusChangesFollowTheRulesAndRefusalsSayFromAndTo) {
  seed_trial();
  add_patient("P1", "S01");
  auto res = as_admin(Verb::post, "/v1/patients/P1/complete", R"({"reason":"finished"})");
  ASSERT_EQ(res.result_int(), 409) << res.body();
  EXPECT_EQ(object_of(res).at("from").as_string(), "screened");
  EXPECT_EQ(object_of(res).at("to").as_string(), "completed");

  res = as_admin(Verb::post, "/v1/patients/P1/enrol", R"({"arm":"B","enrolled_at":"2026-11-20T09:00:00Z"})");
  ASSERT_EQ(res.result_int(), 200) << res.body();
  EXPECT_EQ(object_of(res).at("status").as_string(), "enrolled");
  EXPECT_EQ(object_of(res).at("enrolled_at").as_string(), "2026-11-20T09:00:00.000Z");
  EXPECT_EQ(as_admin(Verb::post, "/v1/patients/P1/withdraw", "{}").result_int(), 422);  // reason required
  res = as_admin(Verb::post, "/v1/patients/P1/withdraw", R"({"reason":"moved abroad"})");
  ASSERT_EQ(res.result_int(), 200) << res.body();
  res = as_admin(Verb::post, "/v1/patients/P1/enrol", R"({"arm":"B"})");
  ASSERT_EQ(res.result_int(), 409);
  EXPECT_EQ(object_of(res).at("from").as_string(), "withdrawn");
  EXPECT_EQ(as_admin(Verb::post, "/v1/patients/NOPE/enrol", R"({"arm":"B"})").result_int(), 404);

  res = as_admin(Verb::patch, "/v1/patients/P1/settings", R"({"spo2_scale":2})");
  ASSERT_EQ(res.result_int(), 200) << res.body();
  EXPECT_EQ(object_of(res).at("settings").at("spo2_scale").as_int64(), 2);
  res = as_admin(Verb::patch, "/v1/patients/P1/settings", R"({"spo2_scale":3})");
  ASSERT_EQ(res.result_int(), 422);
  EXPECT_EQ(error_paths(res), std::vector<std::string>{"spo2_scale"});
}

TEST_F(RegistryApiTest, IdentitiesAreOnlyEverShownMasked) {
  seed_trial();
  add_patient("P1", "S01");
  EXPECT_TRUE(object_of(as_admin(Verb::get, "/v1/patients/P1")).at("identity").is_null());
  auto res = as_admin(Verb::put, "/v1/patients/P1/identity",
                      R"({"name":"Margaret Thompson","national_id":"3201199001011230001X"})");
  ASSERT_EQ(res.result_int(), 200) << res.body();
  EXPECT_EQ(res.body().find("Margaret Thompson"), std::string::npos);
  EXPECT_EQ(object_of(res).at("identity").at("national_id").as_string(), "3201************001X");
  res = call(*client_, Verb::get, "/v1/patients/P1", "", investigator_);
  ASSERT_EQ(res.result_int(), 200);
  EXPECT_EQ(res.body().find("3201199001011230001X"), std::string::npos);
  EXPECT_EQ(object_of(res).at("identity").at("name").as_string(), "Marg*********pson");
  EXPECT_EQ(call(*client_, Verb::put, "/v1/patients/P1/identity", R"({"name":"X Y Z","national_id":"1"})",
                 investigator_)
                .result_int(),
            403);
}

TEST_F(RegistryApiTest, ADeviceKeyIsShownOnceAndOnlyItsHashIsKept) {
  seed_trial();
  add_patient("P1", "S01");
  auto res =
      as_admin(Verb::post, "/v1/devices", R"({"serial":"OX-1","type":"pulse-oximeter","patient_id":"P1"})");
  ASSERT_EQ(res.result_int(), 201) << res.body();
  const std::string key(object_of(res).at("api_key").as_string());
  EXPECT_TRUE(auth::looks_like_api_key(key));
  const auto stored = store_.find_device_by_key_hash(auth::hash_api_key(key));
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->serial, "OX-1");

  for (const auto* target : {"/v1/devices/OX-1", "/v1/devices", "/v1/devices?patient=P1"}) {
    res = as_admin(Verb::get, target);
    ASSERT_EQ(res.result_int(), 200) << target;
    EXPECT_EQ(res.body().find(key), std::string::npos) << target;
    EXPECT_EQ(res.body().find(stored->api_key_hash), std::string::npos) << target;
    EXPECT_EQ(res.body().find("api_key"), std::string::npos) << target;
  }
  res = as_admin(Verb::post, "/v1/devices/OX-1/bind", R"({"patient_id":null})");
  ASSERT_EQ(res.result_int(), 200) << res.body();
  EXPECT_TRUE(object_of(res).at("patient_id").is_null());
  EXPECT_EQ(as_admin(Verb::post, "/v1/devices/OX-1/bind", "{}").result_int(), 422);
  res = as_admin(Verb::post, "/v1/devices/OX-1/revoke", R"({"reason":"lost"})");
  ASSERT_EQ(res.result_int(), 200) << res.body();
  EXPECT_TRUE(object_of(res).at("revoked").as_bool());
  res = as_admin(Verb::post, "/v1/devices/OX-1/revoke", "");
  ASSERT_EQ(res.result_int(), 409);
  EXPECT_EQ(object_of(res).at("from").as_string(), "revoked");
  EXPECT_EQ(as_admin(Verb::post, "/v1/devices/OX-1/bind", R"({"patient_id":"P1"})").result_int(), 409);
  EXPECT_EQ(as_admin(Verb::get, "/v1/devices/OX-2").result_int(), 404);
}

TEST_F(RegistryApiTest, UsersAreCreatedReplacedAndDeleted) {
  seed_trial();
  auto res =
      as_admin(Verb::post, "/v1/users",
               R"({"subject":"dr-s01","display_name":"Dr S","role":"investigator","site_ids":["S01"]})");
  ASSERT_EQ(res.result_int(), 201) << res.body();
  res = as_admin(Verb::put, "/v1/users/dr-s01",
                 R"({"display_name":"Dr S","role":"cra","site_ids":["S01","S02"]})");
  ASSERT_EQ(res.result_int(), 200) << res.body();
  res = as_admin(Verb::get, "/v1/users/dr-s01");
  EXPECT_EQ(object_of(res).at("role").as_string(), "cra");
  EXPECT_EQ(object_of(res).at("site_ids").as_array().size(), 2U);
  EXPECT_EQ(object_of(as_admin(Verb::get, "/v1/users?site=S02")).at("users").as_array().size(), 1U);
  res = as_admin(Verb::put, "/v1/users/dr-s01", R"({"display_name":"Dr S","role":"boss","site_ids":[""]})");
  ASSERT_EQ(res.result_int(), 422);
  EXPECT_EQ(error_paths(res), (std::vector<std::string>{"role", "site_ids[0]"}));
  EXPECT_EQ(as_admin(Verb::delete_, "/v1/users/dr-s01").result_int(), 204);
  EXPECT_EQ(as_admin(Verb::get, "/v1/users/dr-s01").result_int(), 404);
  EXPECT_EQ(as_admin(Verb::delete_, "/v1/users/dr-s01").result_int(), 404);
}

TEST_F(RegistryApiTest, ProtocolsAreValidatedAndVersioned) {
  seed_trial();
  const std::string good =
      "version: 1\nthresholds:\n  - {code: 8867-4, low: 40, high: 130, severity: high}\n";
  json::object body{{"document", good}, {"reason", "initial"}};
  auto res = as_admin(Verb::post, "/v1/trials/T1/protocols", json::serialize(body));
  ASSERT_EQ(res.result_int(), 201) << res.body();
  EXPECT_EQ(object_of(res).at("version").as_int64(), 1);
  EXPECT_EQ(object_of(res).at("author").as_string(), "alice-admin");

  body["document"] = "version: 1\nthresholds:\n  - {code: 8867-5, low: 40, high: 130, severity: high}\n";
  res = as_admin(Verb::post, "/v1/trials/T1/protocols", json::serialize(body));
  ASSERT_EQ(res.result_int(), 422) << res.body();
  EXPECT_EQ(object_of(res).at("type").as_string(), "/problems/invalid-protocol");
  EXPECT_EQ(object_of(res).at("line").as_int64(), 3);
  EXPECT_NE(object_of(res).at("detail").as_string().find("document:3:"), std::string::npos);
  body["document"] = "version: [1\n";
  EXPECT_EQ(as_admin(Verb::post, "/v1/trials/T1/protocols", json::serialize(body)).result_int(), 422);

  body["document"] = good + "missing_data_gap: 12h\n";
  ASSERT_EQ(as_admin(Verb::post, "/v1/trials/T1/protocols", json::serialize(body)).result_int(), 201);
  res = as_admin(Verb::get, "/v1/trials/T1/protocols");
  ASSERT_EQ(res.result_int(), 200);
  const auto list = object_of(res).at("protocols").as_array();
  ASSERT_EQ(list.size(), 2U);
  EXPECT_FALSE(list[1].as_object().contains("document"));
  res = as_admin(Verb::get, "/v1/trials/T1/protocols/2");
  ASSERT_EQ(res.result_int(), 200);
  EXPECT_EQ(object_of(res).at("document").as_string(), good + "missing_data_gap: 12h\n");
  EXPECT_EQ(as_admin(Verb::get, "/v1/trials/T1/protocols/3").result_int(), 404);
  EXPECT_EQ(as_admin(Verb::get, "/v1/trials/T1/protocols/x").result_int(), 404);
}

}  // namespace
}  // namespace vigil::api::testing
