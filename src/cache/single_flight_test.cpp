// Concurrency tests: many callers missing one key share one load, and a mixed workload keeps the
// cache's bookkeeping consistent (run under -DVIGIL_SANITIZE=thread to check for races).
#include <gtest/gtest.h>

#include <atomic>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "cache/loading_cache.h"
#include "cache/test_gate.h"

namespace vigil::cache {
namespace {

TEST(SingleFlight, AThousandConcurrentMissesMakeOneLoaderCall) {
  constexpr int kCallers = 1000;
  ManualTicker ticker;
  testing::Gate gate;
  std::atomic<int> loader_calls{0};
  LoadingCache<std::string, std::string> cache({}, ticker, [&](const std::string& key) {
    loader_calls.fetch_add(1);
    // Held until every other caller is known to be waiting on this very load.
    if (!gate.arrive_and_wait()) return std::optional<std::string>();
    return std::optional<std::string>("patient:" + key);
  });

  std::vector<std::optional<std::string>> results(kCallers);
  std::vector<std::thread> threads;
  threads.reserve(kCallers);
  for (int i = 0; i < kCallers; ++i) {
    threads.emplace_back([&, i] { results[i] = cache.get("P-001"); });
  }
  const bool all_waiting =
      gate.wait_arrived(1) && testing::eventually([&] { return cache.stats().waiting == kCallers - 1; });
  gate.open();  // release even on failure so that the joins below finish
  for (auto& t : threads) t.join();

  ASSERT_TRUE(all_waiting) << "waiting=" << cache.stats().waiting;
  EXPECT_EQ(loader_calls.load(), 1);
  for (const auto& result : results) EXPECT_EQ(result, "patient:P-001");
  const auto stats = cache.stats();
  EXPECT_EQ(stats.loads, 1u);
  EXPECT_EQ(stats.misses, static_cast<std::uint64_t>(kCallers));
  EXPECT_EQ(stats.waiting, 0u);
  EXPECT_EQ(cache.get("P-001"), "patient:P-001");
  EXPECT_EQ(cache.stats().hits, 1u);
}

TEST(SingleFlight, MixedWorkloadStaysConsistent) {
  constexpr int kThreads = 8;
  constexpr int kOpsPerThread = 3000;
  constexpr int kKeys = 64;
  ManualTicker ticker;
  std::atomic<std::uint64_t> loader_calls{0};
  LoadingCache<int, int> cache({.capacity = 16}, ticker, [&](int key) -> std::optional<int> {
    loader_calls.fetch_add(1);
    if (key % 5 == 0) return std::nullopt;
    return key * 3;
  });
  std::atomic<int> wrong{0};
  std::atomic<std::uint64_t> gets{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937 rng(static_cast<unsigned>(t));
      std::uniform_int_distribution<int> key_of(0, kKeys - 1);
      std::uniform_int_distribution<int> op_of(0, 99);
      for (int i = 0; i < kOpsPerThread; ++i) {
        const int key = key_of(rng);
        const int op = op_of(rng);
        if (op < 3) {
          cache.invalidate(key);
        } else if (op < 4) {
          ticker.advance(std::chrono::seconds(1));
        } else {
          gets.fetch_add(1);
          // Compared field by field: g++ 12 -O2 reports a false maybe-uninitialized on optional ==.
          const auto got = cache.get(key);
          const bool absent = key % 5 == 0;
          if (got.has_value() == absent || (got && *got != key * 3)) wrong.fetch_add(1);
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  const auto stats = cache.stats();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_EQ(stats.hits + stats.misses, gets.load());
  EXPECT_EQ(stats.loads, loader_calls.load());
  EXPECT_LE(stats.loads, stats.misses);
  EXPECT_LE(stats.size, 16u);
  EXPECT_EQ(stats.waiting, 0u);
}

}  // namespace
}  // namespace vigil::cache
