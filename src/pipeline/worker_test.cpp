#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "pipeline/bounded_queue.h"
#include "pipeline/partition.h"

namespace vigil::pipeline {
namespace {

TEST(Partition, IsStableAndInRange) {
  std::set<std::size_t> used;
  for (int i = 0; i < 1000; ++i) {
    const std::string id = "DEMO-S01-" + std::to_string(i);
    const auto w = partition_of(id, 4);
    ASSERT_LT(w, 4u);
    EXPECT_EQ(partition_of(id, 4), w);
    used.insert(w);
  }
  EXPECT_EQ(used.size(), 4u);
  EXPECT_EQ(partition_of("anything", 1), 0u);
  // FNV-1a: the mapping does not depend on the standard library.
  EXPECT_EQ(partition_of("", 1000), 14695981039346656037ull % 1000);
  EXPECT_EQ(partition_of("a", 1000), 0xaf63dc4c8601ec8cull % 1000);
}

TEST(BoundedQueue, KeepsOrderAndNeverHoldsMoreThanItsCapacity) {
  detail::BoundedQueue<int> queue(3);
  constexpr int kItems = 2000;
  std::atomic<std::size_t> max_seen{0};
  std::thread producer([&] {
    for (int i = 0; i < kItems; ++i) queue.push(i);
  });
  for (int i = 0; i < kItems; ++i) {
    const auto size = queue.size();
    if (size > max_seen) max_seen = size;
    ASSERT_EQ(queue.pop(), i);
  }
  producer.join();
  EXPECT_LE(max_seen.load(), 3u);
  EXPECT_EQ(queue.size(), 0u);
}

TEST(BoundedQueue, ZeroCapacityMeansOne) {
  detail::BoundedQueue<int> queue(0);
  EXPECT_EQ(queue.capacity(), 1u);
  queue.push(7);
  EXPECT_EQ(queue.pop(), 7);
}

}  // namespace
}  // namespace vigil::pipeline
