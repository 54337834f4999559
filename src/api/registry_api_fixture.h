#pragma once
// Test fixture for the registry management routes: the whole API over real HTTP (port 0) behind the
// real request-id and authentication links (HS256 tokens), on a real SqliteRegistryStore in a
// temporary directory. Test-only.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <boost/asio/thread_pool.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <filesystem>
#include <memory>
#include <random>
#include <mutex>
#include <string>

#include "alerts/alert_service.h"
#include "api/api.h"
#include "auth/jwt.h"
#include "http/middleware.h"
#include "http/server.h"
#include "http/test_client.h"
#include "log/sqlite_log.h"
#include "middleware/authentication.h"
#include "middleware/refusal.h"
#include "middleware/request_id.h"
#include "observability/metrics.h"
#include "observability/recording_span_sink.h"
#include "registry/protocol_file.h"
#include "store/sqlite_registry_store.h"

namespace vigil::api::testing {

namespace json = boost::json;
using Verb = boost::beast::http::verb;
using Res = http::TestClient::Res;

class ScratchDir {
 public:
  ScratchDir() {
    std::random_device rd;
    path_ =
        std::filesystem::temp_directory_path() / fmt::format("vigil-registry-api-{:08x}{:08x}", rd(), rd());
    std::filesystem::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

inline TimePoint time_at(const char* text) {
  TimePoint t{};
  EXPECT_TRUE(parse_rfc3339(text, t)) << text;
  return t;
}

inline json::object object_of(const Res& res) {
  return json::parse(res.body()).as_object();
}

// The paths of a problem's errors[], in order.
inline std::vector<std::string> error_paths(const Res& res) {
  std::vector<std::string> out;
  const auto body = object_of(res);
  for (const auto& e : body.at("errors").as_array()) out.emplace_back(e.at("path").as_string());
  return out;
}

class RegistryApiTest : public ::testing::Test {
 protected:
  RegistryApiTest()
      : clock_(time_at("2026-11-22T08:00:00Z")),
        store_(
            store::SqliteStoreOptions{dir_.path() / "registry.db", store::FieldCipher(std::string(32, 'k'))},
            clock_),
        registry_(registry::load_protocol_file(VIGIL_DEMO_PROTOCOL)),
        log_(dir_.path() / "intake.db", log_options()),
        alerts_(dir_.path() / "alerts.db"),
        blocking_(4) {
    ApiDeps deps{log_, log_, *registry_, alerts_, blocking_, clock_, [] { return Readiness{}; }};
    deps.store = &store_;
    deps.spans = &spans_;
    register_routes(router_, deps, ApiOptions{});
    chain_.add(std::make_unique<middleware::RequestIdLink>());
    chain_.add(std::make_unique<middleware::AuthenticationLink>(verifier_, nullptr, blocking_,
                                                                middleware::AuthFailureSink{}, refused_));
    http::ServerOptions options;
    options.io_threads = 2;
    options.shutdown_grace = std::chrono::milliseconds(2000);
    server_ = std::make_unique<http::Server>(options, router_, &chain_);
    server_->start();
    client_ = std::make_unique<http::TestClient>(server_->port());
  }
  ~RegistryApiTest() override {
    server_->shutdown();
    blocking_.join();
    log_.close();
  }

  log::SqliteLogOptions log_options() {
    log::SqliteLogOptions o;
    o.clock = &clock_;
    return o;
  }

  std::string token(const std::string& subject, const std::string& role, std::vector<std::string> sites = {},
                    const std::string& patient = "") const {
    auth::Claims c;
    c.subject = subject;
    c.role = role;
    c.sites = std::move(sites);
    c.patient = patient;
    c.expires_at = clock_.now() + std::chrono::hours(1);
    return auth::JwtSigner::hs256(secret_).sign(c);
  }

  // One request as `bearer` (no Authorization header when empty).
  Res call(http::TestClient& client, Verb method, const std::string& target, const std::string& body,
           const std::string& bearer) const {
    http::TestClient::Headers headers;
    if (!bearer.empty()) headers.emplace_back("Authorization", "Bearer " + bearer);
    return client.request(method, target, body, headers);
  }
  Res as_admin(Verb method, const std::string& target, const std::string& body = "") {
    return call(*client_, method, target, body, admin_);
  }

  // A recruiting trial T1 with sites S01 (GB) and S02 (FR).
  void seed_trial() {
    ASSERT_EQ(as_admin(Verb::post, "/v1/trials",
                       R"({"id":"T1","name":"Trial one","phase":"2","status":"recruiting"})")
                  .result_int(),
              201);
    for (
        const auto* site :
        {R"({"id":"S01","name":"Leeds","country":"GB","timezone":"Europe/London","principal_investigator":"Dr A"})",
         R"({"id":"S02","name":"Lyon","country":"FR","timezone":"Europe/Paris","principal_investigator":"Dr B"})"}) {
      ASSERT_EQ(as_admin(Verb::post, "/v1/trials/T1/sites", site).result_int(), 201);
    }
  }
  void add_patient(const std::string& id, const std::string& site) {
    const auto res = as_admin(Verb::post, "/v1/patients",
                              fmt::format(R"({{"id":"{}","trial_id":"T1","site_id":"{}"}})", id, site));
    ASSERT_EQ(res.result_int(), 201) << res.body();
  }
  std::int64_t audit_size() {
    std::int64_t n = 0;
    store::PageRequest page{"", store::kMaxPageLimit};
    do {
      auto p = store_.list_audit({}, page);
      n += static_cast<std::int64_t>(p.items.size());
      page.cursor = p.next_cursor;
    } while (!page.cursor.empty());
    return n;
  }

  ScratchDir dir_;
  observability::RecordingSpanSink spans_;  // the routes' spans (tracing export)
  ManualClock clock_;
  store::SqliteRegistryStore store_;
  std::unique_ptr<registry::Registry> registry_;
  log::SqliteLog log_;
  alerts::AlertService alerts_;
  boost::asio::thread_pool blocking_;
  const std::string secret_ = std::string(32, 's');
  auth::JwtVerifier verifier_{{.hs256_secret = secret_}, clock_};
  observability::MetricsRegistry metrics_;
  middleware::RefusalCounters refused_{metrics_};
  http::Chain chain_;
  http::Router router_;
  std::unique_ptr<http::Server> server_;
  std::unique_ptr<http::TestClient> client_;

  const std::string admin_ = token("alice-admin", "admin");
  const std::string investigator_ = token("dr-s01", "investigator", {"S01"});
  const std::string cra_ = token("cra-1", "cra", {"S01"});
  const std::string data_manager_ = token("dm-1", "data-manager");
  const std::string device_ = token("wear-1", "device", {}, "P-1");
};

}  // namespace vigil::api::testing
