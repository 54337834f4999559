// The registry management routes over real HTTP: who may do what (401 vs 403), the audit trail
// they leave, SQL metacharacters, refused writes changing nothing, and concurrent enrolments.
#include <atomic>
#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <thread>

#include "api/registry_api_fixture.h"

namespace vigil::api::testing {
namespace {

TEST_F(RegistryApiTest, NoTokenIs401AndTheWrongRoleOrSiteIs403) {
  seed_trial();
  add_patient("P1", "S01");
  add_patient("P2", "S02");
  auto& c = *client_;
  EXPECT_EQ(call(c, Verb::get, "/v1/trials", "", "").result_int(), 401);
  EXPECT_EQ(call(c, Verb::post, "/v1/trials", R"({"id":"T2","name":"x","phase":"2"})", "").result_int(), 401);
  EXPECT_EQ(call(c, Verb::get, "/v1/patients/P1", "", "not-a-token").result_int(), 401);

  // Writes are for admins only.
  for (const auto* who : {&investigator_, &cra_, &data_manager_, &device_}) {
    EXPECT_EQ(call(c, Verb::post, "/v1/trials", R"({"id":"T2","name":"x","phase":"2"})", *who).result_int(),
              403);
    EXPECT_EQ(call(c, Verb::post, "/v1/patients/P1/enrol", R"({"arm":"A"})", *who).result_int(), 403);
  }
  // Site staff read their own site's patients only.
  EXPECT_EQ(call(c, Verb::get, "/v1/patients/P1", "", investigator_).result_int(), 200);
  EXPECT_EQ(call(c, Verb::get, "/v1/patients/P2", "", investigator_).result_int(), 403);
  EXPECT_EQ(call(c, Verb::get, "/v1/sites/S02", "", cra_).result_int(), 403);
  EXPECT_EQ(call(c, Verb::get, "/v1/patients?site=S02", "", investigator_).result_int(), 403);
  auto res = call(c, Verb::get, "/v1/patients", "", investigator_);  // their one site is implied
  ASSERT_EQ(res.result_int(), 200) << res.body();
  ASSERT_EQ(object_of(res).at("patients").as_array().size(), 1U);
  EXPECT_EQ(object_of(res).at("patients").as_array()[0].at("id").as_string(), "P1");
  // A site-staff token that carries no site reads no site's patients (403, not a query error).
  res = call(c, Verb::get, "/v1/patients", "", token("dr-nowhere", "investigator"));
  EXPECT_EQ(res.result_int(), 403) << res.body();
  EXPECT_EQ(object_of(res).at("type").as_string(), "/problems/forbidden");
  res = call(c, Verb::get, "/v1/trials/T1/sites", "", investigator_);
  ASSERT_EQ(res.result_int(), 200);
  EXPECT_EQ(object_of(res).at("sites").as_array().size(), 1U);
  EXPECT_EQ(call(c, Verb::get, "/v1/trials/T1", "", investigator_).result_int(), 200);
  EXPECT_EQ(call(c, Verb::get, "/v1/trials/T1/counts", "", investigator_).result_int(), 403);
  EXPECT_EQ(object_of(call(c, Verb::get, "/v1/trials", "", investigator_)).at("trials").as_array().size(),
            1U);
  // Data managers read everything; devices nothing.
  EXPECT_EQ(call(c, Verb::get, "/v1/patients/P2", "", data_manager_).result_int(), 200);
  EXPECT_EQ(call(c, Verb::get, "/v1/trials/T1/counts", "", data_manager_).result_int(), 200);
  EXPECT_EQ(call(c, Verb::get, "/v1/devices", "", data_manager_).result_int(), 200);
  for (const auto* target : {"/v1/trials", "/v1/trials/T1", "/v1/patients/P1", "/v1/sites/S01", "/v1/devices",
                             "/v1/users", "/v1/audit"}) {
    EXPECT_EQ(call(c, Verb::get, target, "", device_).result_int(), 403) << target;
  }
  // The audit trail: admins and CRAs.
  EXPECT_EQ(call(c, Verb::get, "/v1/audit", "", cra_).result_int(), 200);
  EXPECT_EQ(call(c, Verb::get, "/v1/audit", "", investigator_).result_int(), 403);
  EXPECT_EQ(call(c, Verb::get, "/v1/users", "", investigator_).result_int(), 403);
}

TEST_F(RegistryApiTest, TheAuditTrailNamesTheTokenSubjectAndTheReason) {
  seed_trial();
  add_patient("P1", "S01");
  ASSERT_EQ(
      as_admin(Verb::post, "/v1/patients/P1/withdraw", R"({"reason":"consent withdrawn"})").result_int(),
      200);
  auto res = as_admin(Verb::get, "/v1/audit?entity_type=patient&entity_id=P1");
  ASSERT_EQ(res.result_int(), 200) << res.body();
  const auto records = object_of(res).at("records").as_array();
  ASSERT_EQ(records.size(), 2U);
  EXPECT_EQ(records[0].at("action").as_string(), "patient.create");
  EXPECT_EQ(records[1].at("actor").as_string(), "alice-admin");
  EXPECT_EQ(records[1].at("reason").as_string(), "consent withdrawn");
  EXPECT_EQ(records[1].at("old_value").at("status").as_string(), "screened");
  EXPECT_EQ(records[1].at("new_value").at("status").as_string(), "withdrawn");
  EXPECT_EQ(records[1].at("prev_hash").as_string(), records[0].at("hash").as_string());

  // Paged in seq order.
  res = as_admin(Verb::get, "/v1/audit?limit=2");
  const auto first = object_of(res);
  ASSERT_EQ(first.at("records").as_array().size(), 2U);
  res = as_admin(Verb::get, "/v1/audit?limit=2&cursor=" + std::string(first.at("next_cursor").as_string()));
  EXPECT_EQ(object_of(res).at("records").as_array()[0].at("seq").as_int64(), 3);
  EXPECT_EQ(as_admin(Verb::get, "/v1/audit?cursor=abc").result_int(), 400);
}

TEST_F(RegistryApiTest, SqlMetacharactersRoundTripInEveryStringField) {
  const std::string evil = R"(x'); DROP TABLE trials; -- "%_\ ;*/ ñ)";
  const std::string trial_id = "T'1\"; DELETE FROM patients; --";
  json::object trial{
      {"id", trial_id}, {"name", evil}, {"phase", "3"}, {"status", "recruiting"}, {"reason", evil}};
  auto res = as_admin(Verb::post, "/v1/trials", json::serialize(trial));
  ASSERT_EQ(res.result_int(), 201) << res.body();
  const std::string trial_path = res[boost::beast::http::field::location];
  res = as_admin(Verb::get, trial_path);
  ASSERT_EQ(res.result_int(), 200) << trial_path;
  EXPECT_EQ(object_of(res).at("id").as_string(), trial_id);
  EXPECT_EQ(object_of(res).at("name").as_string(), evil);

  json::object site{{"id", "S'01"},
                    {"name", evil},
                    {"country", "GB"},
                    {"timezone", evil},
                    {"principal_investigator", evil}};
  ASSERT_EQ(as_admin(Verb::post, trial_path + "/sites", json::serialize(site)).result_int(), 201);
  json::object patient{{"id", "P%' OR '1'='1"}, {"trial_id", trial_id}, {"site_id", "S'01"}, {"arm", evil}};
  res = as_admin(Verb::post, "/v1/patients", json::serialize(patient));
  ASSERT_EQ(res.result_int(), 201) << res.body();
  res = as_admin(Verb::get, res[boost::beast::http::field::location]);
  ASSERT_EQ(res.result_int(), 200);
  EXPECT_EQ(object_of(res).at("arm").as_string(), evil);
  EXPECT_EQ(object_of(res).at("site_id").as_string(), "S'01");

  json::object user{
      {"subject", evil}, {"display_name", evil}, {"role", "cra"}, {"site_ids", json::array{"S'01"}}};
  res = as_admin(Verb::post, "/v1/users", json::serialize(user));
  ASSERT_EQ(res.result_int(), 201) << res.body();
  res = as_admin(Verb::get, res[boost::beast::http::field::location]);
  ASSERT_EQ(res.result_int(), 200);
  EXPECT_EQ(object_of(res).at("display_name").as_string(), evil);
  json::object device{{"serial", evil}, {"type", evil}};
  res = as_admin(Verb::post, "/v1/devices", json::serialize(device));
  ASSERT_EQ(res.result_int(), 201) << res.body();
  EXPECT_EQ(object_of(as_admin(Verb::get, res[boost::beast::http::field::location])).at("type").as_string(),
            evil);

  // Only the one patient matches, the audit holds the reason as sent, and the tables are all there.
  res = as_admin(Verb::get, "/v1/patients?trial=" +
                                std::string(boost::urls::encode(trial_id, boost::urls::unreserved_chars)));
  ASSERT_EQ(res.result_int(), 200) << res.body();
  EXPECT_EQ(object_of(res).at("patients").as_array().size(), 1U);
  res = as_admin(Verb::get, "/v1/audit?entity_type=trial");
  EXPECT_EQ(object_of(res).at("records").as_array()[0].at("reason").as_string(), evil);
  EXPECT_EQ(object_of(as_admin(Verb::get, "/v1/trials")).at("trials").as_array().size(), 1U);
}

TEST_F(RegistryApiTest, RefusedWritesChangeNothing) {
  seed_trial();
  add_patient("P1", "S01");
  const auto before = audit_size();
  const auto body_before = as_admin(Verb::get, "/v1/patients/P1").body();
  EXPECT_EQ(as_admin(Verb::post, "/v1/patients/P1/complete", R"({"reason":"x"})").result_int(), 409);
  EXPECT_EQ(as_admin(Verb::post, "/v1/patients/P1/enrol", R"({"arm":"A","extra":1})").result_int(), 422);
  EXPECT_EQ(call(*client_, Verb::post, "/v1/patients/P1/enrol", R"({"arm":"A"})", investigator_).result_int(),
            403);
  EXPECT_EQ(
      as_admin(Verb::post, "/v1/patients", R"({"id":"P1","trial_id":"T1","site_id":"S01"})").result_int(),
      409);
  EXPECT_EQ(
      as_admin(Verb::post, "/v1/patients", R"({"id":"P9","trial_id":"T1","site_id":"S77"})").result_int(),
      404);
  EXPECT_EQ(as_admin(Verb::patch, "/v1/patients/P1/settings", R"({"spo2_scale":"2"})").result_int(), 422);
  EXPECT_EQ(as_admin(Verb::put, "/v1/patients/P1/identity", R"({"name":"A B"})").result_int(), 422);
  EXPECT_EQ(as_admin(Verb::post, "/v1/trials/T1/status", R"({"status":"planned","reason":"x"})").result_int(),
            409);
  EXPECT_EQ(audit_size(), before);
  EXPECT_EQ(as_admin(Verb::get, "/v1/patients/P1").body(), body_before);
}

TEST_F(RegistryApiTest, ManyParallelEnrolmentsKeepCountsConsistent) {
  seed_trial();
  constexpr int kThreads = 8;
  constexpr int kPerThread = 25;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      http::TestClient client(server_->port());
      for (int i = 0; i < kPerThread; ++i) {
        const auto id = fmt::format("P-{}-{:02}", t, i);
        const auto site = (t + i) % 2 == 0 ? "S01" : "S02";
        auto res = call(client, Verb::post, "/v1/patients",
                        fmt::format(R"({{"id":"{}","trial_id":"T1","site_id":"{}"}})", id, site), admin_);
        if (res.result_int() != 201) ++failures;
        res = call(client, Verb::post, "/v1/patients/" + id + "/enrol", R"({"arm":"A"})", admin_);
        if (res.result_int() != 200) ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_EQ(failures.load(), 0);

  auto res = as_admin(Verb::get, "/v1/trials/T1/counts");
  ASSERT_EQ(res.result_int(), 200) << res.body();
  const auto counts = object_of(res);
  EXPECT_EQ(counts.at("enrolled").as_int64(), kThreads * kPerThread);
  EXPECT_EQ(counts.at("screened").as_int64(), 0);
  std::int64_t by_site = 0;
  for (const auto& s : counts.at("sites").as_array()) {
    const auto site = std::string(s.at("site_id").as_string());
    const auto listed =
        object_of(as_admin(Verb::get, "/v1/patients?site=" + site + "&status=enrolled&limit=1000"));
    EXPECT_EQ(static_cast<std::int64_t>(listed.at("patients").as_array().size()), s.at("enrolled").as_int64())
        << site;
    by_site += s.at("enrolled").as_int64();
  }
  EXPECT_EQ(by_site, kThreads * kPerThread);
}

}  // namespace
}  // namespace vigil::api::testing
