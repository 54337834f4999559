// The chain the composition root actually builds: its links in the documented order
// (docs/operations.md, "Middleware chain"), with the optional links left out when configured off.
#include "app/gateway.h"

#include <gtest/gtest.h>

#include <boost/asio/thread_pool.hpp>
#include <string_view>
#include <vector>

namespace vigil::app {
namespace {

class GatewayTest : public ::testing::Test {
 protected:
  std::vector<std::string_view> chain_of(const config::Config& config) {
    const Gateway gateway(GatewayDeps{config, metrics_, verifier_, nullptr, pool_, [] { return std::size_t{0}; }, {}});
    return gateway.chain().names();
  }

  observability::MetricsRegistry metrics_;
  SystemClock clock_;
  auth::JwtVerifier verifier_{{.hs256_secret = "0123456789abcdef0123456789abcdef"}, clock_};
  boost::asio::thread_pool pool_{1};
};

TEST_F(GatewayTest, BuildsTheDocumentedOrder) {
  const config::Config config;  // the defaults: rate limits and shedding on
  EXPECT_EQ(chain_of(config), (std::vector<std::string_view>{"request-id", "access-log", "metrics", "caps", "rate-limit",
                                                             "load-shedding", "deadline", "authentication",
                                                             "body-limit"}));
}

TEST_F(GatewayTest, LeavesOutTheLinksConfiguredOff) {
  config::Config config;
  config.rate_limits.enabled = false;
  config.shedding.enabled = false;
  EXPECT_EQ(chain_of(config), (std::vector<std::string_view>{"request-id", "access-log", "metrics", "caps", "deadline",
                                                             "authentication", "body-limit"}));
}

}  // namespace
}  // namespace vigil::app
