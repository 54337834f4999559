// A registry store that hangs: requests stop waiting at their deadline (504), the store's bulkhead
// fills without touching the other pools, its circuit breaker then refuses calls at once (503), the
// node stays healthy, and calls go through again once the store recovers. The hang is real: another
// connection holds SQLite's write lock; the breaker's clock is injected.
#include <sqlite3.h>

#include <thread>

#include "api/registry_api_fixture.h"
#include "common/ticker.h"
#include "middleware/deadline.h"
#include "resilience/breaker.h"
#include "resilience/bulkhead.h"

namespace vigil::api::testing {
namespace {

class StoreResilienceTest : public ::testing::Test {
 protected:
  StoreResilienceTest()
      : clock_(time_at("2026-11-22T08:00:00Z")),
        // A long busy timeout: a locked store does not fail, it hangs (for the length of the test).
        store_(store::SqliteStoreOptions{dir_.path() / "registry.db", std::nullopt, 120'000}, clock_),
        registry_(registry::load_protocol_file(VIGIL_DEMO_PROTOCOL)),
        log_(dir_.path() / "intake.db", log_options()),
        alerts_(dir_.path() / "alerts.db"),
        blocking_(2),
        breaker_("registry-store",
                 resilience::BreakerOptions{.k = 1.5,
                                            .window = std::chrono::seconds(10),
                                            .buckets = 10,
                                            .probe_interval = std::chrono::seconds(1),
                                            .min_requests = 4},
                 ticker_, [] { return 0.5; }),
        bulkhead_("registry-store", 2, 2) {
    ApiDeps deps{log_, log_, *registry_, alerts_, blocking_, clock_, [] { return Readiness{}; }};
    deps.store = &store_;
    deps.store_breaker = &breaker_;
    deps.store_bulkhead = &bulkhead_;
    register_routes(router_, deps, ApiOptions{});
    chain_.add(std::make_unique<middleware::RequestIdLink>());
    chain_.add(std::make_unique<middleware::DeadlineLink>(
        std::map<std::string, std::chrono::milliseconds>{{"default", std::chrono::seconds(10)}}));
    chain_.add(std::make_unique<middleware::AuthenticationLink>(verifier_, nullptr, blocking_,
                                                                middleware::AuthFailureSink{}, refused_));
    http::ServerOptions options;
    options.io_threads = 2;
    options.shutdown_grace = std::chrono::milliseconds(2000);
    server_ = std::make_unique<http::Server>(options, router_, &chain_);
    server_->start();
  }
  ~StoreResilienceTest() override {
    unlock();
    server_->shutdown();
    bulkhead_.join();
    blocking_.join();
    log_.close();
  }

  log::SqliteLogOptions log_options() {
    log::SqliteLogOptions o;
    o.clock = &clock_;
    return o;
  }

  // Another connection takes the write lock: every store write now waits.
  void lock() {
    ASSERT_EQ(sqlite3_open((dir_.path() / "registry.db").c_str(), &locker_), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(locker_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  }
  void unlock() {
    if (locker_ == nullptr) return;
    sqlite3_exec(locker_, "ROLLBACK", nullptr, nullptr, nullptr);
    sqlite3_close(locker_);
    locker_ = nullptr;
  }

  Res create_trial(http::TestClient& client, int n, const char* timeout_ms = "200") {
    const auto body = fmt::format(R"({{"id":"T{}","name":"Trial {}","phase":"2","status":"recruiting"}})", n, n);
    return client.request(Verb::post, "/v1/trials", body,
                          {{"Authorization", "Bearer " + admin_}, {"X-Request-Timeout-Ms", timeout_ms}});
  }

  std::string token(const std::string& subject, const std::string& role) const {
    auth::Claims c;
    c.subject = subject;
    c.role = role;
    c.expires_at = clock_.now() + std::chrono::hours(1);
    return auth::JwtSigner::hs256(secret_).sign(c);
  }

  ScratchDir dir_;
  ManualClock clock_;
  ManualTicker ticker_;
  store::SqliteRegistryStore store_;
  std::unique_ptr<registry::Registry> registry_;
  log::SqliteLog log_;
  alerts::AlertService alerts_;
  boost::asio::thread_pool blocking_;
  resilience::SreBreaker breaker_;
  resilience::Bulkhead bulkhead_;
  const std::string secret_ = std::string(32, 's');
  auth::JwtVerifier verifier_{{.hs256_secret = secret_}, clock_};
  observability::MetricsRegistry metrics_;
  middleware::RefusalCounters refused_{metrics_};
  http::Router router_;
  http::Chain chain_;
  std::unique_ptr<http::Server> server_;
  sqlite3* locker_ = nullptr;
  const std::string admin_ = token("alice-admin", "admin");
};

TEST_F(StoreResilienceTest, AHangingStoreTripsTheDeadlineThenTheBreakerAndRecovers) {
  http::TestClient client(server_->port());
  ASSERT_EQ(create_trial(client, 1).result_int(), 201);

  lock();
  // Each write hangs on the lock: the client gets 504 at its deadline while the call keeps its
  // bulkhead slot (2 threads + 2 queued).
  for (int n = 2; n <= 5; ++n) {
    auto res = create_trial(client, n);
    EXPECT_EQ(res.result_int(), 504) << res.body();
    EXPECT_EQ(object_of(res).at("type").as_string(), "/problems/deadline-exceeded");
  }
  EXPECT_EQ(bulkhead_.admitted(), 4U);
  // The breaker has seen 4 failures and no success: p = 4 / 5 > 0.5, so it now refuses at once,
  // without waiting for any deadline.
  EXPECT_GT(breaker_.reject_probability(), 0.5);
  auto res = create_trial(client, 6, "60000");
  EXPECT_EQ(res.result_int(), 503);
  EXPECT_EQ(object_of(res).at("type").as_string(), "/problems/store-unavailable");
  EXPECT_FALSE(res[boost::beast::http::field::retry_after].empty());
  EXPECT_GE(breaker_.rejected(), 1U);

  // The node stays healthy and its other pools serve: health and alert reads answer.
  EXPECT_EQ(client.get("/healthz").result_int(), 200);
  EXPECT_EQ(client.get("/v1/alerts", {{"Authorization", "Bearer " + admin_}}).result_int(), 200);

  // The store recovers: the hung calls finish and release their slots.
  unlock();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (bulkhead_.admitted() > 0 && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
  ASSERT_EQ(bulkhead_.admitted(), 0U);
  // A probe goes through after probe_interval even though the window still holds the failures...
  ticker_.advance(std::chrono::seconds(1));
  EXPECT_EQ(create_trial(client, 7).result_int(), 201);
  // ...and once the failures leave the window, calls flow normally again.
  ticker_.advance(std::chrono::seconds(11));
  EXPECT_EQ(breaker_.reject_probability(), 0.0);
  EXPECT_EQ(create_trial(client, 8).result_int(), 201);
  EXPECT_EQ(create_trial(client, 9).result_int(), 201);
}

}  // namespace
}  // namespace vigil::api::testing
