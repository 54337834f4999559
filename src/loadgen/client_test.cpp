#include "loadgen/client.h"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "loadgen/awaitable.h"

namespace vigil::loadgen {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

struct Seen {
  std::string method;
  std::string target;
  std::string content_type;
  std::string authorization;
  std::string body;
};

// A tiny HTTP/1.1 server on 127.0.0.1, port 0, on its own thread. It records every request and
// answers it with the status `answer(n)` picks for the n-th request (0-based), unless told to
// stay silent or to hang up.
class TestServer {
 public:
  enum class Behaviour { answer, never_answer, hang_up };

  explicit TestServer(std::function<http::status(std::size_t)> answer,
                      Behaviour behaviour = Behaviour::answer)
      : answer_(std::move(answer)),
        behaviour_(behaviour),
        acceptor_(io_, {asio::ip::address_v4::loopback(), 0}) {
    asio::co_spawn(io_, accept(), asio::detached);
    thread_ = std::thread([this] { io_.run(); });
  }
  explicit TestServer(http::status fixed) : TestServer([fixed](std::size_t) { return fixed; }) {}
  ~TestServer() {
    io_.stop();
    thread_.join();
  }

  std::string url() const { return fmt::format("http://127.0.0.1:{}", acceptor_.local_endpoint().port()); }
  std::vector<Seen> seen() const {
    std::lock_guard lock(mutex_);
    return seen_;
  }

 private:
  asio::awaitable<void> accept() {
    for (;;) {
      auto [ec, socket] = co_await acceptor_.async_accept(kTuple);
      if (ec) co_return;
      asio::co_spawn(io_, session(std::move(socket)), asio::detached);
    }
  }

  asio::awaitable<void> session(tcp::socket socket) {
    boost::beast::flat_buffer buffer;
    for (;;) {
      http::request<http::string_body> req;
      auto [ec, n] = co_await http::async_read(socket, buffer, req, kTuple);
      if (ec) co_return;
      std::size_t number = 0;
      {
        std::lock_guard lock(mutex_);
        number = seen_.size();
        seen_.push_back({std::string(req.method_string()), std::string(req.target()),
                         std::string(req[http::field::content_type]),
                         std::string(req[http::field::authorization]), req.body()});
      }
      if (behaviour_ == Behaviour::never_answer) continue;  // the next read waits for the client to give up
      if (behaviour_ == Behaviour::hang_up) co_return;
      http::response<http::string_body> res{answer_(number), req.version()};
      res.set(http::field::content_type, "application/json");
      if (res.result() == http::status::too_many_requests ||
          res.result() == http::status::service_unavailable) {
        res.set(http::field::retry_after, "1");
      }
      res.body() = R"({"accepted":1,"duplicates":0})";
      res.keep_alive(req.keep_alive());
      res.prepare_payload();
      auto [wec, wn] = co_await http::async_write(socket, res, kTuple);
      if (wec) co_return;
    }
  }

  std::function<http::status(std::size_t)> answer_;
  Behaviour behaviour_;
  asio::io_context io_{1};
  tcp::acceptor acceptor_;
  std::thread thread_;
  mutable std::mutex mutex_;
  std::vector<Seen> seen_;
};

LoadOptions options_for(const TestServer& server, Scenario scenario, std::uint64_t requests) {
  LoadOptions o;
  o.url = server.url();
  o.scenario = scenario;
  o.mode = Mode::closed;
  o.connections = 4;
  o.threads = 1;
  o.warmup = 0s;
  o.duration = 600s;  // a safety net only: every test ends on max_requests
  o.max_requests = requests;
  return o;
}

std::set<std::string> observation_ids(const std::vector<Seen>& seen) {
  std::set<std::string> ids;
  for (const auto& s : seen) {
    const json::value v = json::parse(s.body);
    if (v.as_object().contains("observations")) {
      for (const auto& o : v.at("observations").as_array()) ids.insert(std::string(o.at("id").as_string()));
    } else {
      ids.insert(std::string(v.at("id").as_string()));
    }
  }
  return ids;
}

TEST(Client, ClosedLoopSendsExactlyTheRequestedCountWithValidBodies) {
  TestServer server(http::status::accepted);
  const Report r = run_load(options_for(server, Scenario::single, 200));
  const auto seen = server.seen();
  ASSERT_EQ(seen.size(), 200U);
  for (const auto& s : seen) {
    EXPECT_EQ(s.method, "POST");
    EXPECT_EQ(s.target, "/v1/observations");
    EXPECT_EQ(s.content_type, "application/json");
    EXPECT_EQ(s.authorization, "");
    const json::object o = json::parse(s.body).as_object();
    for (const char* key : {"id", "patient_id", "device_id", "code", "effective_time"}) {
      EXPECT_TRUE(o.contains(key)) << key << " in " << s.body;
    }
    // A reading carries value and unit; a blood-pressure panel carries components instead.
    EXPECT_TRUE(o.contains("value") != o.contains("components")) << s.body;
    EXPECT_EQ(o.contains("unit"), o.contains("value")) << s.body;
  }
  EXPECT_EQ(observation_ids(seen).size(), 200U);
  EXPECT_EQ(r.stats.counts.ok, 200U);
  EXPECT_EQ(r.stats.counts.total(), 200U);
  EXPECT_EQ(r.stats.observations_acked, 200U);
  EXPECT_EQ(r.stats.latency.count(), 200U);
  EXPECT_GT(r.measured_s, 0);
  EXPECT_EQ(r.mode, "closed");
  EXPECT_EQ(r.scenario, "single");
}

TEST(Client, BatchesCountEveryObservation) {
  TestServer server(http::status::accepted);
  const Report r = run_load(options_for(server, Scenario::batch100, 20));
  const auto seen = server.seen();
  ASSERT_EQ(seen.size(), 20U);
  EXPECT_EQ(observation_ids(seen).size(), 2000U);
  EXPECT_EQ(r.stats.observations_acked, 2000U);
}

TEST(Client, CountsStatusClasses) {
  TestServer server([](std::size_t n) {
    static constexpr http::status kCycle[] = {http::status::accepted, http::status::too_many_requests,
                                              http::status::service_unavailable, http::status::bad_request};
    return kCycle[n % 4];
  });
  const Report r = run_load(options_for(server, Scenario::single, 100));
  EXPECT_EQ(r.stats.counts.ok, 25U);
  EXPECT_EQ(r.stats.counts.too_many, 25U);
  EXPECT_EQ(r.stats.counts.unavailable, 25U);
  EXPECT_EQ(r.stats.counts.other, 25U);
  EXPECT_EQ(r.stats.observations_acked, 25U);  // only 2xx acknowledges
  EXPECT_EQ(r.stats.latency.count(), 100U);    // every answer has a latency
  // The server's time is kept apart for accepted and refused answers; a 400 is neither.
  EXPECT_EQ(r.stats.service_ok.count(), 25U);
  EXPECT_EQ(r.stats.service_refused.count(), 50U);
  // Without warm-up every answer arrives inside the window: the two accounts agree.
  EXPECT_EQ(r.stats.completed.ok, 25U);
  EXPECT_EQ(r.stats.completed.too_many, 25U);
  EXPECT_EQ(r.stats.completed.unavailable, 25U);
  EXPECT_EQ(r.stats.completed.other, 25U);
}

TEST(Client, ServerTimeNeverExceedsTheLatencyFromTheSlot) {
  // Open loop far above what one connection can carry: every request waits for the connection
  // first, so the time from its slot includes that wait and the server's time does not.
  TestServer server(http::status::accepted);
  LoadOptions o = options_for(server, Scenario::single, 200);
  o.mode = Mode::open;
  o.rate = 1e9;
  o.connections = 1;
  const Report r = run_load(o);
  ASSERT_EQ(r.stats.service_ok.count(), 200U);
  EXPECT_LE(r.stats.service_ok.max(), r.stats.latency.max());
  EXPECT_LE(r.stats.service_ok.percentile(50), r.stats.latency.percentile(50));
  EXPECT_GT(r.stats.latency.max(), r.stats.service_ok.max());  // the last one waited for 199 others
  EXPECT_EQ(r.stats.completed.ok, 200U);
}

TEST(Client, OverloadedServerIsAllUnavailable) {
  TestServer server(http::status::service_unavailable);
  LoadOptions o = options_for(server, Scenario::single, 50);
  o.mode = Mode::open;
  o.rate = 20'000;
  const Report r = run_load(o);
  EXPECT_EQ(server.seen().size(), 50U);
  EXPECT_EQ(r.stats.counts.unavailable, 50U);
  EXPECT_EQ(r.stats.counts.ok, 0U);
  EXPECT_EQ(r.stats.observations_acked, 0U);
  EXPECT_EQ(r.acknowledged_per_s(), 0);
  EXPECT_EQ(r.stats.service_refused.count(), 50U);
  EXPECT_EQ(r.stats.service_ok.count(), 0U);
  EXPECT_EQ(r.stats.completed.unavailable, 50U);
  EXPECT_EQ(r.completed_ok_per_s(), 0);
  EXPECT_GT(r.completed_refused_per_s(), 0);
}

TEST(Client, OpenLoopOnSeveralThreadsSendsTheQuota) {
  TestServer server(http::status::accepted);
  LoadOptions o = options_for(server, Scenario::single, 60);
  o.mode = Mode::open;
  o.rate = 10'000;
  o.threads = 2;
  o.connections = 6;
  const Report r = run_load(o);
  EXPECT_EQ(server.seen().size(), 60U);
  EXPECT_EQ(r.stats.counts.ok, 60U);
  EXPECT_EQ(r.threads, 2U);
  EXPECT_EQ(observation_ids(server.seen()).size(), 60U);
}

TEST(Client, PathPrefixAndTokenReachTheServer) {
  TestServer server(http::status::accepted);
  LoadOptions o = options_for(server, Scenario::epro, 10);
  o.url = server.url() + "/gateway/";
  o.bearer_token = "t0ken";
  run_load(o);
  const auto seen = server.seen();
  ASSERT_EQ(seen.size(), 10U);
  for (const auto& s : seen) {
    EXPECT_EQ(s.target, "/gateway/v1/questionnaire-responses");
    EXPECT_EQ(s.authorization, "Bearer t0ken");
    const json::object b = json::parse(s.body).as_object();
    EXPECT_EQ(b.at("questionnaire").as_string(), "demo-daily");
    EXPECT_TRUE(b.at("answers").as_object().contains("pain"));
  }
}

TEST(Client, MixedScenarioReadsAlerts) {
  TestServer server(http::status::ok);
  LoadOptions o = options_for(server, Scenario::mixed, 100);
  o.connections = 1;  // one connection: its builder's every tenth request is the read
  const Report r = run_load(o);
  int reads = 0;
  for (const auto& s : server.seen()) {
    if (s.method == "GET") {
      ++reads;
      EXPECT_EQ(s.target, "/v1/alerts?limit=20");
    }
  }
  EXPECT_EQ(reads, 10);
  EXPECT_EQ(r.stats.counts.ok, 100U);
  EXPECT_EQ(r.stats.observations_acked, 90U);
}

TEST(Client, SilentServerTimesOut) {
  TestServer server([](std::size_t) { return http::status::accepted; }, TestServer::Behaviour::never_answer);
  LoadOptions o = options_for(server, Scenario::single, 3);
  o.connections = 1;
  o.timeout = 20ms;
  const Report r = run_load(o);
  EXPECT_EQ(server.seen().size(), 3U);
  EXPECT_EQ(r.stats.counts.timeouts, 3U);
  EXPECT_EQ(r.stats.counts.ok, 0U);
  EXPECT_EQ(r.stats.latency.count(), 0U);
}

TEST(Client, OpenLoopReportsTheBacklogItCouldNotSend) {
  // One connection stuck on a silent server for longer than the whole run: of the 100 slots of
  // 100 ms at 1000/s, only the first is ever sent.
  TestServer server([](std::size_t) { return http::status::accepted; }, TestServer::Behaviour::never_answer);
  LoadOptions o = options_for(server, Scenario::single, 0);
  o.mode = Mode::open;
  o.rate = 1000;
  o.connections = 1;
  o.duration = 100ms;
  o.timeout = 300ms;
  const Report r = run_load(o);
  EXPECT_EQ(server.seen().size(), 1U);
  EXPECT_EQ(r.stats.counts.timeouts, 1U);
  EXPECT_EQ(r.stats.unsent, 99U);
}

TEST(Client, HangUpIsAnErrorAndTheConnectionReopens) {
  TestServer server([](std::size_t) { return http::status::accepted; }, TestServer::Behaviour::hang_up);
  LoadOptions o = options_for(server, Scenario::single, 5);
  o.connections = 1;
  const Report r = run_load(o);
  EXPECT_EQ(server.seen().size(), 5U);
  EXPECT_EQ(r.stats.counts.errors, 5U);
}

TEST(Client, WarmupRequestsAreNotCounted) {
  TestServer server(http::status::accepted);
  LoadOptions o = options_for(server, Scenario::single, 10);
  o.warmup = 600s;  // the quota runs out long before the warm-up does
  const Report r = run_load(o);
  EXPECT_EQ(server.seen().size(), 10U);
  EXPECT_EQ(r.stats.counts.total(), 0U);
  EXPECT_EQ(r.stats.latency.count(), 0U);
  EXPECT_EQ(r.stats.completed.total(), 0U);
  EXPECT_EQ(r.stats.service_ok.count(), 0U);
}

TEST(Client, UnreachableTargetIsAnError) {
  std::uint16_t port = 0;
  {
    asio::io_context io;
    tcp::acceptor a(io, {asio::ip::address_v4::loopback(), 0});
    port = a.local_endpoint().port();
  }  // closed again: nothing listens there now
  LoadOptions o;
  o.url = fmt::format("http://127.0.0.1:{}", port);
  EXPECT_THROW(run_load(o), LoadgenError);
}

TEST(Client, RejectsBadOptions) {
  LoadOptions o;
  o.url = "https://127.0.0.1:1";
  EXPECT_THROW(run_load(o), LoadgenError);
  o.url = "not a url";
  EXPECT_THROW(run_load(o), LoadgenError);
  o = LoadOptions{};
  o.connections = 0;
  EXPECT_THROW(run_load(o), LoadgenError);
  o = LoadOptions{};
  o.mode = Mode::open;
  o.rate = 0;
  EXPECT_THROW(run_load(o), LoadgenError);
}

TEST(TargetUrl, Parts) {
  const TargetUrl t = parse_target_url("http://localhost:8090/api/");
  EXPECT_EQ(t.host, "localhost");
  EXPECT_EQ(t.port, "8090");
  EXPECT_EQ(t.host_header, "localhost:8090");
  EXPECT_EQ(t.path_prefix, "/api");
  const TargetUrl d = parse_target_url("http://example.org");
  EXPECT_EQ(d.port, "80");
  EXPECT_EQ(d.path_prefix, "");
  const TargetUrl v6 = parse_target_url("http://[::1]:9000");
  EXPECT_EQ(v6.host, "::1");
  EXPECT_EQ(v6.host_header, "[::1]:9000");
}

}  // namespace
}  // namespace vigil::loadgen
