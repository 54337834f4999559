#include "resilience/breaker.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <thread>
#include <vector>

namespace vigil::resilience {
namespace {

using std::chrono::milliseconds;

class BreakerTest : public ::testing::Test {
 protected:
  // 10 s window of 40 x 250 ms buckets; the ticker starts on a boundary.
  // min_requests = 0 unless a test is about it, so that small counts follow the formula.
  SreBreaker make(BreakerOptions options = {.min_requests = 0}) {
    return SreBreaker("model-server", options, ticker_, [this] { return draw_; });
  }
  ManualTicker ticker_;
  double draw_ = 0;  // what uniform01 returns: 0 rejects whenever p > 0
};

TEST_F(BreakerTest, AllSuccessNeverRejects) {
  SreBreaker breaker = make();
  for (int i = 0; i < 1000; ++i) {
    ASSERT_TRUE(breaker.allow());
    breaker.on_success();
    ticker_.advance(milliseconds(7));
  }
  EXPECT_EQ(breaker.reject_probability(), 0);
  EXPECT_EQ(breaker.state(), BreakerState::closed);
  EXPECT_EQ(breaker.rejected(), 0u);
  EXPECT_EQ(breaker.name(), "model-server");
}

TEST_F(BreakerTest, FailuresRaiseProbabilityToTheFormula) {
  SreBreaker breaker = make();
  draw_ = 1.0;  // never below p: every request goes through, so counts are exact
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(breaker.allow());
    if (i < 4) {
      breaker.on_success();
    } else {
      breaker.on_failure();
    }
  }
  // (10 - 1.5 * 4) / (10 + 1)
  EXPECT_DOUBLE_EQ(breaker.reject_probability(), 4.0 / 11.0);
  EXPECT_EQ(breaker.state(), BreakerState::throttling);
  EXPECT_EQ(breaker.failures(), 6u);
  for (int i = 0; i < 89; ++i) {
    ASSERT_TRUE(breaker.allow());
    breaker.on_failure();
  }
  EXPECT_DOUBLE_EQ(breaker.reject_probability(), (99.0 - 6.0) / 100.0);
}

TEST_F(BreakerTest, RejectedRequestsCountAsRequests) {
  SreBreaker breaker = make();
  draw_ = 1.0;
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(breaker.allow());
    breaker.on_failure();
  }
  draw_ = 0.5;  // p = 3/4 > 0.5: rejected
  EXPECT_FALSE(breaker.allow());
  EXPECT_EQ(breaker.rejected(), 1u);
  EXPECT_DOUBLE_EQ(breaker.reject_probability(), 4.0 / 5.0);
  draw_ = 0.9;  // p = 4/5 < 0.9: let through
  EXPECT_TRUE(breaker.allow());
}

TEST_F(BreakerTest, FailuresRollOutOfTheWindow) {
  SreBreaker breaker = make();
  draw_ = 1.0;
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(breaker.allow());
    breaker.on_failure();
  }
  ticker_.advance(milliseconds(5000));
  ASSERT_TRUE(breaker.allow());  // a later bucket: one success
  breaker.on_success();
  EXPECT_DOUBLE_EQ(breaker.reject_probability(), (21.0 - 1.5) / 22.0);
  ticker_.advance(milliseconds(5000));  // the first bucket has left the window
  EXPECT_DOUBLE_EQ(breaker.reject_probability(), 0.0);
  EXPECT_EQ(breaker.state(), BreakerState::closed);
  ticker_.advance(milliseconds(5000));
  EXPECT_DOUBLE_EQ(breaker.reject_probability(), 0.0);
}

TEST_F(BreakerTest, ProbeLetsOneRequestThroughPerInterval) {
  SreBreaker breaker = make(BreakerOptions{.probe_interval = milliseconds(1000), .min_requests = 0});
  ASSERT_TRUE(breaker.allow());  // p = 0
  breaker.on_failure();
  EXPECT_FALSE(breaker.allow());
  ticker_.advance(milliseconds(999));
  EXPECT_FALSE(breaker.allow());
  ticker_.advance(milliseconds(1));
  EXPECT_TRUE(breaker.allow());  // the probe
  EXPECT_FALSE(breaker.allow());
  ticker_.advance(milliseconds(500));
  EXPECT_FALSE(breaker.allow());
  ticker_.advance(milliseconds(500));
  EXPECT_TRUE(breaker.allow());
  EXPECT_EQ(breaker.rejected(), 4u);
}

TEST_F(BreakerTest, CallUsesFallbackWhenRejectedAndRecordsOutcomes) {
  SreBreaker breaker = make();
  int calls = 0;
  EXPECT_EQ(breaker.call([&] { return ++calls; }, [] { return -1; }), 1);
  EXPECT_EQ(breaker.reject_probability(), 0);  // 1 request, 1 accept

  EXPECT_THROW(breaker.call([&]() -> int { throw std::runtime_error("down"); }, [] { return -1; }),
               std::runtime_error);
  EXPECT_EQ(breaker.failures(), 1u);
  EXPECT_DOUBLE_EQ(breaker.reject_probability(), (2.0 - 1.5) / 3.0);

  // Now rejected (draw 0 < p) and within the probe interval: the fallback runs, fn does not.
  EXPECT_EQ(breaker.call([&] { return ++calls; }, [] { return -1; }), -1);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(breaker.rejected(), 1u);

  bool fell_back = false;
  breaker.call([&] { ++calls; }, [&] { fell_back = true; });
  EXPECT_TRUE(fell_back);
  EXPECT_EQ(calls, 1);
}

TEST_F(BreakerTest, NoRejectionBelowMinRequests) {
  SreBreaker breaker = make(BreakerOptions{.min_requests = 5});
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(breaker.allow());
    breaker.on_failure();
  }
  EXPECT_EQ(breaker.reject_probability(), 0);
  EXPECT_TRUE(breaker.allow());  // the fifth request: from now on the formula applies
  EXPECT_DOUBLE_EQ(breaker.reject_probability(), 5.0 / 6.0);
  EXPECT_FALSE(breaker.allow());
}

TEST_F(BreakerTest, ConcurrentHealthyTrafficIsNeverRejected) {
  // With the default min_requests, the few requests in flight between allow() and on_success()
  // never outweigh k * accepts, so healthy traffic is never rejected even with draw 0.
  SreBreaker breaker = make(BreakerOptions{});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 5000; ++i) {
        if (breaker.allow()) breaker.on_success();
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(breaker.rejected(), 0u);
  EXPECT_EQ(breaker.reject_probability(), 0);
}

TEST(Breaker, StateNamesAndInvalidOptions) {
  EXPECT_EQ(to_string(BreakerState::closed), "closed");
  EXPECT_EQ(to_string(BreakerState::throttling), "throttling");
  ManualTicker ticker;
  EXPECT_THROW(SreBreaker("x", BreakerOptions{.k = 0}, ticker), std::invalid_argument);
  EXPECT_THROW(SreBreaker("x", BreakerOptions{.buckets = 0}, ticker), std::invalid_argument);
  SreBreaker real_prng("x", BreakerOptions{}, ticker);
  EXPECT_TRUE(real_prng.allow());
}

}  // namespace
}  // namespace vigil::resilience
