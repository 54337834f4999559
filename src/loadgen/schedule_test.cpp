#include "loadgen/schedule.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "loadgen/histogram.h"

namespace vigil::loadgen {
namespace {

using namespace std::chrono_literals;

TEST(OpenLoopSchedule, SlotsAreEvenlySpacedFromTheStart) {
  OpenLoopSchedule s(5'000, 1000.0, 5'000 + 10'000'000);  // 1000/s for 10 ms
  EXPECT_EQ(s.intended(0), 5'000);
  EXPECT_EQ(s.intended(1), 5'000 + 1'000'000);
  EXPECT_EQ(s.intended(7), 5'000 + 7'000'000);
  int n = 0;
  while (auto slot = s.next()) {
    EXPECT_EQ(slot->index, static_cast<std::uint64_t>(n));
    EXPECT_EQ(slot->intended_ns, s.intended(slot->index));
    ++n;
  }
  EXPECT_EQ(n, 10);  // slot 10 would start exactly at the end, which is excluded
  EXPECT_EQ(s.taken(), 10U);
}

TEST(OpenLoopSchedule, NonIntegerIntervalsDoNotDrift) {
  OpenLoopSchedule s(0, 3.0, 1'000'000'000'000);
  EXPECT_EQ(s.intended(1), 333'333'333);
  EXPECT_EQ(s.intended(2), 666'666'667);
  EXPECT_EQ(s.intended(3), 1'000'000'000);
  EXPECT_EQ(s.intended(3'000), 1'000'000'000'000);
}

TEST(OpenLoopSchedule, BacklogFollowsTheInjectedClock) {
  ManualTicks ticks(1'000'000);
  OpenLoopSchedule s(ticks.now_ns(), 100.0, ticks.now_ns() + 1'000'000'000);  // 10 ms apart, 1 s
  EXPECT_EQ(s.due_untaken(ticks.now_ns()), 1U);                               // slot 0 is due at the start
  ticks.advance(35ms);
  EXPECT_EQ(s.due_untaken(ticks.now_ns()), 4U);  // 0, 10, 20, 30 ms
  ASSERT_TRUE(s.next());
  ASSERT_TRUE(s.next());
  EXPECT_EQ(s.due_untaken(ticks.now_ns()), 2U);
  ticks.advance(5ms);  // exactly at slot 4
  EXPECT_EQ(s.due_untaken(ticks.now_ns()), 3U);
  ticks.advance(10s);  // far past the end: only the schedule's 100 slots exist
  EXPECT_EQ(s.due_untaken(ticks.now_ns()), 98U);
}

TEST(OpenLoopSchedule, SlotsBeforeCountsStrictlyEarlierSlots) {
  OpenLoopSchedule s(1'000, 1000.0, 1'000 + 5'000'000);  // slots at 1000 + k ms, k = 0..4
  EXPECT_EQ(s.slots_before(0), 0U);
  EXPECT_EQ(s.slots_before(1'000), 0U);
  EXPECT_EQ(s.slots_before(1'001), 1U);
  EXPECT_EQ(s.slots_before(1'000'000 + 1'000), 1U);
  EXPECT_EQ(s.slots_before(1'000'000 + 1'001), 2U);
  EXPECT_EQ(s.slots_before(INT64_MAX), 5U);
}

// The reason for the schedule: a server that stalls for 100 ms at 1000 requests/s on one
// connection. Measured from the send, only one request looks slow; measured from the intended
// time, the hundred requests queued behind it show what clients actually waited.
TEST(OpenLoopSchedule, CorrectsCoordinatedOmission) {
  ManualTicks ticks(0);
  OpenLoopSchedule s(0, 1000.0, 1'000'000'000);  // 1000 slots over 1 s
  Histogram corrected;
  Histogram naive;
  std::int64_t connection_free_at = 0;
  while (auto slot = s.next()) {
    const std::int64_t send = std::max(slot->intended_ns, connection_free_at);
    ticks.set(send);
    const auto service = slot->index == 0 ? 100ms : 100us;
    ticks.advance(service);
    const std::int64_t done = ticks.now_ns();
    connection_free_at = done;
    corrected.record(std::chrono::nanoseconds(done - slot->intended_ns));
    naive.record(std::chrono::nanoseconds(done - send));
  }
  EXPECT_EQ(corrected.count(), 1000U);
  // Without correction the stall is one sample in a thousand: p99 looks like 100 us.
  EXPECT_LE(naive.percentile(99), 101us);
  // With it, about 110 requests waited, up to 100 ms: p90 stays low but p99 is tens of ms.
  EXPECT_GE(corrected.percentile(99), 80ms);
  EXPECT_GE(corrected.percentile(95), 40ms);
  EXPECT_LE(corrected.percentile(50), 101us);
  EXPECT_GE(corrected.max(), 100ms);
}

TEST(Window, WarmupAndEnd) {
  const Window w = Window::make(1'000, 2s, 10s);
  EXPECT_FALSE(w.measured(1'000));
  EXPECT_FALSE(w.measured(1'000 + 2'000'000'000 - 1));
  EXPECT_TRUE(w.measured(1'000 + 2'000'000'000));
  EXPECT_TRUE(w.measured(1'000 + 12'000'000'000 - 1));
  EXPECT_FALSE(w.measured(1'000 + 12'000'000'000));
  EXPECT_FALSE(w.over(1'000 + 12'000'000'000 - 1));
  EXPECT_TRUE(w.over(1'000 + 12'000'000'000));
}

}  // namespace
}  // namespace vigil::loadgen
