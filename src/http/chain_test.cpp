// The middleware chain over real sockets: order, stop semantics, the on_response hooks, the
// exception guard, and deadlines that abandon blocking work with 504.
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <boost/asio/thread_pool.hpp>
#include <latch>
#include <mutex>
#include <sstream>

#include "http/blocking.h"
#include "http/middleware.h"
#include "http/problem.h"
#include "http/server.h"
#include "http/test_client.h"

namespace vigil::http {
namespace {

Response plain_text(std::string body) {
  Response res{Status::ok, 11};
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

// Records what it saw into a shared journal; stops requests whose path ends with `stop_on`.
class Recorder final : public Middleware {
 public:
  Recorder(std::string name, std::vector<std::string>& journal, std::mutex& mu, std::string stop_on = "")
      : name_(std::move(name)), journal_(journal), mu_(mu), stop_on_(std::move(stop_on)) {}
  [[nodiscard]] std::string_view name() const override { return name_; }
  asio::awaitable<Verdict> on_request(RequestContext& ctx) override {
    {
      std::lock_guard lock(mu_);
      journal_.push_back(name_ + ">" + (ctx.route != nullptr ? ctx.route->options.group : "none"));
    }
    if (!stop_on_.empty() && ctx.path.ends_with(stop_on_)) {
      co_return Verdict::stop(problem(Status::too_many_requests, "stopped", "Stopped", name_));
    }
    co_return Verdict::proceed();
  }
  void on_response(RequestContext&, std::optional<Response>& res) noexcept override {
    std::lock_guard lock(mu_);
    journal_.push_back(name_ + "<" + std::to_string(res ? res->result_int() : 0));
  }

 private:
  std::string name_;
  std::vector<std::string>& journal_;
  std::mutex& mu_;
  std::string stop_on_;
};

// Sets a deadline `ms` after the request arrived, like the real deadline link.
class FixedDeadline final : public Middleware {
 public:
  explicit FixedDeadline(std::chrono::milliseconds ms) : ms_(ms) {}
  [[nodiscard]] std::string_view name() const override { return "deadline"; }
  asio::awaitable<Verdict> on_request(RequestContext& ctx) override {
    ctx.deadline = ctx.received_at + ms_;
    co_return Verdict::proceed();
  }

 private:
  std::chrono::milliseconds ms_;
};

// A link that fails with an exception, as a bug in a link would.
class Throwing final : public Middleware {
 public:
  [[nodiscard]] std::string_view name() const override { return "throwing"; }
  asio::awaitable<Verdict> on_request(RequestContext&) override {
    throw std::runtime_error("secret link cause");
    co_return Verdict::proceed();
  }
};

// Routes spdlog's default logger into a string while it lives.
class CapturedLog {
 public:
  CapturedLog() : previous_(spdlog::default_logger()) {
    spdlog::set_default_logger(
        std::make_shared<spdlog::logger>("captured", std::make_shared<spdlog::sinks::ostream_sink_mt>(out_)));
  }
  ~CapturedLog() { spdlog::set_default_logger(previous_); }
  CapturedLog(const CapturedLog&) = delete;
  CapturedLog& operator=(const CapturedLog&) = delete;
  std::string text() {
    spdlog::default_logger()->flush();
    return out_.str();
  }

 private:
  std::ostringstream out_;
  std::shared_ptr<spdlog::logger> previous_;
};

class ChainTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router_.add(
        Verb::get, "/hello",
        [](RequestContext&) -> asio::awaitable<std::optional<Response>> { co_return plain_text("hi"); },
        RouteOptions{.group = "read"});
    router_.add(Verb::get, "/boom", [](RequestContext&) -> asio::awaitable<std::optional<Response>> {
      throw std::runtime_error("secret cause");
      co_return std::nullopt;
    });
    // Blocking work that hangs until the test releases it; captures only what it owns.
    router_.add(Verb::get, "/hang", [this](RequestContext& ctx) -> asio::awaitable<std::optional<Response>> {
      // A named lambda: g++ 12 destroys the captures of a temporary in a co_await expression twice.
      auto work = [gate = gate_] {
        gate->started.count_down();
        gate->release.wait();
        return 7;
      };
      auto v = co_await run_blocking(pool_, ctx.deadline, std::move(work));
      co_return plain_text(std::to_string(v));
    });
  }
  void TearDown() override {
    if (server_) server_->shutdown();
    pool_.join();
  }
  void start() {
    server_ = std::make_unique<Server>(ServerOptions{}, router_, &chain_);
    server_->start();
  }
  std::vector<std::string> journal() {
    std::lock_guard lock(mu_);
    return journal_;
  }

  struct Gate {
    std::latch started{1};
    std::latch release{1};
  };
  std::shared_ptr<Gate> gate_ = std::make_shared<Gate>();
  asio::thread_pool pool_{2};
  Router router_;
  Chain chain_;
  std::unique_ptr<Server> server_;
  std::mutex mu_;
  std::vector<std::string> journal_;
};

TEST_F(ChainTest, LinksRunInOrderAndResponsesUnwindInReverse) {
  chain_.add(std::make_unique<Recorder>("a", journal_, mu_))
      .add(std::make_unique<Recorder>("b", journal_, mu_));
  start();
  TestClient c(server_->port());
  EXPECT_EQ(c.get("/hello").body(), "hi");
  EXPECT_EQ(journal(), (std::vector<std::string>{"a>read", "b>read", "b<200", "a<200"}));
}

TEST_F(ChainTest, AStoppingLinkSkipsLaterLinksAndTheHandlerButEarlierLinksSeeTheRefusal) {
  chain_.add(std::make_unique<Recorder>("log", journal_, mu_))
      .add(std::make_unique<Recorder>("limit", journal_, mu_, "/hello"))
      .add(std::make_unique<Recorder>("auth", journal_, mu_));
  start();
  TestClient c(server_->port());
  auto res = c.get("/hello");
  EXPECT_EQ(res.result(), Status::too_many_requests);
  EXPECT_EQ(journal(), (std::vector<std::string>{"log>read", "limit>read", "log<429"}));
}

TEST_F(ChainTest, UnmatchedRoutesStillGoThroughTheChain) {
  chain_.add(std::make_unique<Recorder>("log", journal_, mu_));
  start();
  TestClient c(server_->port());
  EXPECT_EQ(c.get("/nope").result(), Status::not_found);
  EXPECT_EQ(journal(), (std::vector<std::string>{"log>none", "log<404"}));
}

TEST_F(ChainTest, ExceptionGuardAnswers500WithoutTheCause) {
  CapturedLog log;
  chain_.add(std::make_unique<Recorder>("log", journal_, mu_));
  start();
  TestClient c(server_->port());
  auto res = c.get("/boom");
  EXPECT_EQ(res.result(), Status::internal_server_error);
  EXPECT_EQ(res[bhttp::field::content_type], "application/problem+json");
  EXPECT_NE(res.body().find(R"("type":"/problems/internal")"), std::string::npos) << res.body();
  EXPECT_EQ(res.body().find("secret"), std::string::npos);
  EXPECT_EQ(journal().back(), "log<500");
  // The cause goes to the log, with the request, for the operator.
  EXPECT_NE(log.text().find("handler for GET /boom failed: secret cause"), std::string::npos) << log.text();
}

TEST_F(ChainTest, ALinkThatThrowsIsAnswered500AndStopsTheRequest) {
  CapturedLog log;
  chain_.add(std::make_unique<Recorder>("log", journal_, mu_))
      .add(std::make_unique<Throwing>())
      .add(std::make_unique<Recorder>("after", journal_, mu_));
  start();
  TestClient c(server_->port());
  auto res = c.get("/hello");
  EXPECT_EQ(res.result(), Status::internal_server_error);
  EXPECT_EQ(res[bhttp::field::content_type], "application/problem+json");
  EXPECT_EQ(res.body().find("secret"), std::string::npos);
  // Neither the links after it nor the handler ran; the links before it saw the 500.
  EXPECT_EQ(journal(), (std::vector<std::string>{"log>read", "log<500"}));
  EXPECT_NE(log.text().find("middleware link throwing failed: secret link cause"), std::string::npos) << log.text();
  EXPECT_EQ(c.get("/hello").result(), Status::internal_server_error) << "the server keeps answering";
}

TEST_F(ChainTest, HungBlockingWorkIsAbandonedAtTheDeadlineWith504) {
  chain_.add(std::make_unique<FixedDeadline>(std::chrono::milliseconds(30)));
  start();
  TestClient c(server_->port());
  auto res = c.get("/hang");  // the work never finishes before the deadline: it waits on the gate
  EXPECT_EQ(res.result(), Status::gateway_timeout);
  EXPECT_NE(res.body().find("deadline-exceeded"), std::string::npos);
  gate_->started.wait();
  gate_->release.count_down();  // the abandoned work finishes later without harm
  EXPECT_EQ(c.get("/hello").result(), Status::ok);
}

TEST_F(ChainTest, WorkThatFinishesInTimeAnswersNormally) {
  chain_.add(std::make_unique<FixedDeadline>(std::chrono::hours(1)));
  gate_->release.count_down();
  start();
  TestClient c(server_->port());
  EXPECT_EQ(c.get("/hang").body(), "7");
}

TEST_F(ChainTest, AnExpiredDeadlineSkipsTheHandler) {
  chain_.add(std::make_unique<FixedDeadline>(std::chrono::milliseconds(-1)));
  start();
  TestClient c(server_->port());
  EXPECT_EQ(c.get("/hello").result(), Status::gateway_timeout);
}

}  // namespace
}  // namespace vigil::http
