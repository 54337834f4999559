// run() against targets that fail: a closed port and a peer that accepts connections but never
// answers. The run against the real server is the lead's end-to-end test (`vigil demo`).
#include "sim/simulator.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <future>

#include "sim/test_support.h"

namespace vigil::sim {
namespace {

using testing::run_bounded;

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using std::chrono::milliseconds;

std::string url_for(unsigned short port) {
  return "http://127.0.0.1:" + std::to_string(port);
}

// A port nobody listens on: bound by the OS, then released.
unsigned short closed_port() {
  asio::io_context io;
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  const auto port = acceptor.local_endpoint().port();
  acceptor.close();
  return port;
}

SimOptions quiet_options(std::string url) {
  SimOptions o;
  o.url = std::move(url);
  o.out = nullptr;
  o.subscribe_timeout = milliseconds(300);
  o.request_timeout = milliseconds(200);
  o.drain_timeout = milliseconds(300);
  o.settle_timeout = milliseconds(0);
  return o;
}

TEST(Simulator, AClosedPortIsReportedAtOnce) {
  SimOptions o = quiet_options(url_for(closed_port()));
  o.duration = std::chrono::hours(1);  // must not matter: nothing runs
  const SimSummary s = run_bounded(o);
  EXPECT_NE(s.error.find("cannot connect to 127.0.0.1:"), std::string::npos) << s.error;
  EXPECT_EQ(s.observations_sent, 0U);
  EXPECT_EQ(s.observations_acked, 0U);
  EXPECT_FALSE(s.consistent());
  EXPECT_NE(format_summary(s).find("did not run"), std::string::npos);
}

TEST(Simulator, UnusableOptionsAreReportedNotThrown) {
  EXPECT_NE(run_bounded(quiet_options("https://127.0.0.1:1")).error.find("only http://"), std::string::npos);
  EXPECT_NE(run_bounded(quiet_options("not a url")).error, "");
  SimOptions o = quiet_options(url_for(closed_port()));
  o.batch_size = 1001;
  EXPECT_EQ(run_bounded(o).error, "batch size must be within 1..1000");
  o = quiet_options(url_for(closed_port()));
  o.rate = 0;
  EXPECT_EQ(run_bounded(o).error, "rate must be above 0 observations/s");
}

TEST(Simulator, APeerThatNeverAnswersTimesOutAndTheRunStillEnds) {
  // Connections complete in the kernel's backlog; nothing is ever read or answered.
  asio::io_context io;
  tcp::acceptor silent(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  SimOptions o = quiet_options(url_for(silent.local_endpoint().port()));
  o.rate = 20'000;  // plenty due at once, whatever the machine's speed
  std::atomic<int> polls{0};
  SimHooks hooks;
  hooks.probe = [] { return SimProbe{0, 0}; };
  // Stop once the run has been polled a few times: it has started sending by then.
  hooks.stop_requested = [&] { return ++polls > 20; };
  const SimSummary s = run_bounded(o, hooks);

  EXPECT_TRUE(s.error.empty()) << s.error;
  EXPECT_EQ(s.patients, 2000U);
  EXPECT_GT(s.observations_generated, 0U);
  EXPECT_GT(s.observations_sent, 0U);
  EXPECT_EQ(s.observations_acked, 0U);
  EXPECT_EQ(s.requests_ok, 0U);
  EXPECT_GT(s.timeouts, 0U);
  // Everything sent was given up when the drain timed out, and the accounts balance.
  EXPECT_EQ(s.observations_abandoned + s.observations_acked + s.observations_refused,
            s.observations_generated);
  ASSERT_FALSE(s.warnings.empty());
  EXPECT_NE(s.warnings.front().find("alert stream was not subscribed"), std::string::npos)
      << s.warnings.front();
  EXPECT_EQ(s.stored, 0U);
  EXPECT_TRUE(s.consistent());  // nothing acknowledged, nothing stored
}

}  // namespace
}  // namespace vigil::sim
