// Each link of the chain alone, on a request context built in memory, with injected tickers and
// clocks: deterministic, no sockets, no sleeps. (The chain over real sockets: http/chain_test.cpp;
// the whole server: tests/integration.)
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/asio/thread_pool.hpp>
#include <map>
#include <mutex>

#include "auth/api_key.h"
#include "middleware/access_log.h"
#include "middleware/authentication.h"
#include "middleware/body_limit.h"
#include "middleware/caps.h"
#include "middleware/deadline.h"
#include "middleware/http_metrics.h"
#include "middleware/rate_limit.h"
#include "middleware/request_id.h"
#include "middleware/shedding.h"

namespace vigil::middleware {
namespace {

using namespace std::chrono_literals;

// One request context in memory, and a way to run a link's coroutine to completion.
class Exchange {
 public:
  explicit Exchange(http::RouteOptions options = {}, std::string pattern = "/v1/things")
      : route_{std::move(pattern), std::move(options)}, stream_(ioc_) {
    request_.method(http::Verb::get);
    request_.target(route_.pattern);
    ctx_ = std::make_unique<http::RequestContext>(request_, stream_, route_.pattern, "", http::PathParams{},
                                                  std::chrono::steady_clock::now(), draining_, hooks_);
    ctx_->route = &route_;
    ctx_->remote_address = "10.0.0.7";
    ctx_->request_on_connection = 1;
  }
  http::Request& request() { return request_; }
  http::RequestContext& ctx() { return *ctx_; }

  http::Verdict run(http::Middleware& link) {
    auto f = boost::asio::co_spawn(ioc_, link.on_request(*ctx_), boost::asio::use_future);
    ioc_.restart();
    ioc_.run();
    return f.get();
  }
  std::optional<http::Response> respond(http::Middleware& link, unsigned status = 200) {
    std::optional<http::Response> res(http::Response{static_cast<http::Status>(status), 11});
    link.on_response(*ctx_, res);
    return res;
  }

 private:
  http::RouteInfo route_;
  boost::asio::io_context ioc_;
  http::Request request_;
  boost::beast::tcp_stream stream_;
  std::atomic<bool> draining_{false};
  http::ConnectionHooks hooks_;
  std::unique_ptr<http::RequestContext> ctx_;
};

class LinkTest : public ::testing::Test {
 protected:
  observability::MetricsRegistry metrics_;
  RefusalCounters refused_{metrics_};
};

TEST_F(LinkTest, RequestIdKeepsAWellFormedClientIdAndContinuesItsTrace) {
  RequestIdLink link;
  Exchange ex;
  ex.request().set("X-Request-Id", "client-42.a_b");
  ex.request().set("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  EXPECT_FALSE(ex.run(link).stopped());
  EXPECT_EQ(ex.ctx().request_id, "client-42.a_b");
  EXPECT_EQ(ex.ctx().trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_TRUE(ex.ctx().traceparent.starts_with("00-4bf92f3577b34da6a3ce929d0e0e4736-"));
  EXPECT_EQ(ex.ctx().traceparent.find("00f067aa0ba902b7"), std::string::npos);  // a new span for this hop
  auto res = ex.respond(link);
  EXPECT_EQ((*res)["X-Request-Id"], "client-42.a_b");
  EXPECT_EQ((*res)["traceparent"], ex.ctx().traceparent);
}

TEST_F(LinkTest, RequestIdReplacesUnsafeIdsAndStartsATraceWhenNoneCame) {
  RequestIdLink link;
  Exchange ex;
  ex.request().set("X-Request-Id", "evil\" id=1");
  ex.request().set("traceparent", "00-00000000000000000000000000000000-00f067aa0ba902b7-01");
  ex.run(link);
  EXPECT_EQ(ex.ctx().request_id.size(), 32u);
  EXPECT_NE(ex.ctx().trace_id, "00000000000000000000000000000000");
  EXPECT_EQ(ex.ctx().trace_id.size(), 32u);
  EXPECT_FALSE(acceptable_request_id(std::string(65, 'a')));
  EXPECT_FALSE(acceptable_request_id(""));
}

TEST_F(LinkTest, MetricsCountByRouteMethodAndCodeAndTrackInFlight) {
  MetricsLink link(metrics_);
  Exchange ex({}, "/v1/alerts/{id}");
  ex.run(link);
  EXPECT_NE(metrics_.expose().find("vigil_http_in_flight_requests 1"), std::string::npos);
  ex.respond(link, 404);
  const auto text = metrics_.expose();
  EXPECT_NE(text.find(R"(vigil_http_requests_total{route="/v1/alerts/{id}",method="GET",code="404"} 1)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("vigil_http_in_flight_requests 0"), std::string::npos);
  EXPECT_NE(text.find(R"(vigil_http_request_duration_seconds_count{route="/v1/alerts/{id}"} 1)"), std::string::npos);
}

TEST_F(LinkTest, MetricsCountEveryCombinationPastWhatTheLinkMemoises) {
  // More (route, code) combinations than the link's lock-free memo keeps, each answered twice, and
  // routes built and freed one after another (so addresses repeat): every count lands on its own
  // labels.
  MetricsLink link(metrics_);
  const std::vector<std::string> routes{"/a", "/b", "/c"};
  for (int round = 0; round < 2; ++round) {
    for (const auto& route : routes) {
      for (unsigned code = 200; code < 600; ++code) {
        Exchange ex({}, route);
        ex.run(link);
        ex.respond(link, code);
      }
    }
  }
  const auto text = metrics_.expose();
  for (const auto& route : routes) {
    for (const unsigned code : {200U, 404U, 599U}) {
      EXPECT_NE(text.find(fmt::format(R"(vigil_http_requests_total{{route="{}",method="GET",code="{}"}} 2)", route,
                                      code)),
                std::string::npos)
          << route << " " << code;
    }
    EXPECT_NE(text.find(fmt::format(R"(vigil_http_request_duration_seconds_count{{route="{}"}} 800)", route)),
              std::string::npos)
        << route;
  }
  EXPECT_NE(text.find("vigil_http_in_flight_requests 0"), std::string::npos);
}

TEST_F(LinkTest, InFlightCapRefusesPastTheLimitAndAdmitsAgainWhenOneFinishes) {
  CapsLink link({.max_connections = 100, .max_in_flight = 2}, [] { return std::size_t{1}; }, refused_);
  Exchange a, b, c;
  EXPECT_FALSE(a.run(link).stopped());
  EXPECT_FALSE(b.run(link).stopped());
  auto v = c.run(link);
  ASSERT_TRUE(v.stopped());
  EXPECT_EQ(v.response().result(), http::Status::service_unavailable);
  EXPECT_EQ(v.response()[http::bhttp::field::retry_after], "1");
  EXPECT_EQ(refused_.in_flight_cap.value(), 1u);
  a.respond(link);
  EXPECT_FALSE(c.run(link).stopped());
  EXPECT_EQ(link.in_flight(), 2u);
}

TEST_F(LinkTest, ConnectionCapRefusesTheFirstRequestOfAnExtraConnectionAndClosesIt) {
  std::size_t open = 5;
  CapsLink link({.max_connections = 4, .max_in_flight = 100}, [&] { return open; }, refused_);
  Exchange ex;
  auto v = ex.run(link);
  ASSERT_TRUE(v.stopped());
  EXPECT_EQ(v.response().result(), http::Status::service_unavailable);
  EXPECT_TRUE(ex.ctx().close_connection);
  EXPECT_EQ(refused_.connection_cap.value(), 1u);
  open = 4;
  Exchange ok;
  EXPECT_FALSE(ok.run(link).stopped());
}

TEST_F(LinkTest, StreamsDoNotCountAgainstTheInFlightCap) {
  CapsLink link({.max_connections = 100, .max_in_flight = 1}, [] { return std::size_t{1}; }, refused_);
  Exchange stream({.group = "stream", .streaming = true});
  EXPECT_FALSE(stream.run(link).stopped());
  Exchange read;
  EXPECT_FALSE(read.run(link).stopped());
}

TEST_F(LinkTest, RateLimitAnswers429WithRetryAfterAndRateLimitHeadersPerCredentialAndGroup) {
  ManualTicker ticker;
  resilience::LocalRateLimiter limiter(ticker, 1000);
  RateLimitLink link(limiter, {{"default", {10, 20}}, {"intake", {1, 2}}}, refused_);
  Exchange first({.group = "intake"});
  first.request().set("X-API-Key", "vk_device_a");
  EXPECT_FALSE(first.run(link).stopped());
  EXPECT_FALSE(first.run(link).stopped());
  auto v = first.run(link);
  ASSERT_TRUE(v.stopped());
  auto& res = v.response();
  EXPECT_EQ(res.result(), http::Status::too_many_requests);
  EXPECT_EQ(res[http::bhttp::field::retry_after], "1");
  EXPECT_EQ(res["RateLimit-Limit"], "2");
  EXPECT_EQ(res["RateLimit-Remaining"], "0");
  EXPECT_EQ(res["RateLimit-Reset"], "2");
  EXPECT_EQ(res["RateLimit-Policy"], "2;w=2");
  EXPECT_EQ(refused_.rate_limit.value(), 1u);

  Exchange other_device({.group = "intake"});
  other_device.request().set("X-API-Key", "vk_device_b");
  EXPECT_FALSE(other_device.run(link).stopped());  // its own bucket
  Exchange read_group({.group = "read"});          // no entry: the default limit, its own bucket
  read_group.request().set("X-API-Key", "vk_device_a");
  EXPECT_FALSE(read_group.run(link).stopped());
  ticker.advance(1s);  // one token back
  EXPECT_FALSE(first.run(link).stopped());
  EXPECT_TRUE(first.run(link).stopped());
}

TEST_F(LinkTest, AnonymousClientsAreLimitedByAddress) {
  Exchange a;
  Exchange b;
  b.ctx().remote_address = "10.0.0.8";
  EXPECT_NE(RateLimitLink::key_for(a.ctx()), RateLimitLink::key_for(b.ctx()));
  EXPECT_EQ(RateLimitLink::key_for(a.ctx()), "default|ip:10.0.0.7");
}

TEST_F(LinkTest, SheddingRefusesReadsBeforeIntakeWhenHotAndOverTheMeasuredCapacity) {
  ManualTicker ticker;
  resilience::FixedCpuUsage cpu(0.0);
  // 10 buckets of 100 ms. History: 10 requests of 10 ms each in one bucket -> 100/s, min RT 10 ms,
  // so Little's law allows 1 request in flight (reads: 0.8).
  resilience::AdaptiveShedder shedder({.window = 1s, .buckets = 10, .cpu_threshold = 0.9, .cool_off = 0ms},
                                      ticker, cpu);
  for (int i = 0; i < 10; ++i) {
    auto t = shedder.allow(resilience::Priority::high);
    ticker.advance(10ms);
    t->pass();
  }
  ticker.advance(100ms);  // that bucket is complete: history exists
  SheddingLink link(shedder, 2s, refused_);
  Exchange held({.group = "intake", .priority = http::RoutePriority::high});
  EXPECT_FALSE(held.run(link).stopped());  // cold CPU: admitted; now 1 in flight
  cpu.set(1.0);
  Exchange read({.group = "read"});
  auto v = read.run(link);
  ASSERT_TRUE(v.stopped());
  EXPECT_EQ(v.response().result(), http::Status::service_unavailable);
  EXPECT_EQ(v.response()[http::bhttp::field::retry_after], "2");
  Exchange intake({.group = "intake", .priority = http::RoutePriority::high});
  EXPECT_FALSE(intake.run(link).stopped());  // 1 in flight is not over 1: intake still goes through
  EXPECT_EQ(refused_.shed.value(), 1u);
  intake.respond(link, 202);
  held.respond(link, 500);  // settled as a failure, not a pass
  EXPECT_EQ(shedder.stats().in_flight, 0);
}

TEST_F(LinkTest, DeadlineIsTheGroupDefaultShortenedByTheClient) {
  DeadlineLink link({{"default", 10s}, {"intake", 5s}});
  Exchange plain({.group = "intake"});
  plain.run(link);
  EXPECT_EQ(plain.ctx().deadline - plain.ctx().received_at, 5s);
  Exchange shorter({.group = "intake"});
  shorter.request().set("X-Request-Timeout-Ms", "250");
  shorter.run(link);
  EXPECT_EQ(shorter.ctx().deadline - shorter.ctx().received_at, 250ms);
  Exchange longer({.group = "intake"});
  longer.request().set("grpc-timeout", "1H");
  longer.run(link);
  EXPECT_EQ(longer.ctx().deadline - longer.ctx().received_at, 5s);  // a client can only shorten
  Exchange route_own({.group = "reports", .timeout = 2s});
  route_own.run(link);
  EXPECT_EQ(route_own.ctx().deadline - route_own.ctx().received_at, 2s);
  Exchange stream({.group = "stream", .streaming = true});
  stream.run(link);
  EXPECT_EQ(stream.ctx().deadline, std::chrono::steady_clock::time_point::max());
}

TEST_F(LinkTest, MalformedTimeoutHeaderIs400) {
  DeadlineLink link({{"default", 10s}});
  Exchange ex;
  ex.request().set("X-Request-Timeout-Ms", "-5");
  auto v = ex.run(link);
  ASSERT_TRUE(v.stopped());
  EXPECT_EQ(v.response().result(), http::Status::bad_request);
  EXPECT_NE(v.response().body().find("X-Request-Timeout-Ms"), std::string::npos);
}

TEST_F(LinkTest, BodyLimitIsTheRoutesOwn) {
  BodyLimitLink link(refused_);
  Exchange small({.max_body_bytes = 8});
  small.request().body() = "12345678";
  EXPECT_FALSE(small.run(link).stopped());
  Exchange big({.max_body_bytes = 8});
  big.request().body() = "123456789";
  auto v = big.run(link);
  ASSERT_TRUE(v.stopped());
  EXPECT_EQ(v.response().result(), http::Status::payload_too_large);
  Exchange unlimited;
  unlimited.request().body() = std::string(1000, 'x');
  EXPECT_FALSE(unlimited.run(link).stopped());
}

// Device keys held in memory: the directory the registry store provides, without the store.
class MemoryDeviceKeys final : public DeviceKeyDirectory {
 public:
  void add(const std::string& key, auth::Principal p) { keys_[auth::hash_api_key(key)] = std::move(p); }
  [[nodiscard]] std::optional<std::optional<auth::Principal>> cached(const std::string&) const override {
    return std::nullopt;  // always resolve: exercises the blocking-pool path
  }
  [[nodiscard]] std::optional<auth::Principal> resolve(const std::string& hash) const override {
    const auto it = keys_.find(hash);
    if (it == keys_.end()) return std::nullopt;
    return it->second;
  }

 private:
  std::map<std::string, auth::Principal> keys_;
};

class AuthenticationTest : public LinkTest {
 protected:
  AuthenticationTest() {
    auto keys = std::make_shared<MemoryDeviceKeys>();
    keys->add(device_key_, auth::Principal{.subject = "wear-1", .role = auth::Role::device, .sites = {}, .patient_id = "P1", .trial_id = ""});
    link_ = std::make_unique<AuthenticationLink>(
        verifier_, keys, pool_,
        [this](const AuthFailure& f) {
          std::lock_guard lock(mu_);
          failures_.push_back(f);
        },
        refused_);
  }
  ~AuthenticationTest() override { pool_.join(); }

  std::string token(std::chrono::seconds ttl, std::string role = "investigator") {
    auth::Claims c;
    c.subject = "dr-who";
    c.role = std::move(role);
    c.sites = {"S01"};
    c.issuer = "vigil";
    c.audience = {"vigil-api"};
    c.expires_at = clock_.now() + ttl;
    return auth::JwtSigner::hs256(secret_).sign(c);
  }

  const std::string secret_ = std::string(32, 's');
  ManualClock clock_{TimePoint(std::chrono::sys_days(std::chrono::year(2026) / 11 / 22))};
  auth::JwtVerifier verifier_{{.hs256_secret = secret_, .issuer = "vigil", .audience = "vigil-api"}, clock_};
  std::string device_key_ = auth::generate_api_key();
  boost::asio::thread_pool pool_{1};
  std::mutex mu_;
  std::vector<AuthFailure> failures_;
  std::unique_ptr<AuthenticationLink> link_;
};

TEST_F(AuthenticationTest, OpenRoutesNeedNoCredentials) {
  Exchange ex({.open = true}, "/healthz");
  EXPECT_FALSE(ex.run(*link_).stopped());
  EXPECT_EQ(ex.ctx().principal, nullptr);
}

TEST_F(AuthenticationTest, MissingCredentialsAre401WithWwwAuthenticateAndAFailureRecord) {
  Exchange ex;
  auto v = ex.run(*link_);
  ASSERT_TRUE(v.stopped());
  EXPECT_EQ(v.response().result(), http::Status::unauthorized);
  EXPECT_EQ(v.response()[http::bhttp::field::www_authenticate], R"(Bearer realm="vigil")");
  EXPECT_EQ(v.response()[http::bhttp::field::content_type], "application/problem+json");
  ASSERT_EQ(failures_.size(), 1u);
  EXPECT_EQ(failures_[0].reason, "missing-credentials");
  EXPECT_EQ(failures_[0].remote_address, "10.0.0.7");
}

TEST_F(AuthenticationTest, AValidBearerTokenBecomesThePrincipal) {
  Exchange ex;
  ex.request().set(http::bhttp::field::authorization, "Bearer " + token(1h));
  EXPECT_FALSE(ex.run(*link_).stopped());
  ASSERT_NE(ex.ctx().principal, nullptr);
  EXPECT_EQ(ex.ctx().principal->subject, "dr-who");
  EXPECT_EQ(ex.ctx().principal->role, auth::Role::investigator);
  EXPECT_EQ(ex.ctx().principal->sites, std::vector<std::string>{"S01"});
}

TEST_F(AuthenticationTest, ExpiredForgedAndUnknownRoleTokensAre401WithoutSayingWhy) {
  const auto expired = token(1h);
  clock_.advance(std::chrono::hours(2));
  std::string forged = token(1h);
  forged.back() = forged.back() == 'A' ? 'B' : 'A';
  for (const auto& [credential, reason] :
       std::vector<std::pair<std::string, std::string>>{{"Bearer " + expired, "expired"},
                                                        {"Bearer " + forged, "bad_signature"},
                                                        {"Bearer " + token(1h, "janitor"), "unusable-claims"},
                                                        {"Basic dXNlcjpwYXNz", "unsupported-scheme"}}) {
    Exchange ex;
    ex.request().set(http::bhttp::field::authorization, credential);
    auto v = ex.run(*link_);
    ASSERT_TRUE(v.stopped()) << reason;
    EXPECT_EQ(v.response().result(), http::Status::unauthorized);
    EXPECT_EQ(v.response().body().find(reason), std::string::npos);  // the body never says which check failed
    EXPECT_EQ(failures_.back().reason, reason);
  }
  EXPECT_EQ(refused_.unauthenticated.value(), 4u);
}

TEST_F(AuthenticationTest, DeviceKeysResolveToTheirPatientAndUnknownKeysAre401) {
  Exchange ex({.group = "intake"});
  ex.request().set("X-API-Key", device_key_);
  EXPECT_FALSE(ex.run(*link_).stopped());
  ASSERT_NE(ex.ctx().principal, nullptr);
  EXPECT_EQ(ex.ctx().principal->role, auth::Role::device);
  EXPECT_EQ(ex.ctx().principal->patient_id, "P1");

  Exchange scheme({.group = "intake"});
  scheme.request().set(http::bhttp::field::authorization, "ApiKey " + device_key_);
  EXPECT_FALSE(scheme.run(*link_).stopped());

  Exchange unknown({.group = "intake"});
  unknown.request().set("X-API-Key", auth::generate_api_key());
  auto v = unknown.run(*link_);
  ASSERT_TRUE(v.stopped());
  EXPECT_EQ(v.response().result(), http::Status::unauthorized);
  EXPECT_EQ(failures_.back().reason, "unknown-api-key");
}

}  // namespace
}  // namespace vigil::middleware
