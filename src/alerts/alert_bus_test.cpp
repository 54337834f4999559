#include "alerts/alert_bus.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace vigil::alerts {
namespace {

AlertEvent event(std::uint64_t id) {
  AlertEvent e;
  e.event_id = id;
  e.alert.id = fmt::format("al_{}", id);
  return e;
}

std::vector<std::uint64_t> ids(const std::vector<AlertEvent>& events) {
  std::vector<std::uint64_t> out;
  for (const auto& e : events) out.push_back(e.event_id);
  return out;
}

TEST(AlertBusTest, DeliversInOrderAndNotifiesOnEdge) {
  AlertBus bus;
  int notified = 0;
  auto sub = bus.subscribe(10, [&] { ++notified; });
  bus.publish({event(1), event(2)});
  EXPECT_EQ(notified, 1);
  bus.publish({event(3)});
  EXPECT_EQ(notified, 1);  // queue was not empty: the pending notification covers it

  std::vector<AlertEvent> out;
  sub->drain(out);
  EXPECT_EQ(ids(out), (std::vector<std::uint64_t>{1, 2, 3}));
  sub->drain(out);
  EXPECT_EQ(out.size(), 3u);  // nothing new

  bus.publish({event(4)});
  EXPECT_EQ(notified, 2);  // empty again, so this is a new edge
  EXPECT_FALSE(sub->overflowed());
}

TEST(AlertBusTest, FullQueueOverflowsWithoutBlocking) {
  AlertBus bus;
  int notified = 0;
  auto sub = bus.subscribe(2, [&] { ++notified; });
  bus.publish({event(1), event(2), event(3)});
  EXPECT_TRUE(sub->overflowed());
  EXPECT_EQ(notified, 1);  // one call covers both the edge and the overflow within one publish
  bus.publish({event(4)});
  EXPECT_EQ(notified, 1);  // overflowed subscriptions get nothing more

  std::vector<AlertEvent> out;
  sub->drain(out);
  EXPECT_EQ(ids(out), (std::vector<std::uint64_t>{1, 2}));  // an in-order prefix to send before closing
  bus.publish({event(5)});
  sub->drain(out);
  EXPECT_EQ(out.size(), 2u);
  EXPECT_TRUE(sub->overflowed());
}

TEST(AlertBusTest, OverflowNotifiesEvenWhenQueueWasAlreadyPending) {
  AlertBus bus;
  int notified = 0;
  auto sub = bus.subscribe(1, [&] { ++notified; });
  bus.publish({event(1)});
  EXPECT_EQ(notified, 1);
  bus.publish({event(2)});
  EXPECT_EQ(notified, 2);
  EXPECT_TRUE(sub->overflowed());
}

TEST(AlertBusTest, SubscribersAreIndependent) {
  AlertBus bus;
  auto slow = bus.subscribe(1, nullptr);
  auto fast = bus.subscribe(100, nullptr);
  bus.publish({event(1), event(2), event(3)});
  EXPECT_TRUE(slow->overflowed());
  EXPECT_FALSE(fast->overflowed());
  std::vector<AlertEvent> out;
  fast->drain(out);
  EXPECT_EQ(out.size(), 3u);
}

TEST(AlertBusTest, DestructionUnsubscribes) {
  AlertBus bus;
  auto a = bus.subscribe(4, nullptr);
  {
    auto b = bus.subscribe(4, nullptr);
    EXPECT_EQ(bus.subscriber_count(), 2u);
  }
  EXPECT_EQ(bus.subscriber_count(), 1u);
  a.reset();
  EXPECT_EQ(bus.subscriber_count(), 0u);
  bus.publish({event(1)});  // nobody to deliver to
}

TEST(AlertBusTest, SubscriptionMayOutliveBus) {
  std::shared_ptr<Subscription> sub;
  {
    AlertBus bus;
    sub = bus.subscribe(4, nullptr);
    bus.publish({event(1)});
  }
  std::vector<AlertEvent> out;
  sub->drain(out);
  EXPECT_EQ(out.size(), 1u);
  sub.reset();  // must not touch the destroyed bus
}

// Publishing, draining, subscribing and dropping subscriptions from several threads at once; run
// under TSan in CI. Every event a subscriber keeps is in order and none is lost unless it overflowed.
TEST(AlertBusTest, ConcurrentUseIsConsistent) {
  AlertBus bus;
  constexpr std::uint64_t kEvents = 2000;
  std::atomic<bool> done{false};

  std::vector<std::thread> readers;
  std::atomic<int> complete{0};
  std::atomic<int> ready{0};
  for (int r = 0; r < 3; ++r) {
    readers.emplace_back([&] {
      std::atomic<int> wakeups{0};
      auto sub = bus.subscribe(kEvents, [&] { wakeups.fetch_add(1); });
      ready.fetch_add(1);
      std::vector<AlertEvent> got;
      while (!done.load()) {
        sub->drain(got);
        std::this_thread::yield();
      }
      sub->drain(got);
      for (std::size_t i = 1; i < got.size(); ++i) ASSERT_EQ(got[i].event_id, got[i - 1].event_id + 1);
      const bool whole = !got.empty() && got.front().event_id == 1 && got.back().event_id == kEvents;
      if (!sub->overflowed() && whole && wakeups.load() >= 1) complete.fetch_add(1);
    });
  }
  std::thread churn([&] {
    while (!done.load()) {
      auto s = bus.subscribe(1, [] {});
      std::this_thread::yield();
    }
  });
  while (ready.load() < 3) std::this_thread::yield();
  for (std::uint64_t i = 1; i <= kEvents; ++i) bus.publish({event(i)});
  done.store(true);
  for (auto& t : readers) t.join();
  churn.join();
  EXPECT_EQ(complete.load(), 3);
}

}  // namespace
}  // namespace vigil::alerts
