// The alert-latency scenario end to end against a tiny in-test server (127.0.0.1, port 0) that
// accepts readings, enforces device keys bound to one patient, and publishes an alert on its SSE
// stream for every reading above 130 /min. Assertions are on counts only, never on timing.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "loadgen/awaitable.h"
#include "loadgen/client.h"

namespace vigil::loadgen {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

class AlertingServer {
 public:
  // `devices`: API key -> the one patient it may post for.
  explicit AlertingServer(std::map<std::string, std::string> devices = {})
      : devices_(std::move(devices)), acceptor_(io_, {asio::ip::address_v4::loopback(), 0}) {
    asio::co_spawn(io_, accept(), asio::detached);
    thread_ = std::thread([this] { io_.run(); });
  }
  ~AlertingServer() {
    io_.stop();
    thread_.join();
  }
  std::string url() const { return fmt::format("http://127.0.0.1:{}", acceptor_.local_endpoint().port()); }

  struct Seen {
    std::size_t posts = 0;
    std::size_t wrong_patient = 0;  // a device key used for another patient's reading
    std::size_t alerts = 0;
    std::set<std::string> alert_patients;
    std::vector<std::string> stream_authorization;
  };
  Seen seen() const {
    std::lock_guard lock(mutex_);
    return seen_;
  }

 private:
  asio::awaitable<void> accept() {
    for (;;) {
      auto [ec, socket] = co_await acceptor_.async_accept(kTuple);
      if (ec) co_return;
      asio::co_spawn(io_, session(std::make_shared<tcp::socket>(std::move(socket))), asio::detached);
    }
  }

  asio::awaitable<void> session(std::shared_ptr<tcp::socket> socket) {
    boost::beast::flat_buffer buffer;
    for (;;) {
      http::request<http::string_body> req;
      if (auto [ec, n] = co_await http::async_read(*socket, buffer, req, kTuple); ec) co_return;
      if (req.target() == "/v1/alerts/stream") {
        co_await subscribe(socket, std::string(req[http::field::authorization]));
        co_return;
      }
      http::response<http::string_body> res{http::status::accepted, req.version()};
      if (!accept_reading(std::string(req["X-API-Key"]), req.body())) res.result(http::status::forbidden);
      res.set(http::field::content_type, "application/json");
      res.body() = R"({"accepted":1,"duplicates":0})";
      res.keep_alive(req.keep_alive());
      res.prepare_payload();
      if (auto [ec, n] = co_await http::async_write(*socket, res, kTuple); ec) co_return;
    }
  }

  asio::awaitable<void> subscribe(std::shared_ptr<tcp::socket> socket, std::string authorization) {
    {
      std::lock_guard lock(mutex_);
      seen_.stream_authorization.push_back(authorization);
    }
    if (authorization != "Bearer staff") {
      const std::string body = R"({"type":"/problems/unauthorized","status":401})";
      const std::string res = fmt::format(
          "HTTP/1.1 401 Unauthorized\r\nContent-Type: application/problem+json\r\nContent-Length: "
          "{}\r\n\r\n{}",
          body.size(), body);
      co_await asio::async_write(*socket, asio::buffer(res), kTuple);
      co_return;
    }
    static constexpr std::string_view kHead =
        "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\nretry: 2000\r\n\r\n";
    co_await asio::async_write(*socket, asio::buffer(kHead), kTuple);
    stream_ = socket;  // written to by accept_reading, on this same io thread
  }

  // Checks the device binding and, for a reading above 130 /min, publishes its alerts: the
  // threshold one and NEWS2, each frame written in two pieces split inside the data line.
  bool accept_reading(const std::string& api_key, const std::string& body) {
    const json::object o = json::parse(body).as_object();
    const std::string patient(o.at("patient_id").as_string());
    const std::string id(o.at("id").as_string());
    std::lock_guard lock(mutex_);
    ++seen_.posts;
    if (!api_key.empty()) {
      auto it = devices_.find(api_key);
      if (it == devices_.end() || it->second != patient) {
        ++seen_.wrong_patient;
        return false;
      }
    }
    if (o.at("value").to_number<double>() <= 130) return true;
    ++seen_.alerts;
    seen_.alert_patients.insert(patient);
    for (const char* rule : {"threshold:8867-4", "news2"}) {
      ++event_id_;
      json::object alert{
          {"id", fmt::format("al_{:016x}", event_id_)}, {"patient_id", patient}, {"rule_id", rule}};
      // As Vigil sends it: the event names the readings its change merged (docs/api.md, Alert events).
      json::object event{{"event_id", event_id_},
                         {"kind", "opened"},
                         {"actor", "system"},
                         {"alert", alert},
                         {"observation_ids", json::array{json::value(id)}}};
      const std::string frame =
          fmt::format("id: {}\nevent: opened\ndata: {}\n\n", event_id_, json::serialize(event));
      if (stream_) {
        boost::system::error_code ec;
        const std::size_t cut = frame.find(id) + 5;
        asio::write(*stream_, asio::buffer(frame.data(), cut), ec);
        asio::write(*stream_, asio::buffer(frame.data() + cut, frame.size() - cut), ec);
      }
    }
    return true;
  }

  const std::map<std::string, std::string> devices_;
  asio::io_context io_{1};
  tcp::acceptor acceptor_;
  std::shared_ptr<tcp::socket> stream_;
  std::uint64_t event_id_ = 0;
  std::thread thread_;
  mutable std::mutex mutex_;
  Seen seen_;
};

LoadOptions alert_options(const AlertingServer& server) {
  LoadOptions o;
  o.url = server.url();
  o.scenario = Scenario::alert_latency;
  o.mode = Mode::open;
  o.rate = 400;
  o.connections = 4;
  o.warmup = 100ms;
  o.duration = 500ms;
  o.timeout = 5s;
  o.alert_wait = 10s;  // an upper bound; the run ends as soon as every alert is in
  o.seed = 42;
  o.headers = {{"X-Run", "test"}};
  o.stream_headers = {{"Authorization", "Bearer staff"}};
  return o;
}

TEST(AlertLatency, MatchesEveryAlertingReadingToItsStreamEvent) {
  AlertingServer server;
  LoadOptions o = alert_options(server);
  o.alert_fraction = 0.25;
  const Report report = run_load(o);
  const AlertLatencyStats& a = report.alerts;
  const auto seen = server.seen();
  ASSERT_TRUE(a.enabled);
  EXPECT_EQ(report.mode, "open");
  EXPECT_EQ(report.scenario, "alert-latency");
  EXPECT_GT(a.sent, 0U);
  EXPECT_EQ(a.sent, seen.alerts);
  EXPECT_EQ(a.rejected, 0U);
  EXPECT_EQ(a.opened, a.sent);
  EXPECT_EQ(a.missing, 0U);
  EXPECT_EQ(a.repeat_events, a.sent) << "the NEWS2 alert of each reading is a repeat";
  EXPECT_EQ(a.unmatched_events, 0U);
  EXPECT_EQ(a.latency.count(), a.sent);
  EXPECT_EQ(seen.alert_patients.size(), seen.alerts) << "one alerting reading per patient";
  EXPECT_EQ(a.patients, 2000U);
  EXPECT_FALSE(a.patients_exhausted);
  ASSERT_EQ(seen.stream_authorization.size(), 1U);
  EXPECT_EQ(seen.stream_authorization[0], "Bearer staff");
}

TEST(AlertLatency, DevicesPostOnlyForTheirPatientAndPatientsRunOut) {
  const std::string k1 = "vk_" + std::string(42, 'a') + "A";
  const std::string k2 = "vk_" + std::string(42, 'b') + "A";
  const std::string k3 = "vk_" + std::string(42, 'c') + "A";
  AlertingServer server({{k1, "DEMO-S01-0001"}, {k2, "DEMO-S01-0002"}, {k3, "DEMO-S02-0001"}});
  LoadOptions o = alert_options(server);
  o.credentials = parse_credentials(
      fmt::format("DEMO-S01-0001 {}\nDEMO-S01-0002 {}\nDEMO-S02-0001 {}\n", k1, k2, k3), "creds");
  o.alert_fraction = 1;
  const Report report = run_load(o);
  const auto seen = server.seen();
  EXPECT_GT(seen.posts, 10U);
  EXPECT_EQ(seen.wrong_patient, 0U);
  EXPECT_EQ(report.stats.counts.ok, report.stats.counts.total());
  const AlertLatencyStats& a = report.alerts;
  EXPECT_EQ(a.patients, 3U);
  EXPECT_TRUE(a.patients_exhausted);
  EXPECT_EQ(a.sent, 3U);
  EXPECT_EQ(a.opened, 3U);
  EXPECT_EQ(a.missing, 0U);
  EXPECT_EQ(seen.alert_patients, (std::set<std::string>{"DEMO-S01-0001", "DEMO-S01-0002", "DEMO-S02-0001"}));
}

TEST(AlertLatency, AStreamThatRefusesTheTokenStopsTheRunBeforeItStarts) {
  AlertingServer server;
  LoadOptions o = alert_options(server);
  o.stream_headers = {{"Authorization", "Bearer device"}};
  try {
    run_load(o);
    FAIL() << "expected LoadgenError";
  } catch (const LoadgenError& e) {
    EXPECT_NE(std::string(e.what()).find("answered 401 Unauthorized"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("/problems/unauthorized"), std::string::npos) << e.what();
  }
  EXPECT_EQ(server.seen().posts, 0U);
}

TEST(AlertLatency, ClosedLoopIsRefused) {
  AlertingServer server;
  LoadOptions o = alert_options(server);
  o.mode = Mode::closed;
  EXPECT_THROW(run_load(o), LoadgenError);
}

}  // namespace
}  // namespace vigil::loadgen
