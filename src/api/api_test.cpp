// The API over real HTTP (port 0) on the real log, alert service and registry (the demo trial).
#include "api/api.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <condition_variable>
#include <cstring>
#include <filesystem>
#include <future>
#include <latch>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "auth/jwt.h"
#include "http/server.h"
#include "http/test_client.h"
#include "log/segment_log.h"
#include "middleware/authentication.h"
#include "middleware/deadline.h"
#include "middleware/request_id.h"
#include "registry/protocol_file.h"

namespace vigil::api {
namespace {

namespace json = boost::json;
using http::TestClient;
using Verb = boost::beast::http::verb;

class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() / fmt::format("vigil-api-test-{:08x}{:08x}", rd(), rd());
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

TimePoint at(const char* text) {
  TimePoint t{};
  EXPECT_TRUE(parse_rfc3339(text, t)) << text;
  return t;
}

std::string observation(const std::string& id, const std::string& patient, const std::string& code,
                        double value, const std::string& unit,
                        const std::string& time = "2026-11-22T07:59:00.000Z") {
  return fmt::format(
      R"({{"id":"{}","patient_id":"{}","device_id":"wear-1","code":"{}","value":{},"unit":"{}","effective_time":"{}"}})",
      id, patient, code, value, unit, time);
}

std::string uuid(int n) {
  return fmt::format("00000000-0000-4000-8000-{:012d}", n);
}

json::object body_of(const TestClient::Res& res) {
  return json::parse(res.body()).as_object();
}

// Holds the log's writer before each commit while `hold` is set, to fill the intake queue.
struct WriterGate {
  std::mutex mu;
  std::condition_variable cv;
  bool hold = false;
  int waiting = 0;
  void pass() {
    std::unique_lock lock(mu);
    ++waiting;
    cv.notify_all();
    cv.wait(lock, [&] { return !hold; });
    --waiting;
  }
};

class ApiTest : public ::testing::Test {
 protected:
  explicit ApiTest(std::size_t queue_items = 65536)
      : clock_(at("2026-11-22T08:00:00Z")),
        registry_(registry::load_protocol_file(VIGIL_DEMO_PROTOCOL)),
        log_(dir_.path() / "intake-log", log_options(queue_items)),
        alerts_(dir_.path() / "alerts.db"),
        blocking_(2) {
    ApiOptions options;
    options.sse_keepalive = std::chrono::seconds(1);
    ApiDeps deps{log_,
                 log_,
                 *registry_,
                 alerts_,
                 blocking_,
                 clock_,
                 [this] {
                   return Readiness{true, log_.last_seq(), 0}; }};
    deps.profiler = &profiler_;
    deps.heap_profiler = &heap_profiler_;
    deps.on_denied = [this](const AccessDenied& d) {
      std::lock_guard lock(denied_mu_);
      denied_.push_back(d);
    };
    register_routes(router_, deps, options);
    // The production chain's identity links: request ids and authentication (the overload links
    // have their own tests in src/middleware).
    chain_.add(std::make_unique<middleware::RequestIdLink>())
        .add(std::make_unique<middleware::DeadlineLink>(
            std::map<std::string, std::chrono::milliseconds>{{"default", std::chrono::seconds(10)}}))
        .add(std::make_unique<middleware::AuthenticationLink>(verifier_, nullptr, blocking_, nullptr,
                                                              refused_));
    http::ServerOptions server_options;
    server_options.io_threads = 2;
    server_options.shutdown_grace = std::chrono::milliseconds(2000);
    server_ = std::make_unique<http::Server>(server_options, router_, &chain_);
    server_->start();
  }
  ~ApiTest() override {
    {
      std::lock_guard lock(gate_.mu);
      gate_.hold = false;
    }
    gate_.cv.notify_all();
    server_->shutdown();
    blocking_.join();
    log_.close();
  }

  log::SegmentLogOptions log_options(std::size_t queue_items) {
    log::SegmentLogOptions o;
    o.clock = &clock_;
    o.max_queued_items = queue_items;
    o.before_commit_for_test = [this] { gate_.pass(); };
    return o;
  }

  // Opens an alert through the real service, as the pipeline would.
  std::vector<alerts::AlertEvent> raise(const std::string& patient, const std::string& rule,
                                        domain::Severity severity) {
    domain::Finding finding{rule, severity, "test reason", {uuid(99)}, clock_.now()};
    alerts::AlertContext context{"NCT09990001", patient.substr(5, 3), patient, 1};
    return alerts_.apply({{context, finding}}, std::nullopt, clock_.now());
  }

  std::uint16_t port() const { return server_->port(); }

  // "Authorization: Bearer ..." for a caller of `role` (sites for staff, patient for apps).
  TestClient::Headers as(const std::string& role, std::vector<std::string> sites = {},
                         std::string patient = "") {
    auth::Claims c;
    c.subject = role == "patient" ? "app-" + patient : "dr.marsh";
    c.role = role;
    c.sites = std::move(sites);
    c.patient = std::move(patient);
    c.issuer = "vigil";
    c.audience = {"vigil-api"};
    c.expires_at = clock_.now() + std::chrono::hours(1);
    return {{"Authorization", "Bearer " + auth::JwtSigner::hs256(kSecret).sign(c)}};
  }
  TestClient::Headers patient_app(const std::string& patient) { return as("patient", {}, patient); }
  TestClient::Headers admin() { return as("admin"); }
  std::vector<AccessDenied> denied() {
    std::lock_guard lock(denied_mu_);
    return denied_;
  }

  static constexpr const char* kSecret = "api-test-secret-api-test-secret-0123456789";
  WriterGate gate_;
  TempDir dir_;
  ManualClock clock_;
  std::unique_ptr<registry::Registry> registry_;
  log::SegmentLog log_;
  alerts::AlertService alerts_;
  boost::asio::thread_pool blocking_;
  auth::JwtVerifier verifier_{{.hs256_secret = kSecret, .issuer = "vigil", .audience = "vigil-api"}, clock_};
  observability::MetricsRegistry metrics_;
  observability::CpuProfiler profiler_{dir_.path() / "profiles"};
  observability::HeapProfiler heap_profiler_{dir_.path() / "profiles"};
  middleware::RefusalCounters refused_{metrics_};
  http::Router router_;
  http::Chain chain_;
  std::unique_ptr<http::Server> server_;
  std::mutex denied_mu_;
  std::vector<AccessDenied> denied_;
};

TEST_F(ApiTest, HealthAndReadinessAnswerJson) {
  TestClient client(port());
  auto res = client.get("/healthz");
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(body_of(res).at("status").as_string(), "ok");
  res = client.get("/readyz");
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(body_of(res).at("status").as_string(), "ready");
}

TEST_F(ApiTest, SingleObservationIsStoredOnceAndTheRepeatIsADuplicate) {
  TestClient client(port());
  client.with_headers(patient_app("DEMO-S01-0007"));
  const auto body = observation(uuid(1), "DEMO-S01-0007", "8867-4", 112, "/min");
  auto res = client.post("/v1/observations", body);
  ASSERT_EQ(res.result_int(), 202) << res.body();
  EXPECT_EQ(body_of(res).at("accepted").as_int64(), 1);
  EXPECT_EQ(body_of(res).at("duplicates").as_int64(), 0);
  EXPECT_EQ(log_.last_seq(), 1U);  // durable before the answer

  res = client.post("/v1/observations", body);
  ASSERT_EQ(res.result_int(), 202);
  EXPECT_EQ(body_of(res).at("accepted").as_int64(), 0);
  EXPECT_EQ(body_of(res).at("duplicates").as_int64(), 1);
  EXPECT_EQ(log_.last_seq(), 1U);

  res =
      client.get("/v1/patients/DEMO-S01-0007/observations?code=8867-4&limit=5", as("investigator", {"S01"}));
  ASSERT_EQ(res.result_int(), 200) << res.body();
  const auto list = body_of(res).at("observations").as_array();
  ASSERT_EQ(list.size(), 1U);
  EXPECT_EQ(list[0].at("id").as_string(), uuid(1));
  EXPECT_EQ(list[0].at("value").to_number<double>(), 112.0);
  EXPECT_EQ(list[0].at("seq").as_int64(), 1);
}

TEST_F(ApiTest, UnitsAreConvertedBeforeStorage) {
  TestClient client(port());
  client.with_headers(patient_app("DEMO-S01-0007"));
  auto res =
      client.post("/v1/observations", observation(uuid(2), "DEMO-S01-0007", "8310-5", 100.4, "[degF]"));
  ASSERT_EQ(res.result_int(), 202) << res.body();
  res = client.get("/v1/patients/DEMO-S01-0007/observations?code=8310-5", admin());
  const auto list = body_of(res).at("observations").as_array();
  ASSERT_EQ(list.size(), 1U);
  EXPECT_EQ(list[0].at("unit").as_string(), "Cel");
  EXPECT_NEAR(list[0].at("value").to_number<double>(), 38.0, 1e-9);
}

TEST_F(ApiTest, BatchStoresValidItemsAndReportsInvalidOnesByIndex) {
  TestClient client(port());
  client.with_headers(patient_app("DEMO-S01-0001"));
  const auto body = fmt::format(R"({{"observations":[{},{},{},{}]}})",
                                observation(uuid(10), "DEMO-S01-0001", "8867-4", 80, "/min"),
                                observation(uuid(11), "DEMO-S01-0001", "9279-1", 16, "/min"),
                                observation(uuid(12), "DEMO-S01-0001", "8867-4", 900, "/min"),
                                observation(uuid(13), "DEMO-S01-0001", "1234-5", 80, "/min"));
  auto res = client.post("/v1/observations", body);
  ASSERT_EQ(res.result_int(), 202) << res.body();
  const auto answer = body_of(res);
  EXPECT_EQ(answer.at("accepted").as_int64(), 2);
  EXPECT_EQ(answer.at("rejected").as_int64(), 2);
  const auto errors = answer.at("errors").as_array();
  ASSERT_EQ(errors.size(), 2U);
  EXPECT_EQ(errors[0].at("index").as_int64(), 2);
  EXPECT_EQ(errors[0].at("errors").as_array()[0].at("path").as_string(), "value");
  EXPECT_EQ(errors[1].at("index").as_int64(), 3);
  EXPECT_EQ(errors[1].at("errors").as_array()[0].at("path").as_string(), "code");
  EXPECT_EQ(log_.last_seq(), 2U);
}

TEST_F(ApiTest, AnIdReusedForOtherContentIsRefusedAndTheOriginalKept) {
  TestClient client(port());
  client.with_headers(patient_app("DEMO-S01-0002"));
  ASSERT_EQ(client.post("/v1/observations", observation(uuid(60), "DEMO-S01-0002", "8867-4", 80, "/min"))
                .result_int(),
            202);
  ASSERT_EQ(client.post("/v1/observations", observation(uuid(61), "DEMO-S01-0002", "8867-4", 81, "/min"))
                .result_int(),
            202);

  // Single: the same id with another value is 422, not a silent "duplicate".
  auto res = client.post("/v1/observations", observation(uuid(60), "DEMO-S01-0002", "8867-4", 140, "/min"));
  ASSERT_EQ(res.result_int(), 422) << res.body();
  EXPECT_EQ(res[boost::beast::http::field::content_type], "application/problem+json");
  EXPECT_EQ(body_of(res).at("type").as_string(), "/problems/idempotency-key-reused");
  EXPECT_EQ(body_of(res).at("errors").as_array()[0].at("path").as_string(), "id");
  EXPECT_EQ(log_.last_seq(), 2U);

  // Batch: [new, conflict, invalid, identical repeat, conflict within the batch].
  const auto body = fmt::format(R"({{"observations":[{},{},{},{},{}]}})",
                                observation(uuid(62), "DEMO-S01-0002", "8867-4", 82, "/min"),
                                observation(uuid(61), "DEMO-S01-0002", "8867-4", 99, "/min"),
                                observation(uuid(63), "DEMO-S01-0002", "8867-4", 900, "/min"),
                                observation(uuid(60), "DEMO-S01-0002", "8867-4", 80, "/min"),
                                observation(uuid(62), "DEMO-S01-0002", "8867-4", 83, "/min"));
  res = client.post("/v1/observations", body);
  ASSERT_EQ(res.result_int(), 202) << res.body();
  const auto answer = body_of(res);
  EXPECT_EQ(answer.at("accepted").as_int64(), 1);
  EXPECT_EQ(answer.at("duplicates").as_int64(), 1);
  EXPECT_EQ(answer.at("rejected").as_int64(), 3);
  const auto errors = answer.at("errors").as_array();
  ASSERT_EQ(errors.size(), 3U);
  EXPECT_EQ(errors[0].at("index").as_int64(), 1);
  EXPECT_EQ(errors[0].at("errors").as_array()[0].at("path").as_string(), "id");
  EXPECT_EQ(errors[1].at("index").as_int64(), 2);
  EXPECT_EQ(errors[1].at("errors").as_array()[0].at("path").as_string(), "value");
  EXPECT_EQ(errors[2].at("index").as_int64(), 4);
  EXPECT_EQ(errors[2].at("errors").as_array()[0].at("path").as_string(), "id");
  EXPECT_EQ(log_.last_seq(), 3U);

  // A batch in which nothing was accepted or a duplicate is refused as a whole.
  res = client.post("/v1/observations",
                    fmt::format(R"({{"observations":[{}]}})",
                                observation(uuid(62), "DEMO-S01-0002", "8867-4", 50, "/min")));
  ASSERT_EQ(res.result_int(), 422) << res.body();
  EXPECT_EQ(body_of(res).at("type").as_string(), "/problems/invalid-observations");
  EXPECT_EQ(body_of(res).at("errors").as_array()[0].at("index").as_int64(), 0);

  // The stored readings are the originals.
  res =
      client.get("/v1/patients/DEMO-S01-0002/observations?code=8867-4&limit=10", as("investigator", {"S01"}));
  ASSERT_EQ(res.result_int(), 200) << res.body();
  std::set<double> values;
  const auto listed = body_of(res);
  for (const auto& o : listed.at("observations").as_array()) values.insert(o.at("value").to_number<double>());
  EXPECT_EQ(values, (std::set<double>{80, 81, 82}));
}

TEST_F(ApiTest, RequestsWithoutCredentialsAre401AndForeignPatientsAre403WithNothingStored) {
  TestClient client(port());
  auto res = client.post("/v1/observations", observation(uuid(40), "DEMO-S01-0001", "8867-4", 80, "/min"));
  EXPECT_EQ(res.result_int(), 401);
  EXPECT_EQ(body_of(res).at("type").as_string(), "/problems/unauthenticated");
  EXPECT_FALSE(res[boost::beast::http::field::www_authenticate].empty());
  EXPECT_EQ(client.get("/v1/alerts").result_int(), 401);
  EXPECT_EQ(client.get("/healthz").result_int(), 200);  // health checks stay open

  // A patient app posting a batch with one reading of another patient: the whole batch is refused.
  client.with_headers(patient_app("DEMO-S01-0001"));
  const auto batch = fmt::format(R"({{"observations":[{},{}]}})",
                                 observation(uuid(41), "DEMO-S01-0001", "8867-4", 80, "/min"),
                                 observation(uuid(42), "DEMO-S02-0001", "8867-4", 80, "/min"));
  res = client.post("/v1/observations", batch);
  EXPECT_EQ(res.result_int(), 403);
  EXPECT_EQ(body_of(res).at("type").as_string(), "/problems/forbidden");
  EXPECT_EQ(res.body().find("DEMO-S01-0001"), std::string::npos);  // says nothing about the grants
  EXPECT_EQ(log_.last_seq(), 0U);
  ASSERT_EQ(denied().size(), 1U);
  EXPECT_EQ(denied()[0].action, "observation.submit");
  EXPECT_EQ(denied()[0].entity, "patient/DEMO-S02-0001");
  EXPECT_EQ(denied()[0].subject, "app-DEMO-S01-0001");

  // Staff, admins included, never submit readings.
  res =
      client.post("/v1/observations", observation(uuid(43), "DEMO-S01-0001", "8867-4", 80, "/min"), admin());
  EXPECT_EQ(res.result_int(), 403);
  EXPECT_EQ(log_.last_seq(), 0U);

  // Also when no item names a patient: the role is refused before any field is validated...
  const std::string nameless = fmt::format(
      R"({{"observations":[{{"id":"{}","device_id":"w-1","code":"8867-4","value":80,"unit":"/min",)"
      R"("effective_time":"2026-11-22T08:00:00Z"}}]}})",
      uuid(44));
  res = client.post("/v1/observations", nameless, as("investigator", {"S01"}));
  EXPECT_EQ(res.result_int(), 403) << res.body();
  ASSERT_EQ(denied().size(), 3U);
  EXPECT_EQ(denied()[2].entity, "observations");
  // ...while the caller's own device or app is told which field is missing.
  res = client.post("/v1/observations", nameless);
  EXPECT_EQ(res.result_int(), 422) << res.body();
  EXPECT_EQ(body_of(res).at("errors").as_array()[0].at("errors").as_array()[0].at("path").as_string(),
            "patient_id");
  EXPECT_EQ(log_.last_seq(), 0U);
}

TEST_F(ApiTest, ACpuProfileLongerThanTheCallerWillWaitIsRefusedBeforeItStarts) {
  TestClient client(port());
  auto headers = admin();
  headers.emplace_back("X-Request-Timeout-Ms", "5000");
  auto res = client.get("/debug/pprof/profile?seconds=30", headers);
  ASSERT_EQ(res.result_int(), 400) << res.body();
  const auto body = body_of(res);
  EXPECT_EQ(body.at("type").as_string(), "/problems/invalid-query");
  EXPECT_EQ(body.at("errors").as_array()[0].at("path").as_string(), "seconds");
  EXPECT_FALSE(profiler_.running());
  EXPECT_EQ(client.get("/debug/pprof/profile?seconds=61", admin()).result_int(), 400);
  EXPECT_EQ(client.get("/debug/pprof/profile?seconds=1", as("investigator", {"S01"})).result_int(), 403);
  EXPECT_FALSE(profiler_.running());
}

TEST_F(ApiTest, ACpuProfileOfOneSecondIsAPprofDownload) {
  TestClient client(port());
  auto res = client.get("/debug/pprof/profile?seconds=1", admin());
  ASSERT_EQ(res.result_int(), 200) << res.body();
  EXPECT_EQ(res[http::bhttp::field::content_type], "application/octet-stream");
  EXPECT_EQ(res[http::bhttp::field::content_disposition], R"(attachment; filename="vigil.cpu.prof")");
  // The legacy pprof CPU profile starts with its header: 0, 3 (header words), 0 (version).
  const auto& bytes = res.body();
  ASSERT_GE(bytes.size(), 3 * sizeof(std::uint64_t));
  std::uint64_t header[3] = {};
  std::memcpy(header, bytes.data(), sizeof header);
  EXPECT_EQ(header[0], 0U);
  EXPECT_EQ(header[1], 3U);
  EXPECT_EQ(header[2], 0U);
  EXPECT_FALSE(profiler_.running());
}

TEST_F(ApiTest, TheHeapRouteAnswersAllocatorStatisticsOrAHeapProfileOfAWindow) {
  TestClient client(port());
  auto res = client.get("/debug/pprof/heap", admin());
  ASSERT_EQ(res.result_int(), 200) << res.body();
  EXPECT_NE(res.body().find("in_use_bytes "), std::string::npos) << res.body();
  EXPECT_EQ(client.get("/debug/pprof/heap?seconds=61", admin()).result_int(), 400);
  EXPECT_EQ(client.get("/debug/pprof/heap?seconds=", admin()).result_int(), 400);
  EXPECT_EQ(client.get("/debug/pprof/heap?seconds=1&x=1", admin()).result_int(), 400);
  EXPECT_EQ(client.get("/debug/pprof/heap?seconds=1", as("investigator", {"S01"})).result_int(), 403);
  EXPECT_EQ(client.get("/debug/pprof/heap", as("investigator", {"S01"})).result_int(), 403);
  res = client.get("/debug/pprof/heap?seconds=1", admin());
  if (observability::HeapProfiler::available()) {
    ASSERT_EQ(res.result_int(), 200) << res.body();
    EXPECT_TRUE(res.body().starts_with("heap profile:")) << res.body().substr(0, 200);
    EXPECT_NE(res.body().find("MAPPED_LIBRARIES:"), std::string::npos);
    EXPECT_EQ(res[http::bhttp::field::content_disposition], R"(attachment; filename="vigil.heap.prof")");
  } else {  // the sanitizer builds
    ASSERT_EQ(res.result_int(), 501) << res.body();
    EXPECT_EQ(body_of(res).at("type").as_string(), "/problems/heap-profile-unavailable");
  }
  EXPECT_FALSE(heap_profiler_.running());
}

TEST_F(ApiTest, EachErrorHasItsStatusAndAProblemBody) {
  TestClient client(port());
  struct Case {
    std::string body;
    std::string content_type;
    int status;
    std::string type;
  };
  std::string big = R"({"observations":[)";
  for (int i = 0; i < 1001; ++i) {
    if (i) big += ',';
    big += observation(uuid(1000 + i), "DEMO-S01-0001", "8867-4", 70, "/min");
  }
  big += "]}";
  const std::vector<Case> cases{
      {"{not json", "application/json", 400, "/problems/malformed-json"},
      {"[1,2]", "application/json", 400, "/problems/invalid-body"},
      {big, "application/json", 413, "/problems/batch-too-large"},
      {observation(uuid(3), "DEMO-S01-0001", "8867-4", 70, "/min"), "text/plain", 415,
       "/problems/unsupported-media-type"},
      {observation(uuid(4), "DEMO-S01-0001", "8867-4", 900, "/min"), "application/json", 422,
       "/problems/invalid-observation"},
      {observation(uuid(5), "DEMO-S01-0001", "8310-5", 80, "Cel"), "application/json", 422,
       "/problems/invalid-observation"},
      {observation(uuid(6), "DEMO-S01-0001", "8867-4", 70, "mm[Hg]"), "application/json", 422,
       "/problems/invalid-observation"},
      {observation(uuid(7), "DEMO-S01-0001", "1234-5", 70, "/min"), "application/json", 422,
       "/problems/invalid-observation"},
      {observation(uuid(8), "DEMO-S01-0001", "8867-4", 70, "/min", "2026-11-22T08:06:00Z"),
       "application/json", 422, "/problems/invalid-observation"},
      {observation(uuid(9), "DEMO-S09-0001", "8867-4", 70, "/min"), "application/json", 404,
       "/problems/unknown-patient"},
      {observation(uuid(10), "DEMO-S01-0401", "8867-4", 70, "/min"), "application/json", 422,
       "/problems/patient-not-enrolled"},
  };
  for (const auto& c : cases) {
    // Each case is sent by the app of the patient it names, so authorisation passes and the
    // status is the one of the body's own problem.
    std::string patient = "DEMO-S01-0001";
    for (const char* p : {"DEMO-S09-0001", "DEMO-S01-0401"}) {
      if (c.body.find(p) != std::string::npos) patient = p;
    }
    auto res = client.request(Verb::post, "/v1/observations", c.body, patient_app(patient), c.content_type);
    EXPECT_EQ(res.result_int(), c.status) << c.body.substr(0, 200) << " -> " << res.body();
    EXPECT_EQ(res[boost::beast::http::field::content_type], "application/problem+json");
    const auto problem = body_of(res);
    EXPECT_EQ(problem.at("type").as_string(), c.type) << res.body();
    EXPECT_EQ(problem.at("status").as_int64(), c.status);
  }
  EXPECT_EQ(log_.last_seq(), 0U);  // nothing refused was stored
}

TEST_F(ApiTest, FieldErrorsNameTheField) {
  TestClient client(port());
  client.with_headers(patient_app("DEMO-S01-0001"));
  auto res = client.post("/v1/observations", observation(uuid(5), "DEMO-S01-0001", "8310-5", 80, "Cel"));
  ASSERT_EQ(res.result_int(), 422);
  EXPECT_EQ(body_of(res).at("errors").as_array()[0].at("path").as_string(), "value");
  res = client.post("/v1/observations",
                    observation(uuid(8), "DEMO-S01-0001", "8867-4", 70, "/min", "2026-11-22T08:06:00Z"));
  EXPECT_EQ(body_of(res).at("errors").as_array()[0].at("path").as_string(), "effective_time");
}

TEST_F(ApiTest, QuestionnaireResponsesAreValidatedAndStored) {
  TestClient client(port());
  EXPECT_EQ(
      client
          .post(
              "/v1/questionnaire-responses",
              R"({"id":"00000000-0000-4000-8000-000000000022","patient_id":"DEMO-S02-0003","questionnaire":"demo-daily","version":"1","authored":"2026-11-22T07:30:00Z","answers":{"pain":1}})",
              patient_app("DEMO-S02-0004"))
          .result_int(),
      403);
  client.with_headers(patient_app("DEMO-S02-0003"));
  const auto ok = fmt::format(
      R"({{"id":"{}","patient_id":"DEMO-S02-0003","questionnaire":"demo-daily","version":"1","authored":"2026-11-22T07:30:00Z","answers":{{"pain":9,"nausea":false,"shortness_of_breath":false,"new_confusion":false}}}})",
      uuid(20));
  auto res = client.post("/v1/questionnaire-responses", ok);
  ASSERT_EQ(res.result_int(), 202) << res.body();
  EXPECT_EQ(body_of(res).at("accepted").as_int64(), 1);
  res = client.post("/v1/questionnaire-responses", ok);
  EXPECT_EQ(body_of(res).at("duplicates").as_int64(), 1);
  const auto changed = fmt::format(
      R"({{"id":"{}","patient_id":"DEMO-S02-0003","questionnaire":"demo-daily","version":"1","authored":"2026-11-22T07:30:00Z","answers":{{"pain":2,"nausea":false,"shortness_of_breath":false,"new_confusion":false}}}})",
      uuid(20));
  res = client.post("/v1/questionnaire-responses", changed);
  EXPECT_EQ(res.result_int(), 422) << res.body();
  EXPECT_EQ(body_of(res).at("type").as_string(), "/problems/idempotency-key-reused");

  const auto bad = fmt::format(
      R"({{"id":"{}","patient_id":"DEMO-S02-0003","questionnaire":"demo-daily","version":"1","authored":"2026-11-22T07:30:00Z","answers":{{"pain":11,"nausea":false,"shortness_of_breath":false}}}})",
      uuid(21));
  res = client.post("/v1/questionnaire-responses", bad);
  ASSERT_EQ(res.result_int(), 422) << res.body();
  EXPECT_EQ(body_of(res).at("errors").as_array()[0].at("path").as_string(), "answers.pain");
  EXPECT_EQ(log_.last_seq(), 1U);
}

TEST_F(ApiTest, EachQuestionnaireErrorHasItsStatusAndAProblemBody) {
  TestClient client(port());
  const auto response = [](int n, const std::string& patient, const std::string& authored) {
    return fmt::format(
        R"({{"id":"{}","patient_id":"{}","questionnaire":"demo-daily","version":"1","authored":"{}","answers":{{"pain":3,"nausea":false,"shortness_of_breath":false,"new_confusion":false}}}})",
        uuid(n), patient, authored);
  };
  const std::string now_ish = "2026-11-22T07:59:00Z";  // the fixture's clock is 08:00
  struct Case {
    std::string patient;
    std::string body;
    std::string content_type;
    int status;
    std::string type;
    std::string path;  // of the first error, when the problem lists errors
  };
  const std::vector<Case> cases{
      {"DEMO-S01-0001", "{not json", "application/json", 400, "malformed-json", ""},
      {"DEMO-S01-0001", "[1,2]", "application/json", 400, "invalid-body", ""},
      {"DEMO-S01-0001", response(70, "DEMO-S01-0001", now_ish), "text/plain", 415, "unsupported-media-type", ""},
      {"DEMO-S09-0001", response(71, "DEMO-S09-0001", now_ish), "application/json", 404, "unknown-patient",
       "patient_id"},
      {"DEMO-S01-0401", response(72, "DEMO-S01-0401", now_ish), "application/json", 422, "patient-not-enrolled",
       "patient_id"},
      {"DEMO-S01-0001", response(73, "DEMO-S01-0001", "2026-11-22T08:06:00Z"), "application/json", 422,
       "invalid-questionnaire-response", "authored"},
  };
  for (const auto& c : cases) {
    auto headers = patient_app(c.patient);
    headers.emplace_back("Content-Type", c.content_type);
    const auto res = client.post("/v1/questionnaire-responses", c.body, headers);
    EXPECT_EQ(res.result_int(), c.status) << c.type << ": " << res.body();
    EXPECT_EQ(res[http::bhttp::field::content_type], "application/problem+json") << c.type;
    const auto body = body_of(res);
    EXPECT_EQ(body.at("type").as_string(), "/problems/" + c.type) << res.body();
    if (!c.path.empty()) {
      EXPECT_EQ(body.at("errors").as_array()[0].at("path").as_string(), c.path) << res.body();
    }
  }
  EXPECT_EQ(log_.last_seq(), 0U) << "nothing refused was stored";
}

TEST_F(ApiTest, SinceNarrowsObservationsAndAlertsToTheNewerOnes) {
  TestClient app(port());
  app.with_headers(patient_app("DEMO-S01-0007"));
  ASSERT_EQ(app.post("/v1/observations",
                     observation(uuid(80), "DEMO-S01-0007", "8867-4", 70, "/min", "2026-11-22T06:00:00.000Z"))
                .result_int(),
            202);
  ASSERT_EQ(app.post("/v1/observations",
                     observation(uuid(81), "DEMO-S01-0007", "8867-4", 75, "/min", "2026-11-22T07:30:00.000Z"))
                .result_int(),
            202);
  TestClient staff(port());
  staff.with_headers(admin());
  auto res = staff.get("/v1/patients/DEMO-S01-0007/observations?since=2026-11-22T07:00:00Z");
  ASSERT_EQ(res.result_int(), 200) << res.body();
  auto list = body_of(res).at("observations").as_array();
  ASSERT_EQ(list.size(), 1U) << res.body();
  EXPECT_EQ(list[0].at("id").as_string(), uuid(81));
  EXPECT_EQ(body_of(staff.get("/v1/patients/DEMO-S01-0007/observations")).at("observations").as_array().size(), 2U);

  raise("DEMO-S01-0007", "news2", domain::Severity::medium);  // updated at 08:00
  clock_.advance(std::chrono::hours(1));
  const auto later = raise("DEMO-S02-0009", "news2", domain::Severity::medium);  // at 09:00
  res = staff.get("/v1/alerts?since=2026-11-22T08:30:00Z");
  ASSERT_EQ(res.result_int(), 200) << res.body();
  list = body_of(res).at("alerts").as_array();
  ASSERT_EQ(list.size(), 1U) << res.body();
  EXPECT_EQ(list[0].at("id").as_string(), later.at(0).alert.id);
  EXPECT_EQ(body_of(staff.get("/v1/alerts")).at("alerts").as_array().size(), 2U);
  EXPECT_EQ(staff.get("/v1/alerts?since=yesterday").result_int(), 400);
}

TEST_F(ApiTest, AlertsCanBeListedFetchedAcknowledgedAndResolved) {
  const auto opened = raise("DEMO-S01-0007", "news2", domain::Severity::high);
  raise("DEMO-S02-0009", "threshold:8867-4", domain::Severity::medium);
  const std::string id = opened.at(0).alert.id;
  TestClient client(port());
  client.with_headers(as("investigator", {"S01", "S02"}));

  auto res = client.get("/v1/alerts?site=S01&min_severity=high");
  ASSERT_EQ(res.result_int(), 200) << res.body();
  auto alerts = body_of(res).at("alerts").as_array();
  ASSERT_EQ(alerts.size(), 1U);
  EXPECT_EQ(alerts[0].at("id").as_string(), id);

  res = client.get("/v1/alerts?limit=1");
  ASSERT_EQ(res.result_int(), 200);
  const auto cursor = std::string(body_of(res).at("next_cursor").as_string());
  res = client.get("/v1/alerts?limit=1&cursor=" + cursor);
  EXPECT_EQ(body_of(res).at("alerts").as_array().size(), 1U);
  EXPECT_TRUE(body_of(res).at("next_cursor").is_null());

  res = client.get("/v1/alerts/" + id);
  ASSERT_EQ(res.result_int(), 200);
  EXPECT_EQ(body_of(res).at("status").as_string(), "open");

  res = client.post("/v1/alerts/" + id + "/acknowledge", R"({"actor":"dr.other","note":"seen"})");
  EXPECT_EQ(res.result_int(), 422);  // the actor is the signed-in user, nobody else
  res = client.post("/v1/alerts/" + id + "/acknowledge", R"({"actor":"dr.marsh","note":"seen"})");
  ASSERT_EQ(res.result_int(), 200) << res.body();
  EXPECT_EQ(body_of(res).at("status").as_string(), "acknowledged");
  res = client.post("/v1/alerts/" + id + "/acknowledge", R"({"actor":"dr.marsh"})");
  EXPECT_EQ(res.result_int(), 409);
  res = client.post("/v1/alerts/" + id + "/resolve", R"({"actor":"dr.marsh","note":"treated"})");
  ASSERT_EQ(res.result_int(), 200);
  EXPECT_EQ(body_of(res).at("status").as_string(), "resolved");

  EXPECT_EQ(client.get("/v1/alerts/al_0000000000000000").result_int(), 404);
  EXPECT_EQ(client.post("/v1/alerts/" + id + "/resolve", R"({"note":"x","colour":"red"})").result_int(), 422);
  EXPECT_EQ(client.get("/v1/alerts?status=bogus").result_int(), 400);
  EXPECT_EQ(client.get("/v1/alerts?cursor=nope").result_int(), 400);
  EXPECT_EQ(client.get("/v1/alerts?colour=red").result_int(), 400);
}

TEST_F(ApiTest, StaffSeeOnlyTheAlertsOfTheirSites) {
  const auto s01 = raise("DEMO-S01-0007", "news2", domain::Severity::high);
  const auto s02 = raise("DEMO-S02-0009", "threshold:8867-4", domain::Severity::medium);
  TestClient client(port());
  client.with_headers(as("investigator", {"S01"}));
  auto res = client.get("/v1/alerts");
  ASSERT_EQ(res.result_int(), 200) << res.body();
  auto alerts = body_of(res).at("alerts").as_array();
  ASSERT_EQ(alerts.size(), 1U);  // scoped to S01 without asking
  EXPECT_EQ(alerts[0].at("site_id").as_string(), "S01");
  EXPECT_EQ(client.get("/v1/alerts?site=S02").result_int(), 403);
  EXPECT_EQ(client.get("/v1/alerts/" + s02[0].alert.id).result_int(), 403);
  EXPECT_EQ(client.post("/v1/alerts/" + s02[0].alert.id + "/acknowledge", "{}").result_int(), 403);
  EXPECT_EQ(client.get("/v1/patients/DEMO-S02-0009/observations").result_int(), 403);
  EXPECT_EQ(client.get("/v1/alerts/" + s01[0].alert.id).result_int(), 200);

  // Data managers read everything but do not act on alerts; patient apps read no alerts.
  client.with_headers(as("data-manager"));
  EXPECT_EQ(body_of(client.get("/v1/alerts")).at("alerts").as_array().size(), 2U);
  EXPECT_EQ(client.post("/v1/alerts/" + s01[0].alert.id + "/acknowledge", "{}").result_int(), 403);
  client.with_headers(patient_app("DEMO-S01-0007"));
  EXPECT_EQ(client.get("/v1/alerts").result_int(), 403);
  EXPECT_EQ(client.get("/v1/alerts/stream").result_int(), 403);
  EXPECT_GE(denied().size(), 6U);
}

// Reads from a raw socket until `needle` appears (or 20 s pass).
std::string read_until(boost::asio::ip::tcp::socket& socket, std::string& buffer, const std::string& needle) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (buffer.find(needle) == std::string::npos && std::chrono::steady_clock::now() < deadline) {
    char chunk[4096];
    boost::system::error_code ec;
    const auto n = socket.read_some(boost::asio::buffer(chunk), ec);
    if (ec == boost::asio::error::would_block || ec == boost::asio::error::try_again) continue;
    if (ec) break;
    buffer.append(chunk, n);
  }
  return buffer;
}

boost::asio::ip::tcp::socket open_stream(boost::asio::io_context& ioc, std::uint16_t port,
                                         const std::string& last_id, const std::string& authorization) {
  boost::asio::ip::tcp::socket socket(ioc);
  socket.connect({boost::asio::ip::make_address("127.0.0.1"), port});
  timeval tv{1, 0};  // a read returns at least every second so read_until can check its deadline
  setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  std::string req = "GET /v1/alerts/stream HTTP/1.1\r\nHost: x\r\nAuthorization: " + authorization + "\r\n";
  if (!last_id.empty()) req += "Last-Event-ID: " + last_id + "\r\n";
  req += "\r\n";
  boost::asio::write(socket, boost::asio::buffer(req));
  return socket;
}

TEST_F(ApiTest, AlertStreamSendsBacklogThenLiveEventsAndResumesFromLastEventId) {
  const auto first = raise("DEMO-S01-0007", "news2", domain::Severity::high);
  boost::asio::io_context ioc;
  const auto credentials = as("investigator", {"S01", "S03"}).front().second;
  raise("DEMO-S02-0009", "news2", domain::Severity::high);  // another site: never shown
  auto socket = open_stream(ioc, port(), "0", credentials);
  std::string buffer;
  read_until(socket, buffer, fmt::format("id: {}\n", first[0].event_id));
  ASSERT_NE(buffer.find("Content-Type: text/event-stream"), std::string::npos) << buffer;
  EXPECT_NE(buffer.find("event: opened\n"), std::string::npos);
  EXPECT_NE(buffer.find(first[0].alert.id), std::string::npos);

  const auto second = raise("DEMO-S03-0002", "threshold:2708-6", domain::Severity::critical);
  read_until(socket, buffer, fmt::format("id: {}\n", second[0].event_id));
  EXPECT_NE(buffer.find(second[0].alert.id), std::string::npos) << buffer;

  // Resume after the first event: only the second comes.
  auto resumed = open_stream(ioc, port(), std::to_string(first[0].event_id), credentials);
  std::string again;
  read_until(resumed, again, fmt::format("id: {}\n", second[0].event_id));
  EXPECT_NE(again.find(second[0].alert.id), std::string::npos) << again;
  EXPECT_EQ(again.find(first[0].alert.id), std::string::npos);
  EXPECT_EQ(buffer.find("DEMO-S02-0009"), std::string::npos);
  EXPECT_EQ(again.find("DEMO-S02-0009"), std::string::npos);
}

TEST_F(ApiTest, AlertStreamRefusesABadLastEventId) {
  TestClient client(port());
  auto res = client.get("/v1/alerts/stream", {{"Last-Event-ID", "abc"}, admin().front()});
  EXPECT_EQ(res.result_int(), 400);
}

TEST_F(ApiTest, AlertStreamRefusesAnEmptyLastEventIdInTheQuery) {
  // An empty value is an error on every route that reads the query, the stream included: a
  // client that means "from the start" leaves the parameter out.
  TestClient client(port());
  auto res = client.get("/v1/alerts/stream?last_event_id=", admin());
  EXPECT_EQ(res.result_int(), 400);
  EXPECT_NE(res.body().find("last_event_id"), std::string::npos) << res.body();
  EXPECT_NE(res.body().find("must not be empty"), std::string::npos) << res.body();
}

class FullQueueTest : public ApiTest {
 protected:
  FullQueueTest() : ApiTest(1) {}
};

TEST_F(FullQueueTest, IntakeAnswers503WithRetryAfterWhenTheQueueIsFullAndLosesNothingAccepted) {
  {
    std::lock_guard lock(gate_.mu);
    gate_.hold = true;
  }
  auto first = std::async(std::launch::async, [this] {
    TestClient client(port());
    return client.post("/v1/observations", observation(uuid(30), "DEMO-S01-0001", "8867-4", 70, "/min"),
                       patient_app("DEMO-S01-0001"));
  });
  {  // the writer holds the first batch: the queue (1 item) is now full
    std::unique_lock lock(gate_.mu);
    ASSERT_TRUE(gate_.cv.wait_for(lock, std::chrono::seconds(20), [&] { return gate_.waiting == 1; }));
  }
  TestClient client(port());
  auto res = client.post("/v1/observations", observation(uuid(31), "DEMO-S01-0001", "8867-4", 71, "/min"),
                         patient_app("DEMO-S01-0001"));
  EXPECT_EQ(res.result_int(), 503);
  EXPECT_EQ(res[boost::beast::http::field::retry_after], "1");
  EXPECT_EQ(body_of(res).at("type").as_string(), "/problems/intake-overloaded");
  {
    std::lock_guard lock(gate_.mu);
    gate_.hold = false;
  }
  gate_.cv.notify_all();
  EXPECT_EQ(first.get().result_int(), 202);
  EXPECT_EQ(log_.last_seq(), 1U);
}

TEST_F(ApiTest, AnAppendPastItsDeadlineIs504AndStillCommitsWhole) {
  {
    std::lock_guard lock(gate_.mu);
    gate_.hold = true;  // the writer stops before its commit: the append cannot finish
  }
  TestClient client(port());
  client.with_headers(patient_app("DEMO-S01-0001"));
  const auto body = observation(uuid(50), "DEMO-S01-0001", "8867-4", 70, "/min");
  auto res = client.post("/v1/observations", body, {{"X-Request-Timeout-Ms", "50"}});
  EXPECT_EQ(res.result_int(), 504);
  EXPECT_EQ(body_of(res).at("type").as_string(), "/problems/deadline-exceeded");
  {
    std::lock_guard lock(gate_.mu);
    gate_.hold = false;
  }
  gate_.cv.notify_all();
  // The write was not torn: it commits whole, and the client's retry is answered as a duplicate.
  res = client.post("/v1/observations", body);
  ASSERT_EQ(res.result_int(), 202) << res.body();
  EXPECT_EQ(body_of(res).at("duplicates").as_int64(), 1);
  EXPECT_EQ(log_.last_seq(), 1U);
}

TEST_F(ApiTest, ABatchPastItsDeadlineIs504AndCommitsAllOfItOrNone) {
  {
    std::lock_guard lock(gate_.mu);
    gate_.hold = true;
  }
  TestClient client(port());
  client.with_headers(patient_app("DEMO-S01-0001"));
  const auto batch = fmt::format(R"({{"observations":[{},{},{}]}})",
                                 observation(uuid(60), "DEMO-S01-0001", "8867-4", 70, "/min"),
                                 observation(uuid(61), "DEMO-S01-0001", "9279-1", 16, "/min"),
                                 observation(uuid(62), "DEMO-S01-0001", "2708-6", 97, "%"));
  auto res = client.post("/v1/observations", batch, {{"X-Request-Timeout-Ms", "50"}});
  EXPECT_EQ(res.result_int(), 504);
  EXPECT_EQ(log_.last_seq(), 0U) << "nothing is visible before the commit";
  {
    std::lock_guard lock(gate_.mu);
    gate_.hold = false;
  }
  gate_.cv.notify_all();
  // The whole batch committed as one group: the retry finds all three, none twice.
  res = client.post("/v1/observations", batch);
  ASSERT_EQ(res.result_int(), 202) << res.body();
  EXPECT_EQ(body_of(res).at("accepted").as_int64(), 0);
  EXPECT_EQ(body_of(res).at("duplicates").as_int64(), 3);
  EXPECT_EQ(log_.last_seq(), 3U);
}

TEST_F(ApiTest, ReadsAndAlertActionsStopWaitingAtTheDeadlineWhileStorageHangs) {
  // Both storage threads hang, as on a disk that stopped answering.
  std::promise<void> release;
  std::shared_future<void> gate = release.get_future().share();
  std::latch hung(2);
  for (int i = 0; i < 2; ++i) {
    boost::asio::post(blocking_, [gate, &hung] {
      hung.count_down();
      gate.wait();
    });
  }
  hung.wait();
  TestClient client(port());
  auto headers = admin();
  headers.emplace_back("X-Request-Timeout-Ms", "100");
  const std::vector<std::pair<std::string, std::string>> calls{
      {"GET", "/v1/alerts"},
      {"GET", "/v1/alerts/al_00000000000000aa"},
      {"GET", "/v1/patients/DEMO-S01-0007/observations"},
      {"POST", "/v1/alerts/al_00000000000000aa/acknowledge"},
  };
  for (const auto& [method, path] : calls) {
    const auto res = method == "GET" ? client.get(path, headers) : client.post(path, R"({"note":"seen"})", headers);
    EXPECT_EQ(res.result_int(), 504) << method << " " << path << ": " << res.body();
    EXPECT_EQ(body_of(res).at("type").as_string(), "/problems/deadline-exceeded") << path;
  }
  release.set_value();
  // Storage answers again: the same calls get their real answers (the work queued while it hung was
  // skipped, not run late).
  EXPECT_EQ(client.get("/v1/alerts", admin()).result_int(), 200);
  EXPECT_EQ(client.get("/v1/alerts/al_00000000000000aa", admin()).result_int(), 404);
  EXPECT_EQ(client.get("/v1/patients/DEMO-S01-0007/observations", admin()).result_int(), 200);
}

}  // namespace
}  // namespace vigil::api
