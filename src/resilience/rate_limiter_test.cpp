#include "resilience/rate_limiter.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

namespace vigil::resilience {
namespace {

using std::chrono::milliseconds;

TEST(LocalRateLimiter, BurstThenRefusalWithExactRetryAfter) {
  ManualTicker ticker;
  LocalRateLimiter limiter(ticker, 100);
  const RateLimit limit{.rate = 10, .burst = 3};  // one token per 100 ms
  for (int i = 0; i < 3; ++i) {
    RateDecision d = limiter.acquire("k", limit);
    EXPECT_TRUE(d.allowed) << i;
    EXPECT_EQ(d.limit, 3u);
    EXPECT_EQ(d.remaining, static_cast<std::uint64_t>(2 - i));
    EXPECT_EQ(d.retry_after, milliseconds(0));
  }
  RateDecision refused = limiter.acquire("k", limit);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.remaining, 0u);
  EXPECT_EQ(refused.retry_after, milliseconds(100));
  EXPECT_EQ(refused.reset, milliseconds(300));

  ticker.advance(milliseconds(40));
  refused = limiter.acquire("k", limit);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after, milliseconds(60));
  EXPECT_EQ(refused.reset, milliseconds(260));

  // Sub-millisecond remainders round up, so a client retrying on time is never early.
  ticker.advance(std::chrono::microseconds(59'500));
  refused = limiter.acquire("k", limit);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after, milliseconds(1));
}

TEST(LocalRateLimiter, RefillsOverTimeUpToBurst) {
  ManualTicker ticker;
  LocalRateLimiter limiter(ticker, 100);
  const RateLimit limit{.rate = 10, .burst = 5};
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(limiter.acquire("k", limit).allowed);
  ASSERT_FALSE(limiter.acquire("k", limit).allowed);

  ticker.advance(milliseconds(100));
  RateDecision d = limiter.acquire("k", limit);
  EXPECT_TRUE(d.allowed);
  EXPECT_EQ(d.remaining, 0u);
  EXPECT_FALSE(limiter.acquire("k", limit).allowed);

  // Many small steps add up exactly (no rounding loss).
  for (int i = 0; i < 10; ++i) ticker.advance(milliseconds(30));
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.acquire("k", limit).allowed) << i;
  EXPECT_FALSE(limiter.acquire("k", limit).allowed);

  // A long idle period refills only to the burst.
  ticker.advance(std::chrono::hours(1));
  d = limiter.acquire("k", limit);
  EXPECT_TRUE(d.allowed);
  EXPECT_EQ(d.remaining, 4u);
  EXPECT_EQ(d.reset, milliseconds(100));
}

TEST(LocalRateLimiter, CostTakesSeveralTokens) {
  ManualTicker ticker;
  LocalRateLimiter limiter(ticker, 10);
  const RateLimit limit{.rate = 2, .burst = 10};
  EXPECT_TRUE(limiter.acquire("k", limit, 7).allowed);
  RateDecision d = limiter.acquire("k", limit, 5);
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.remaining, 3u);
  EXPECT_EQ(d.retry_after, milliseconds(1000));  // 2 tokens at 2/s
  // More than the burst can never be granted.
  ticker.advance(std::chrono::hours(1));
  d = limiter.acquire("k", limit, 11);
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.remaining, 10u);
}

TEST(LocalRateLimiter, KeysAreIndependent) {
  ManualTicker ticker;
  LocalRateLimiter limiter(ticker, 100);
  const RateLimit limit{.rate = 1, .burst = 1};
  EXPECT_TRUE(limiter.acquire("intake:device-1", limit).allowed);
  EXPECT_FALSE(limiter.acquire("intake:device-1", limit).allowed);
  EXPECT_TRUE(limiter.acquire("intake:device-2", limit).allowed);
  // The same principal in another group is another key, with its own limit.
  const RateLimit reads{.rate = 1, .burst = 2};
  EXPECT_TRUE(limiter.acquire("reads:device-1", reads).allowed);
  EXPECT_TRUE(limiter.acquire("reads:device-1", reads).allowed);
  EXPECT_FALSE(limiter.acquire("reads:device-1", reads).allowed);
  EXPECT_EQ(limiter.size(), 3u);
}

TEST(LocalRateLimiter, EvictionKeepsMemoryBounded) {
  ManualTicker ticker;
  const RateLimit limit{.rate = 1, .burst = 1};
  for (std::size_t max_keys : {std::size_t{50}, std::size_t{1000}}) {  // one shard; sixteen
    LocalRateLimiter limiter(ticker, max_keys);
    for (int i = 0; i < 20'000; ++i) {
      ASSERT_TRUE(limiter.acquire("key-" + std::to_string(i), limit).allowed);
      ASSERT_LE(limiter.size(), max_keys);
    }
    EXPECT_GE(limiter.size(), max_keys * 9 / 10);  // shards fill unevenly, but the budget is used
  }
}

TEST(LocalRateLimiter, EvictsLeastRecentlyUsedAndForgetsIt) {
  ManualTicker ticker;
  LocalRateLimiter limiter(ticker, 2);
  const RateLimit limit{.rate = 1, .burst = 1};
  ASSERT_TRUE(limiter.acquire("a", limit).allowed);
  ASSERT_TRUE(limiter.acquire("b", limit).allowed);
  EXPECT_FALSE(limiter.acquire("a", limit).allowed);  // a refusal is a use too: "b" is now oldest
  ASSERT_TRUE(limiter.acquire("c", limit).allowed);   // evicts "b"
  EXPECT_EQ(limiter.size(), 2u);
  EXPECT_FALSE(limiter.acquire("a", limit).allowed);  // kept, still drained
  // "b" was drained when evicted; it comes back with a fresh burst (and evicts "c").
  EXPECT_TRUE(limiter.acquire("b", limit).allowed);
  EXPECT_TRUE(limiter.acquire("c", limit).allowed);
}

TEST(LocalRateLimiter, RejectsInvalidConfiguration) {
  ManualTicker ticker;
  EXPECT_THROW(LocalRateLimiter(ticker, 0), std::invalid_argument);
  LocalRateLimiter limiter(ticker, 1);
  EXPECT_THROW(limiter.acquire("k", RateLimit{.rate = 0, .burst = 1}), std::invalid_argument);
  EXPECT_THROW(limiter.acquire("k", RateLimit{.rate = 1, .burst = 0.5}), std::invalid_argument);
  EXPECT_THROW(limiter.acquire("k", RateLimit{.rate = 1, .burst = 1}, 0), std::invalid_argument);
}

TEST(LocalRateLimiter, ConcurrentAcquireNeverExceedsBurstPlusRefill) {
  ManualTicker ticker;
  LocalRateLimiter limiter(ticker, 16);
  const RateLimit limit{.rate = 1000, .burst = 20};  // one token per ms
  std::atomic<std::uint64_t> granted{0};
  std::atomic<bool> done{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      while (!done.load()) {
        if (limiter.acquire("shared", limit).allowed) granted.fetch_add(1);
      }
    });
  }
  constexpr int kSteps = 500;
  for (int i = 0; i < kSteps; ++i) {
    ticker.advance(milliseconds(1));
    std::this_thread::yield();
  }
  done.store(true);
  for (auto& th : threads) th.join();
  EXPECT_LE(granted.load(), 20u + kSteps);
  // Conservation: what the threads got plus what is left never exceeds what time paid for.
  std::uint64_t left = 0;
  while (limiter.acquire("shared", limit).allowed) ++left;
  EXPECT_LE(granted.load() + left, 20u + kSteps);
  EXPECT_GE(granted.load() + left, 20u);
}

}  // namespace
}  // namespace vigil::resilience
