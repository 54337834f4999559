// The real binary's guard rails: authentication on every route but health checks, `vigil token
// issue`, request ids and trace context on answers, /metrics, and overload answered with fast
// refusals while every acknowledged observation is kept.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <optional>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <set>
#include <iterator>
#include <sstream>
#include <fstream>
#include <thread>

#include "common/clock.h"
#include "http/test_client.h"
#include "loadgen/client.h"
#include "process.h"

namespace vigil::testing {
namespace {

namespace json = boost::json;

std::string observation(const std::string& id, const std::string& patient) {
  return fmt::format(
      R"({{"id":"{}","patient_id":"{}","code":"8867-4","value":72,"unit":"/min","effective_time":"{}"}})", id,
      patient, format_rfc3339(SystemClock{}.now() - std::chrono::minutes(1)));
}

TEST(Guard, EveryRouteButHealthChecksNeedsCredentialsAndIssuedTokensWork) {
  TempFolder folder;
  const auto config = write_config(folder.path(), folder.path() / "data").string();
  VigilProcess vigil({"serve", "--config", config});
  const auto port = vigil.wait_listening();
  ASSERT_TRUE(port) << vigil.output();
  http::TestClient client(*port);
  EXPECT_EQ(client.get("/healthz").result_int(), 200);
  for (const char* target : {"/v1/alerts", "/v1/alerts/stream", "/metrics", "/v1/trials", "/v1/audit"}) {
    auto res = client.get(target);
    EXPECT_EQ(res.result_int(), 401) << target;
    EXPECT_EQ(res[boost::beast::http::field::content_type], "application/problem+json") << target;
  }
  EXPECT_EQ(client.post("/v1/observations", observation("00000000-0000-4000-8000-000000000001", "DEMO-S01-0001"))
                .result_int(),
            401);

  // An operator mints a token with the same configuration.
  VigilProcess issue({"token", "issue", "--config", config, "--role", "admin", "--sub", "ops@example.org"});
  ASSERT_EQ(issue.wait(), 0) << issue.output();
  auto token = issue.output();
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.pop_back();
  ASSERT_EQ(std::count(token.begin(), token.end(), '.'), 2) << token;
  client.with_headers({{"Authorization", "Bearer " + token}});

  auto res = client.get("/v1/alerts", {{"traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}});
  EXPECT_EQ(res.result_int(), 200) << res.body();
  EXPECT_EQ(res["X-Request-Id"].size(), 32U);
  EXPECT_TRUE(std::string(res["traceparent"]).starts_with("00-4bf92f3577b34da6a3ce929d0e0e4736-"));

  // The imported demo trial is in the registry, and the refused requests are on the audit trail.
  res = client.get("/v1/trials/NCT09990001");
  EXPECT_EQ(res.result_int(), 200) << res.body();
  res = client.get("/v1/audit?entity_type=route");
  ASSERT_EQ(res.result_int(), 200) << res.body();
  EXPECT_NE(res.body().find("authentication.failed"), std::string::npos) << res.body();

  res = client.get("/metrics");
  ASSERT_EQ(res.result_int(), 200);
  EXPECT_NE(res.body().find("vigil_http_requests_total{route=\"/v1/alerts\",method=\"GET\",code=\"200\"}"),
            std::string::npos)
      << res.body();
  EXPECT_NE(res.body().find("vigil_http_refused_total{reason=\"unauthenticated\"} 6"), std::string::npos);
  EXPECT_NE(res.body().find("process_resident_memory_bytes"), std::string::npos);

  // Staff never submit readings; a forged token is refused.
  EXPECT_EQ(client.post("/v1/observations", observation("00000000-0000-4000-8000-000000000002", "DEMO-S01-0001"))
                .result_int(),
            403);
  EXPECT_EQ(client.get("/v1/alerts", {{"Authorization", "Bearer " + token + "x"}}).result_int(), 401);
  vigil.signal(SIGTERM);
  EXPECT_EQ(vigil.wait(), 0) << vigil.output();
}

TEST(Guard, OverloadIsRefusedFastWithRateLimitHeadersAndNothingAcknowledgedIsLost) {
  TempFolder folder;
  // Each device may send 5 readings a second (burst 5): the clients below offer far more.
  const auto config =
      write_config(folder.path(), folder.path() / "data",
                   "rate_limits:\n  groups:\n    intake: {rate: 5, burst: 5}\nlimits:\n  max_in_flight: 64\n")
          .string();
  VigilProcess vigil({"serve", "--config", config});
  const auto port = vigil.wait_listening();
  ASSERT_TRUE(port) << vigil.output();

  constexpr int kClients = 4;
  constexpr int kRequests = 60;
  std::vector<std::set<std::string>> acked(kClients);
  std::atomic<int> limited{0};
  std::atomic<int> unexpected{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      const auto patient = fmt::format("DEMO-S0{}-0001", c + 1);
      http::TestClient http(*port);
      http.with_headers({{"Authorization", bearer("patient", patient)}});
      for (int i = 0; i < kRequests; ++i) {
        const auto id = fmt::format("00000000-0000-4000-8000-{:06d}{:06d}", c, i);
        auto res = http.post("/v1/observations", observation(id, patient));
        if (res.result_int() == 202) {
          acked[c].insert(id);
        } else if (res.result_int() == 429 && !res[boost::beast::http::field::retry_after].empty() &&
                   res["RateLimit-Limit"] == "5" && !res["RateLimit-Reset"].empty()) {
          ++limited;
        } else {
          ++unexpected;
        }
      }
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(unexpected.load(), 0);
  EXPECT_GT(limited.load(), 0);  // 60 requests at full speed cannot fit in 5/s

  // Every acknowledged reading is stored, exactly once.
  http::TestClient admin(*port);
  admin.with_headers({{"Authorization", bearer("admin")}});
  std::size_t total = 0;
  for (int c = 0; c < kClients; ++c) {
    auto res = admin.get(fmt::format("/v1/patients/DEMO-S0{}-0001/observations?code=8867-4&limit=1000", c + 1));
    ASSERT_EQ(res.result_int(), 200) << res.body();
    std::set<std::string> stored;
    const auto doc = json::parse(res.body());  // named: a range-for over a temporary's member dangles
    for (const auto& o : doc.at("observations").as_array()) {
      stored.insert(std::string(o.at("id").as_string()));
    }
    EXPECT_EQ(stored, acked[c]) << "client " << c;
    total += stored.size();
  }
  EXPECT_GE(total, static_cast<std::size_t>(kClients) * 5);  // at least each burst got through

  // Once the load stops, a device is served again as soon as its bucket refills.
  http::TestClient again(*port);
  again.with_headers({{"Authorization", bearer("patient", "DEMO-S01-0001")}});
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  int status = 0;
  for (int i = 0; std::chrono::steady_clock::now() < deadline; ++i) {
    status = again.post("/v1/observations", observation(fmt::format("10000000-0000-4000-8000-{:012d}", i), "DEMO-S01-0001"))
                 .result_int();
    if (status == 202) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(status, 202);
  auto metrics = admin.get("/metrics");
  EXPECT_NE(metrics.body().find("vigil_http_refused_total{reason=\"rate-limit\"}"), std::string::npos);
  vigil.signal(SIGTERM);
  EXPECT_EQ(vigil.wait(), 0) << vigil.output();
}

// The value of the first sample of `metric` in a Prometheus text page whose line starts with
// `prefix` (the name and, when given, its labels); nullopt when there is none.
std::optional<double> metric_value(const std::string& page, const std::string& prefix) {
  std::size_t at = 0;
  while ((at = page.find(prefix, at)) != std::string::npos) {
    if (at == 0 || page[at - 1] == '\n') {
      const auto space = page.find(' ', at + prefix.size());
      if (space == at + prefix.size()) return std::stod(page.substr(space + 1, page.find('\n', space) - space - 1));
    }
    at += prefix.size();
  }
  return std::nullopt;
}

// The sanitizers keep freed memory in quarantine and shadow every byte, so resident memory says
// nothing about the server's own bounds there.
constexpr bool kSanitized =
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
    true;
#else
    false;
#endif

TEST(Guard, SeveralTimesTheCapacityIsRefusedWithoutLossAndThroughputReturns) {
  TempFolder folder;
  // Rate limits off: the in-flight cap and the shedder are what must hold the line here.
  const auto config = write_config(folder.path(), folder.path() / "data",
                                   "rate_limits: {enabled: false}\nlimits:\n  max_in_flight: 8\n")
                          .string();
  VigilProcess vigil({"serve", "--config", config});
  const auto port = vigil.wait_listening();
  ASSERT_TRUE(port) << vigil.output();
  const std::string url = fmt::format("http://127.0.0.1:{}", *port);
  std::vector<loadgen::Credential> devices;
  for (int i = 0; i < 128; ++i) {
    const auto patient = fmt::format("DEMO-S0{}-{:04d}", 1 + i % 5, 1 + i / 5);
    const auto token = bearer("patient", patient).substr(std::string("Bearer ").size());
    devices.push_back(loadgen::Credential{patient, loadgen::CredentialKind::bearer, token, std::size_t(i) + 1});
  }
  const auto load = [&](loadgen::Mode mode, unsigned connections, double rate, std::chrono::milliseconds duration) {
    loadgen::LoadOptions o;
    o.url = url;
    o.mode = mode;
    o.rate = rate;
    o.connections = connections;
    o.duration = duration;
    o.warmup = std::chrono::milliseconds(0);
    o.credentials = devices;
    return loadgen::run_load(o);
  };
  http::TestClient admin(*port);
  admin.with_headers({{"Authorization", bearer("admin")}});
  const auto metrics = [&] { return admin.get("/metrics").body(); };

  // Capacity: as many connections as the cap admits, closed loop.
  const auto capacity = load(loadgen::Mode::closed, 8, 0, std::chrono::milliseconds(1000));
  ASSERT_GT(capacity.stats.counts.ok, 0U) << format_text(capacity);
  const double ceiling = capacity.acknowledged_per_s();
  const auto rss_before = metric_value(metrics(), "process_resident_memory_bytes");
  ASSERT_TRUE(rss_before.has_value());

  // Four times that rate on sixteen times the connections the cap admits.
  const auto overload = load(loadgen::Mode::open, 128, 4 * ceiling, std::chrono::milliseconds(2000));
  const auto& answered = overload.stats.counts;
  // The server answered every request: no connection failed, none waited past its timeout, and
  // nothing but 202 and fast refusals came back.
  EXPECT_EQ(answered.errors, 0U) << format_text(overload);
  EXPECT_EQ(answered.timeouts, 0U) << format_text(overload);
  EXPECT_EQ(answered.other, 0U) << format_text(overload);
  EXPECT_GT(answered.ok, 0U) << "intake goes on under overload: " << format_text(overload);
  EXPECT_GT(answered.unavailable + answered.too_many, 0U) << "nothing refused: " << format_text(overload);

  // Every 202 the server gave is a stored reading: the server's own count of acknowledgements
  // equals the records in its log, and covers every one the clients saw.
  const auto page = metrics();
  const auto acked = metric_value(page, R"(vigil_http_requests_total{route="/v1/observations",method="POST",code="202"})");
  const auto stored = metric_value(page, "vigil_log_last_seq");
  ASSERT_TRUE(acked && stored) << page;
  EXPECT_EQ(*acked, *stored);
  EXPECT_GE(*acked, static_cast<double>(capacity.stats.counts.ok + answered.ok));
  EXPECT_GT(metric_value(page, R"(vigil_http_refused_total{reason="in-flight-cap"})").value_or(0) +
                metric_value(page, R"(vigil_http_refused_total{reason="shed"})").value_or(0),
            0.0)
      << page;
  // Memory stays bounded: refusals hold nothing, and the accepted readings cost their log entry.
  const auto rss_after = metric_value(page, "process_resident_memory_bytes");
  ASSERT_TRUE(rss_after.has_value());
  if (!kSanitized) {
    EXPECT_LT(*rss_after - *rss_before, 96.0 * 1024 * 1024) << page;
  }

  // Once the load drops, throughput returns: within a few one-second rounds at the capacity's
  // own concurrency, a round is served without refusals at half the measured ceiling or more.
  bool recovered = false;
  for (int round = 0; round < 15 && !recovered; ++round) {
    const auto after = load(loadgen::Mode::closed, 8, 0, std::chrono::milliseconds(1000));
    recovered = after.stats.counts.unavailable + after.stats.counts.too_many == 0 &&
                after.stats.counts.errors == 0 && after.acknowledged_per_s() >= 0.5 * ceiling;
  }
  EXPECT_TRUE(recovered) << "capacity " << ceiling << "/s";
  vigil.signal(SIGTERM);
  EXPECT_EQ(vigil.wait(), 0) << vigil.output();
}

TEST(Guard, OneReadingCanBeFollowedFromItsRequestToItsAlertByTraceId) {
  TempFolder folder;
  VigilProcess vigil({"serve", "--config", write_config(folder.path(), folder.path() / "data").string()});
  const auto port = vigil.wait_listening();
  ASSERT_TRUE(port) << vigil.output();
  http::TestClient device(*port);
  device.with_headers({{"Authorization", bearer("patient", "DEMO-S02-0003")}});
  // A heart rate over the demo protocol's 130/min: it must alert.
  const std::string trace_id = "0af7651916cd43dd8448eb211c80319c";
  const auto body = fmt::format(
      R"({{"id":"30000000-0000-4000-8000-000000000001","patient_id":"DEMO-S02-0003","code":"8867-4","value":150,"unit":"/min","effective_time":"{}"}})",
      format_rfc3339(SystemClock{}.now() - std::chrono::minutes(1)));
  auto res = device.post("/v1/observations", body, {{"traceparent", "00-" + trace_id + "-b7ad6b7169203331-01"}});
  ASSERT_EQ(res.result_int(), 202) << res.body();
  EXPECT_TRUE(std::string(res["traceparent"]).starts_with("00-" + trace_id + "-")) << res["traceparent"];

  http::TestClient admin(*port);
  admin.with_headers({{"Authorization", bearer("admin")}});
  json::value alert;
  for (const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
       alert.is_null() && std::chrono::steady_clock::now() < until;) {
    const auto doc = json::parse(admin.get("/v1/alerts?patient=DEMO-S02-0003").body());
    for (const auto& a : doc.at("alerts").as_array()) {
      if (a.at("rule_id").as_string() == "threshold:8867-4") alert = a;
    }
    if (alert.is_null()) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_FALSE(alert.is_null()) << "no alert for a heart rate of 150";
  // The alert names the request's trace and its reading.
  const auto& traces = alert.at("trace_ids").as_array();
  EXPECT_NE(std::find(traces.begin(), traces.end(), json::value(trace_id)), traces.end()) << json::serialize(alert);
  const auto& readings = alert.at("observation_ids").as_array();
  EXPECT_NE(std::find(readings.begin(), readings.end(), json::value("30000000-0000-4000-8000-000000000001")),
            readings.end());
  vigil.signal(SIGTERM);
  EXPECT_EQ(vigil.wait(), 0) << vigil.output();
}

TEST(Guard, LogLinesCarryTheirIdsAndNeitherClinicalValuesNorSecrets) {
  TempFolder folder;
  const auto config = write_config(folder.path(), folder.path() / "data");
  {  // at debug level: every line the node writes about a request or a reading
    std::ifstream in(config);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto at = text.find("level: warn");
    ASSERT_NE(at, std::string::npos);
    text.replace(at, 11, "level: debug");
    std::ofstream(config) << text;
  }
  VigilProcess vigil({"serve", "--config", config.string()});
  const auto port = vigil.wait_listening();
  ASSERT_TRUE(port) << vigil.output();
  const auto token = bearer("patient", "DEMO-S03-0005");
  const std::string trace_id = "5b8efff798038103d269b633813fc60c";
  http::TestClient device(*port);
  device.with_headers({{"Authorization", token}});
  const auto reading = fmt::format(
      R"({{"id":"40000000-0000-4000-8000-000000000001","patient_id":"DEMO-S03-0005","code":"8867-4","value":163.7,"unit":"/min","effective_time":"{}"}})",
      format_rfc3339(SystemClock{}.now() - std::chrono::minutes(1)));
  ASSERT_EQ(device.post("/v1/observations", reading, {{"traceparent", "00-" + trace_id + "-eee19b7ec3c1b174-01"}})
                .result_int(),
            202);
  // A forged token: refused and logged, but never written out.
  EXPECT_EQ(device.post("/v1/observations", reading, {{"Authorization", token + "x"}}).result_int(), 401);
  http::TestClient admin(*port);
  admin.with_headers({{"Authorization", bearer("admin")}});
  bool alerted = false;
  for (const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
       !alerted && std::chrono::steady_clock::now() < until;) {
    alerted = admin.get("/v1/alerts?patient=DEMO-S03-0005").body().find("threshold:8867-4") != std::string::npos;
    if (!alerted) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_TRUE(alerted);
  vigil.signal(SIGTERM);
  ASSERT_EQ(vigil.wait(), 0) << vigil.output();
  const auto out = vigil.output();

  EXPECT_EQ(out.find("163.7"), std::string::npos) << "a clinical value reached the log:\n" << out;
  EXPECT_EQ(out.find(token.substr(std::string("Bearer ").size())), std::string::npos) << "a token reached the log";
  EXPECT_EQ(out.find(kTestSecret), std::string::npos) << "the signing secret reached the log";
  // Every line about the traced request, the access log's and the pipeline's, names its trace; the
  // access log's also its request id.
  int traced = 0;
  bool pipeline_line = false;
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line.front() != '{') continue;
    const auto doc = json::parse(line).as_object();
    const auto* trace = doc.if_contains("trace_id");
    if (trace == nullptr || trace->as_string() != trace_id) continue;
    ++traced;
    const std::string message(doc.at("msg").as_string());
    if (message.find("raised") != std::string::npos) pipeline_line = true;
    if (message.find("POST /v1/observations") != std::string::npos) {
      EXPECT_EQ(doc.at("request_id").as_string().size(), 32U) << line;
    }
  }
  EXPECT_GE(traced, 2) << out;
  EXPECT_TRUE(pipeline_line) << "the pipeline's line about the reading names its trace:\n" << out;
}

TEST(Guard, RegistryChangesApplyToIntakeAndScoringWithoutARestart) {
  TempFolder folder;
  VigilProcess vigil({"serve", "--config", write_config(folder.path(), folder.path() / "data").string()});
  const auto port = vigil.wait_listening();
  ASSERT_TRUE(port) << vigil.output();
  http::TestClient admin(*port);
  admin.with_headers({{"Authorization", bearer("admin")}});
  http::TestClient app(*port);
  app.with_headers({{"Authorization", bearer("patient", "NEW-0001")}});
  const auto reading = [&](int n, const std::string& patient, int value) {
    return fmt::format(
        R"({{"id":"20000000-0000-4000-8000-{:012d}","patient_id":"{}","code":"8867-4","value":{},"unit":"/min","effective_time":"{}"}})",
        n, patient, value, format_rfc3339(SystemClock{}.now() - std::chrono::minutes(1)));
  };

  // A patient screened and enrolled through the API may send readings at once.
  EXPECT_EQ(app.post("/v1/observations", reading(1, "NEW-0001", 80)).result_int(), 404);
  ASSERT_EQ(admin.post("/v1/patients", R"({"id":"NEW-0001","trial_id":"NCT09990001","site_id":"S01"})").result_int(),
            201);
  ASSERT_EQ(admin.post("/v1/patients/NEW-0001/enrol", R"({"arm":"A"})").result_int(), 200);
  auto res = app.post("/v1/observations", reading(2, "NEW-0001", 80));
  EXPECT_EQ(res.result_int(), 202) << res.body();
  // Withdrawn: refused with a clear error.
  ASSERT_EQ(admin.post("/v1/patients/NEW-0001/withdraw", R"({"reason":"consent withdrawn"})").result_int(), 200);
  res = app.post("/v1/observations", reading(3, "NEW-0001", 80));
  EXPECT_EQ(res.result_int(), 422) << res.body();
  EXPECT_NE(res.body().find("patient-not-enrolled"), std::string::npos) << res.body();

  // A new protocol version (heart rate above 120 alerts) applies to the next reading, and the alert
  // records the version it was raised under.
  res = admin.get("/v1/trials/NCT09990001/protocols/1");
  ASSERT_EQ(res.result_int(), 200) << res.body();
  std::string document(json::parse(res.body()).at("document").as_string());
  const auto at = document.find("high: 130");
  ASSERT_NE(at, std::string::npos) << document;
  document.replace(at, 9, "high: 120");
  json::object upload{{"document", document}, {"reason", "tighter heart-rate limit"}};
  res = admin.post("/v1/trials/NCT09990001/protocols", json::serialize(upload));
  ASSERT_EQ(res.result_int(), 201) << res.body();
  http::TestClient device(*port);
  device.with_headers({{"Authorization", bearer("patient", "DEMO-S01-0002")}});
  ASSERT_EQ(device.post("/v1/observations", reading(4, "DEMO-S01-0002", 125)).result_int(), 202);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  std::string found;
  while (found.empty() && std::chrono::steady_clock::now() < deadline) {
    const auto doc = json::parse(admin.get("/v1/alerts?patient=DEMO-S01-0002").body());
    for (const auto& a : doc.at("alerts").as_array()) {
      if (a.at("rule_id").as_string() == "threshold:8867-4") found = json::serialize(a);
    }
    if (found.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_FALSE(found.empty()) << "no alert for a reading above the new limit";
  EXPECT_NE(found.find("\"protocol_version\":2"), std::string::npos) << found;
  vigil.signal(SIGTERM);
  EXPECT_EQ(vigil.wait(), 0) << vigil.output();
}

TEST(Guard, AuditVerifyFindsTheFirstEditedRecord) {
  TempFolder folder;
  const auto config = write_config(folder.path(), folder.path() / "data").string();
  {
    VigilProcess vigil({"serve", "--config", config});
    const auto port = vigil.wait_listening();
    ASSERT_TRUE(port) << vigil.output();
    http::TestClient client(*port);
    for (int i = 0; i < 3; ++i) EXPECT_EQ(client.get("/v1/alerts").result_int(), 401);  // audited
    vigil.signal(SIGTERM);
    ASSERT_EQ(vigil.wait(), 0) << vigil.output();
  }
  {
    VigilProcess verify({"audit", "verify", "--config", config});
    EXPECT_EQ(verify.wait(), 0) << verify.output();
    EXPECT_NE(verify.output().find("audit trail intact"), std::string::npos) << verify.output();
  }
  // Someone with the file edits one record (after removing the append-only trigger).
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((folder.path() / "data" / "registry.db").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db,
                         "DROP TRIGGER audit_log_no_update; "
                         "UPDATE audit_log SET reason = 'nothing happened' "
                         "WHERE seq = (SELECT MAX(seq) - 1 FROM audit_log);",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT MAX(seq) - 1 FROM audit_log", -1, &stmt, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  const auto edited = sqlite3_column_int64(stmt, 0);
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  VigilProcess verify({"audit", "verify", "--config", config});
  EXPECT_EQ(verify.wait(), 1) << verify.output();
  EXPECT_NE(verify.output().find(fmt::format("BROKEN at record {} (hash mismatch)", edited)), std::string::npos)
      << verify.output();
}

}  // namespace
}  // namespace vigil::testing
