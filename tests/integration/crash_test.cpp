// Crash safety: post at load, SIGKILL the server mid-stream, restart it on the same data. Every
// observation that got a 202 must be stored exactly once, and replaying the log after the restart
// must not duplicate any alert.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <boost/json/parse.hpp>
#include <map>
#include <set>
#include <thread>

#include "common/clock.h"
#include "http/test_client.h"
#include "process.h"

namespace vigil::testing {
namespace {

namespace json = boost::json;

constexpr int kPatients = 40;
constexpr int kBatch = 20;
constexpr int kClients = 4;
constexpr std::size_t kAckedBeforeKill = 3000;

std::string patient(int n) {
  return fmt::format("DEMO-S0{}-{:04}", 1 + n % 5, 1 + n / 5);
}

// One client posting batches until the server goes away; returns the ids that got a 202.
std::vector<std::string> post_until_failure(std::uint16_t port, int client, std::atomic<std::size_t>& acked) {
  std::vector<std::string> ids;
  try {
    http::TestClient http(port);
    const auto time = format_rfc3339(SystemClock{}.now() - std::chrono::minutes(1));
    for (int request = 0;; ++request) {
      // A patient's app uploads its own readings: one patient per batch, each client cycling
      // through the patients.
      const auto who = patient((request * kClients + client) % kPatients);
      std::string body = R"({"observations":[)";
      std::vector<std::string> batch;
      for (int i = 0; i < kBatch; ++i) {
        const int n = client * 1'000'000 + request * kBatch + i;
        batch.push_back(fmt::format("00000000-0000-4000-8000-{:012d}", n));
        if (i) body += ',';
        // 150/min is above the demo protocol's heart-rate threshold (130): every reading alerts.
        body += fmt::format(
            R"({{"id":"{}","patient_id":"{}","code":"8867-4","value":150,"unit":"/min","effective_time":"{}"}})",
            batch.back(), who, time);
      }
      body += "]}";
      auto res = http.post("/v1/observations", body, {{"Authorization", bearer("patient", who)}});
      if (res.result_int() == 202) {
        ids.insert(ids.end(), batch.begin(), batch.end());
        acked += batch.size();
      } else if (res.result_int() != 503) {
        ADD_FAILURE() << "unexpected answer " << res.result_int() << ": " << res.body();
        return ids;
      }
    }
  } catch (const std::exception&) {
    // The server was killed: the request in flight has no answer, so nothing of it was promised.
  }
  return ids;
}

// Both intake-log engines: the segment log (the default) and SQLite.
class CrashSafety : public ::testing::TestWithParam<std::string> {};

TEST_P(CrashSafety, EveryAcknowledgedObservationSurvivesSigkillExactlyOnceAndNoAlertIsDuplicated) {
  TempFolder folder;
  const auto config =
      write_config(folder.path(), folder.path() / "data", "", fmt::format("  log_engine: {}\n", GetParam()))
          .string();
  std::vector<std::string> acked_ids;
  {
    VigilProcess vigil({"serve", "--config", config});
    const auto port = vigil.wait_listening();
    ASSERT_TRUE(port) << vigil.output();
    std::atomic<std::size_t> acked{0};
    std::vector<std::vector<std::string>> results(kClients);
    std::vector<std::thread> clients;
    for (int c = 0; c < kClients; ++c) {
      clients.emplace_back([&, c] { results[c] = post_until_failure(*port, c, acked); });
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    while (acked.load() < kAckedBeforeKill && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    vigil.signal(SIGKILL);  // mid-stream: requests are in flight on every client
    EXPECT_EQ(vigil.wait(), 128 + SIGKILL);
    for (auto& t : clients) t.join();
    for (auto& r : results) acked_ids.insert(acked_ids.end(), r.begin(), r.end());
    ASSERT_GE(acked_ids.size(), kAckedBeforeKill);
  }

  VigilProcess vigil({"serve", "--config", config});
  const auto port = vigil.wait_listening();
  ASSERT_TRUE(port) << vigil.output();
  http::TestClient http(*port);
  http.with_headers({{"Authorization", bearer("admin")}});
  // Let the pipeline replay whatever it had not committed before the kill.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  for (;;) {
    const auto ready = json::parse(http.get("/readyz").body()).as_object();
    if (ready.at("processing_lag").as_int64() == 0) break;
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "pipeline did not catch up";
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }

  std::multiset<std::string> stored;
  for (int p = 0; p < kPatients; ++p) {
    auto res = http.get(fmt::format("/v1/patients/{}/observations?code=8867-4&limit=1000", patient(p)));
    ASSERT_EQ(res.result_int(), 200) << res.body();
    const auto list = json::parse(res.body()).as_object().at("observations").as_array();
    ASSERT_LT(list.size(), 1000U);  // the page holds everything
    for (const auto& o : list) stored.insert(std::string(o.at("id").as_string()));
  }
  for (const auto& id : acked_ids) {
    ASSERT_EQ(stored.count(id), 1U) << "acknowledged observation " << id << " stored " << stored.count(id)
                                    << " times";
  }
  for (const auto& id : stored) ASSERT_EQ(stored.count(id), 1U) << id;

  auto res = http.get("/v1/alerts?limit=500");
  ASSERT_EQ(res.result_int(), 200);
  std::map<std::pair<std::string, std::string>, int> unresolved;
  const auto page = json::parse(res.body());
  for (const auto& a : page.at("alerts").as_array()) {
    const auto& alert = a.as_object();
    ++unresolved[{std::string(alert.at("patient_id").as_string()),
                  std::string(alert.at("rule_id").as_string())}];
  }
  for (int p = 0; p < kPatients; ++p) {
    EXPECT_EQ((unresolved[{patient(p), "threshold:8867-4"}]), 1) << patient(p);
  }
  for (const auto& [key, count] : unresolved) EXPECT_EQ(count, 1) << key.first << " " << key.second;

  vigil.signal(SIGTERM);
  EXPECT_EQ(vigil.wait(), 0) << vigil.output();
}

INSTANTIATE_TEST_SUITE_P(LogEngines, CrashSafety, ::testing::Values("segment", "sqlite"),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

}  // namespace
}  // namespace vigil::testing
