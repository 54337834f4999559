#include "cache/loading_cache.h"

#include <gtest/gtest.h>

#include <map>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "cache/test_gate.h"

namespace vigil::cache {
namespace {

using namespace std::chrono_literals;
using testing::Gate;

// A fake store: values by key (absent keys are "unknown"), and how often each key was loaded.
struct FakeStore {
  std::map<int, std::string> values;
  std::map<int, int> loads;

  std::optional<std::string> load(int key) {
    ++loads[key];
    auto it = values.find(key);
    if (it == values.end()) return std::nullopt;
    return it->second;
  }
};

class LoadingCacheTest : public ::testing::Test {
 protected:
  LoadingCache<int, std::string> make(CacheOptions options = {}) {
    return LoadingCache<int, std::string>(options, ticker_, [this](int k) { return store_.load(k); });
  }
  ManualTicker ticker_;
  FakeStore store_;
};

TEST_F(LoadingCacheTest, ServesHitsUntilTtlThenReloads) {
  store_.values = {{1, "one"}};
  auto cache = make({.capacity = 10, .ttl = 30s, .negative_ttl = 5s});
  EXPECT_EQ(cache.get(1), "one");
  store_.values[1] = "uno";
  ticker_.advance(30s - 1ns);
  EXPECT_EQ(cache.get(1), "one");
  ticker_.advance(1ns);
  EXPECT_EQ(cache.get(1), "uno");
  const auto stats = cache.stats();
  EXPECT_EQ(stats.hits, 1u);
  EXPECT_EQ(stats.misses, 2u);
  EXPECT_EQ(stats.loads, 2u);
  EXPECT_EQ(stats.size, 1u);
  EXPECT_EQ(stats.waiting, 0u);
}

TEST_F(LoadingCacheTest, PeekAnswersOnlyFromFreshEntriesAndNeverLoads) {
  store_.values = {{1, "one"}};
  auto cache = make({.capacity = 10, .ttl = 30s, .negative_ttl = 5s});
  EXPECT_EQ(cache.peek(1), std::nullopt);  // not cached: the caller must get()
  EXPECT_EQ(store_.loads[1], 0);
  EXPECT_EQ(cache.get(1), "one");
  ASSERT_TRUE(cache.peek(1).has_value());
  EXPECT_EQ(*cache.peek(1), "one");
  EXPECT_EQ(cache.get(2), std::nullopt);  // a cached "absent"
  ASSERT_TRUE(cache.peek(2).has_value());
  EXPECT_EQ(*cache.peek(2), std::nullopt);
  ticker_.advance(30s);
  EXPECT_EQ(cache.peek(1), std::nullopt);  // expired
  EXPECT_EQ(store_.loads[1], 1);
}

TEST_F(LoadingCacheTest, CachesAbsentAnswersForTheNegativeTtl) {
  auto cache = make({.capacity = 10, .ttl = 30s, .negative_ttl = 5s});
  EXPECT_EQ(cache.get(7), std::nullopt);
  EXPECT_EQ(cache.get(7), std::nullopt);
  EXPECT_EQ(store_.loads[7], 1);
  store_.values[7] = "seven";
  ticker_.advance(5s);
  EXPECT_EQ(cache.get(7), "seven");
  EXPECT_EQ(store_.loads[7], 2);
}

TEST_F(LoadingCacheTest, ZeroTtlsKeepNothing) {
  store_.values = {{1, "one"}};
  auto cache = make({.capacity = 10, .ttl = 0s, .negative_ttl = 0s});
  EXPECT_EQ(cache.get(1), "one");
  EXPECT_EQ(cache.get(1), "one");
  EXPECT_EQ(cache.get(2), std::nullopt);
  EXPECT_EQ(cache.get(2), std::nullopt);
  EXPECT_EQ(store_.loads[1], 2);
  EXPECT_EQ(store_.loads[2], 2);
  EXPECT_EQ(cache.stats().size, 0u);
}

TEST_F(LoadingCacheTest, EvictsTheLeastRecentlyUsedPastCapacity) {
  store_.values = {{1, "a"}, {2, "b"}, {3, "c"}, {4, "d"}};
  auto cache = make({.capacity = 3});
  cache.get(1);
  cache.get(2);
  cache.get(3);
  cache.get(1);  // 2 is now the least recently used
  cache.get(4);  // evicts 2
  EXPECT_EQ(cache.stats().evictions, 1u);
  EXPECT_EQ(cache.stats().size, 3u);
  cache.get(1);
  cache.get(3);
  cache.get(4);
  EXPECT_EQ((std::map<int, int>{{1, 1}, {2, 1}, {3, 1}, {4, 1}}), store_.loads);
  cache.get(2);  // reloads 2 and evicts 1, now the least recently used
  EXPECT_EQ(store_.loads[2], 2);
  cache.get(3);
  cache.get(4);
  cache.get(1);
  EXPECT_EQ((std::map<int, int>{{1, 2}, {2, 2}, {3, 1}, {4, 1}}), store_.loads);
  EXPECT_EQ(cache.stats().evictions, 3u);
}

TEST_F(LoadingCacheTest, InvalidateDropsTheEntry) {
  store_.values = {{1, "a"}, {2, "b"}};
  auto cache = make();
  EXPECT_EQ(cache.get(1), "a");
  EXPECT_EQ(cache.get(2), "b");
  store_.values[1] = "a2";
  EXPECT_EQ(cache.get(1), "a");
  cache.invalidate(1);
  cache.invalidate(99);  // unknown keys are fine
  EXPECT_EQ(cache.stats().size, 1u);
  EXPECT_EQ(cache.get(1), "a2");
  EXPECT_EQ(store_.loads[2], 1);
}

TEST_F(LoadingCacheTest, ClearDropsEverything) {
  store_.values = {{1, "a"}, {2, "b"}};
  auto cache = make();
  cache.get(1);
  cache.get(2);
  cache.clear();
  EXPECT_EQ(cache.stats().size, 0u);
  cache.get(1);
  EXPECT_EQ(store_.loads[1], 2);
}

TEST_F(LoadingCacheTest, RejectsInvalidOptions) {
  EXPECT_THROW(make({.capacity = 0}), std::invalid_argument);
  EXPECT_THROW(make({.capacity = 1, .ttl = -1ns}), std::invalid_argument);
  EXPECT_THROW(make({.capacity = 1, .ttl = 1s, .negative_ttl = -1ns}), std::invalid_argument);
  EXPECT_THROW((LoadingCache<int, int>({}, ticker_, nullptr)), std::invalid_argument);
}

TEST(LoadingCacheErrors, LoaderExceptionReachesEveryWaiterAndIsNotCached) {
  ManualTicker ticker;
  Gate gate;
  std::atomic<bool> fail{true};
  LoadingCache<int, int> cache({}, ticker, [&](int key) -> std::optional<int> {
    if (fail.load()) {
      if (!gate.arrive_and_wait()) return -1;
      throw std::runtime_error("store unavailable");
    }
    return key * 10;
  });
  constexpr int kCallers = 8;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kCallers; ++i) {
    threads.emplace_back([&] {
      try {
        cache.get(4);
      } catch (const std::runtime_error& e) {
        if (std::string(e.what()) == "store unavailable") failures.fetch_add(1);
      }
    });
  }
  ASSERT_TRUE(gate.wait_arrived(1));
  ASSERT_TRUE(testing::eventually([&] { return cache.stats().waiting == kCallers - 1; }));
  gate.open();
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), kCallers);
  EXPECT_EQ(cache.stats().loads, 1u);
  EXPECT_EQ(cache.stats().size, 0u);
  fail = false;
  EXPECT_EQ(cache.get(4), 40);
  EXPECT_EQ(cache.stats().loads, 2u);
}

// A load that started before a write must not install what it read, and a get() after the write
// must not join it.
TEST(LoadingCacheInvalidation, StaleLoadAfterInvalidateIsNotInstalled) {
  ManualTicker ticker;
  Gate first_load;
  std::atomic<int> version{1};
  std::atomic<int> loads{0};
  LoadingCache<int, int> cache({}, ticker, [&](int) -> std::optional<int> {
    const int read = version.load();
    if (loads.fetch_add(1) == 0 && !first_load.arrive_and_wait()) return -1;
    return read;
  });

  std::optional<int> early_result;
  std::thread early([&] { early_result = cache.get(1); });
  ASSERT_TRUE(first_load.wait_arrived(1));
  version = 2;                 // the write ...
  cache.invalidate(1);         // ... and its invalidation, while the first load still holds version 1
  EXPECT_EQ(cache.get(1), 2);  // a fresh load, not a join of the stale one
  first_load.open();
  early.join();
  EXPECT_EQ(early_result, 1);  // the early reader overlapped the write: the old value is fine
  EXPECT_EQ(cache.get(1), 2);  // but the cache kept the fresh value
  EXPECT_EQ(loads.load(), 2);
  EXPECT_EQ(cache.stats().hits, 1u);
}

TEST(LoadingCacheInvalidation, ClearAlsoDiscardsInFlightLoads) {
  ManualTicker ticker;
  Gate gate;
  std::atomic<int> loads{0};
  LoadingCache<int, int> cache({}, ticker, [&](int) -> std::optional<int> {
    if (loads.fetch_add(1) == 0 && !gate.arrive_and_wait()) return -1;
    return loads.load();
  });
  std::thread early([&] { EXPECT_EQ(cache.get(1), 1); });
  ASSERT_TRUE(gate.wait_arrived(1));
  cache.clear();
  gate.open();
  early.join();
  EXPECT_EQ(cache.stats().size, 0u);
  EXPECT_EQ(cache.get(1), 2);
}

}  // namespace
}  // namespace vigil::cache
