#include "resilience/shedder.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace vigil::resilience {
namespace {

using std::chrono::milliseconds;
using Ticket = AdaptiveShedder::Ticket;

class ShedderTest : public ::testing::Test {
 protected:
  // 100 ms buckets; the ticker starts on a bucket boundary (1 s).
  ShedderOptions options_{.window = milliseconds(1000), .buckets = 10};
  ManualTicker ticker_;
  FixedCpuUsage cpu_{0};

  // One bucket with `passes` completions of `latency` each, then moves into the next bucket so
  // that it is complete. With 20 x 50 ms: 200 passes/s * 0.05 s = max_flight 10.
  static void record(AdaptiveShedder& shedder, ManualTicker& ticker, int passes, milliseconds latency) {
    std::vector<Ticket> tickets;
    for (int i = 0; i < passes; ++i) tickets.push_back(*shedder.allow(Priority::high));
    ticker.advance(latency);
    for (auto& t : tickets) t.pass();
    ticker.advance(milliseconds(100) - latency);
  }

  // Admits until the first refusal; returns how many were admitted (and keeps them in flight).
  static int admit_until_shed(AdaptiveShedder& shedder, Priority p, std::vector<Ticket>& held) {
    int admitted = 0;
    while (auto t = shedder.allow(p)) {
      held.push_back(std::move(*t));
      ++admitted;
      if (admitted > 10'000) break;
    }
    return admitted;
  }
};

TEST_F(ShedderTest, NeverShedsWhenCpuIsCool) {
  AdaptiveShedder shedder(options_, ticker_, cpu_);
  record(shedder, ticker_, 20, milliseconds(50));
  std::vector<Ticket> held;
  EXPECT_EQ(admit_until_shed(shedder, Priority::low, held), 10'001);
  EXPECT_EQ(shedder.stats().dropped, 0u);
}

TEST_F(ShedderTest, NeverShedsWithoutHistory) {
  cpu_.set(1.0);
  AdaptiveShedder shedder(options_, ticker_, cpu_);
  std::vector<Ticket> held;
  EXPECT_EQ(admit_until_shed(shedder, Priority::low, held), 10'001);
  // Passes in the current bucket are not history yet.
  for (auto& t : held) t.pass();
  held.clear();
  EXPECT_EQ(admit_until_shed(shedder, Priority::low, held), 10'001);
}

TEST_F(ShedderTest, ShedsWhenHotAndOverLittlesLawLimit) {
  AdaptiveShedder shedder(options_, ticker_, cpu_);
  record(shedder, ticker_, 20, milliseconds(50));
  cpu_.set(0.9);
  std::vector<Ticket> held;
  // Admitted while in flight (before the request) <= 10: 0..10.
  EXPECT_EQ(admit_until_shed(shedder, Priority::high, held), 11);
  EXPECT_EQ(shedder.stats().dropped, 1u);
  // Finishing one makes room for one.
  held.back().fail();
  EXPECT_TRUE(shedder.allow(Priority::high).has_value());
}

TEST_F(ShedderTest, AFloorKeepsAdmittingUpToMinInFlightWhateverTheEstimate) {
  options_.min_in_flight = 30;
  AdaptiveShedder shedder(options_, ticker_, cpu_);
  record(shedder, ticker_, 20, milliseconds(50));  // estimate 10
  cpu_.set(1.0);
  std::vector<Ticket> held;
  EXPECT_EQ(admit_until_shed(shedder, Priority::high, held), 31);  // in flight 0..30
  EXPECT_EQ(shedder.stats().max_flight, 10.0);                    // the estimate itself is unchanged
  held.clear();
  EXPECT_EQ(admit_until_shed(shedder, Priority::low, held), 25);  // reads: 0.8 * 30 = 24
}

TEST_F(ShedderTest, AnEstimateAboveTheFloorStillRules) {
  options_.min_in_flight = 4;
  AdaptiveShedder shedder(options_, ticker_, cpu_);
  record(shedder, ticker_, 20, milliseconds(50));  // estimate 10
  cpu_.set(1.0);
  std::vector<Ticket> held;
  EXPECT_EQ(admit_until_shed(shedder, Priority::high, held), 11);
}

TEST_F(ShedderTest, LowPriorityIsShedBeforeHigh) {
  AdaptiveShedder shedder(options_, ticker_, cpu_);
  record(shedder, ticker_, 20, milliseconds(50));
  cpu_.set(0.95);
  std::vector<Ticket> held;
  EXPECT_EQ(admit_until_shed(shedder, Priority::low, held), 9);  // 0.8 * 10 = 8: in flight 0..8
  EXPECT_TRUE(shedder.allow(Priority::high).has_value());        // 9 in flight <= 10
}

TEST_F(ShedderTest, CoolOffKeepsSheddingAfterADropThenStops) {
  options_.window = milliseconds(5000);
  options_.buckets = 50;
  options_.cool_off = milliseconds(1000);
  AdaptiveShedder shedder(options_, ticker_, cpu_);
  record(shedder, ticker_, 20, milliseconds(50));
  cpu_.set(1.0);
  std::vector<Ticket> held;
  ASSERT_EQ(admit_until_shed(shedder, Priority::high, held), 11);  // drop at T
  cpu_.set(0.2);
  ticker_.advance(milliseconds(500));
  EXPECT_TRUE(shedder.stats().hot);
  EXPECT_FALSE(shedder.allow(Priority::high).has_value());  // still hot: a new drop at T + 500
  ticker_.advance(milliseconds(999));
  EXPECT_TRUE(shedder.stats().hot);
  EXPECT_FALSE(shedder.allow(Priority::high).has_value());  // T + 1499: drop renews cool-off
  ticker_.advance(milliseconds(1000));
  EXPECT_FALSE(shedder.stats().hot);
  EXPECT_TRUE(shedder.allow(Priority::high).has_value());  // cool, despite 11 in flight
  EXPECT_EQ(shedder.stats().dropped, 3u);
}

TEST_F(ShedderTest, OldBucketsRollOutOfTheWindow) {
  AdaptiveShedder shedder(options_, ticker_, cpu_);
  record(shedder, ticker_, 20, milliseconds(50));  // bucket 10, complete from t = 1.1 s
  EXPECT_EQ(shedder.stats().max_flight, 10);
  ticker_.advance(milliseconds(900));  // t = 2.0 s: window is buckets 10..19
  EXPECT_EQ(shedder.stats().max_flight, 10);
  ticker_.advance(milliseconds(100));  // t = 2.1 s: window is buckets 11..20
  const auto stats = shedder.stats();
  EXPECT_EQ(stats.max_flight, 0);
  EXPECT_EQ(stats.min_rt, std::chrono::microseconds(0));
  cpu_.set(1.0);
  std::vector<Ticket> held;
  EXPECT_EQ(admit_until_shed(shedder, Priority::high, held), 10'001);
}

TEST_F(ShedderTest, StatsUseMaxPassAndMinMeanLatencyAcrossBuckets) {
  AdaptiveShedder shedder(options_, ticker_, cpu_);
  record(shedder, ticker_, 30, milliseconds(80));  // more passes, slower
  record(shedder, ticker_, 5, milliseconds(20));   // fewer, faster
  cpu_.set(0.5);
  std::vector<Ticket> held;
  held.push_back(*shedder.allow(Priority::high));
  const auto s = shedder.stats();
  EXPECT_EQ(s.in_flight, 1);
  EXPECT_DOUBLE_EQ(s.max_pass_per_second, 300);
  EXPECT_EQ(s.min_rt, std::chrono::microseconds(20'000));
  EXPECT_DOUBLE_EQ(s.max_flight, 6);  // 300/s * 0.02 s
  EXPECT_DOUBLE_EQ(s.cpu, 0.5);
  EXPECT_EQ(s.dropped, 0u);
  EXPECT_FALSE(s.hot);
}

TEST_F(ShedderTest, SubMillisecondLatencyIsMeasuredInMicroseconds) {
  AdaptiveShedder shedder(options_, ticker_, cpu_);
  {
    auto fast = shedder.allow(Priority::high);
    auto instant = shedder.allow(Priority::high);
    ticker_.advance(std::chrono::microseconds(300));
    fast->pass();
    instant->pass();  // both 300 us
  }
  {
    auto zero = shedder.allow(Priority::high);
    zero->pass();  // 0 us counts as 1 us
  }
  ticker_.advance(milliseconds(100));
  EXPECT_EQ(shedder.stats().min_rt, std::chrono::microseconds(200));  // (300 + 300 + 1) / 3
  EXPECT_DOUBLE_EQ(shedder.stats().max_flight, 1);                    // floor
}

TEST_F(ShedderTest, UnfinishedTicketCountsAsFailure) {
  AdaptiveShedder shedder(options_, ticker_, cpu_);
  {
    auto t = shedder.allow(Priority::high);
    EXPECT_EQ(shedder.stats().in_flight, 1);
    Ticket moved = std::move(*t);  // the moved-from ticket finishes nothing
    EXPECT_EQ(shedder.stats().in_flight, 1);
  }
  EXPECT_EQ(shedder.stats().in_flight, 0);
  auto t = shedder.allow(Priority::high);
  t->fail();
  t->pass();  // ignored: already finished
  EXPECT_EQ(shedder.stats().in_flight, 0);
  ticker_.advance(milliseconds(100));
  EXPECT_EQ(shedder.stats().max_pass_per_second, 0);  // failures are not passes
}

TEST_F(ShedderTest, ConcurrentTicketsBalanceInFlight) {
  AdaptiveShedder shedder(options_, ticker_, cpu_);
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      for (int n = 0; n < 5000; ++n) {
        auto t = shedder.allow(i % 2 ? Priority::low : Priority::high);
        if (n % 3) t->pass();
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(shedder.stats().in_flight, 0);
  ticker_.advance(milliseconds(100));
  EXPECT_NEAR(shedder.stats().max_pass_per_second, 4 * 3333 * 10, 10);
}

TEST(Shedder, RejectsInvalidOptions) {
  ManualTicker ticker;
  FixedCpuUsage cpu;
  EXPECT_THROW(AdaptiveShedder(ShedderOptions{.buckets = 0}, ticker, cpu), std::invalid_argument);
  EXPECT_THROW(AdaptiveShedder(ShedderOptions{.window = milliseconds(10), .buckets = 20}, ticker, cpu),
               std::invalid_argument);
}

}  // namespace
}  // namespace vigil::resilience
