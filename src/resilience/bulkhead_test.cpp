#include "resilience/bulkhead.h"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

namespace vigil::resilience {
namespace {

// A gate the test opens, and a count of finished work, both waited on with generous deadlines.
class Gate {
 public:
  void open() {
    std::lock_guard lock(mutex_);
    open_ = true;
    cv_.notify_all();
  }
  void wait_open() {
    std::unique_lock lock(mutex_);
    cv_.wait(lock, [this] { return open_; });
  }
  void arrive() {
    std::lock_guard lock(mutex_);
    ++arrived_;
    cv_.notify_all();
  }
  bool wait_arrived(int n) {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, std::chrono::seconds(30), [&] { return arrived_ >= n; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  bool open_ = false;
  int arrived_ = 0;
};

TEST(Bulkhead, PermitsUpToTheBoundThenRefuses) {
  Bulkhead bulkhead("store", 2, 3);
  EXPECT_EQ(bulkhead.name(), "store");
  EXPECT_EQ(bulkhead.capacity(), 5u);
  std::vector<Bulkhead::Permit> permits;
  for (int i = 0; i < 5; ++i) {
    auto p = bulkhead.try_enter();
    ASSERT_TRUE(p.has_value()) << i;
    permits.push_back(std::move(*p));
  }
  EXPECT_EQ(bulkhead.admitted(), 5u);
  EXPECT_FALSE(bulkhead.try_enter().has_value());
  EXPECT_FALSE(bulkhead.try_post([] {}));
  EXPECT_EQ(bulkhead.refused(), 2u);

  permits.pop_back();  // releases one
  EXPECT_EQ(bulkhead.admitted(), 4u);
  auto again = bulkhead.try_enter();
  EXPECT_TRUE(again.has_value());
  Bulkhead::Permit moved = std::move(*again);  // moving does not release
  again.reset();
  EXPECT_EQ(bulkhead.admitted(), 5u);
}

TEST(Bulkhead, PostedWorkHoldsItsPermitUntilItCompletes) {
  Bulkhead bulkhead("store", 2, 1);
  Gate gate;
  Gate started;
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(bulkhead.try_post([&] {
      started.arrive();
      gate.wait_open();
    }));
  }
  ASSERT_TRUE(started.wait_arrived(2));  // both threads busy, one queued
  EXPECT_EQ(bulkhead.admitted(), 3u);
  EXPECT_FALSE(bulkhead.try_post([] {}));
  EXPECT_EQ(bulkhead.refused(), 1u);

  gate.open();
  bulkhead.join();  // all three ran and released
  EXPECT_EQ(bulkhead.admitted(), 0u);
  EXPECT_EQ(bulkhead.failed(), 0u);
}

TEST(Bulkhead, ReleasedSlotAdmitsNewWork) {
  Bulkhead bulkhead("store", 1, 0);
  Gate gate;
  Gate finished;
  ASSERT_TRUE(bulkhead.try_post([&] {
    gate.wait_open();
    finished.arrive();
  }));
  EXPECT_FALSE(bulkhead.try_enter().has_value());
  gate.open();
  ASSERT_TRUE(finished.wait_arrived(1));
  // The permit is released just after fn returns: wait for that, with a generous deadline.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (bulkhead.admitted() != 0 && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
  ASSERT_EQ(bulkhead.admitted(), 0u);
  EXPECT_TRUE(bulkhead.try_enter().has_value());
  EXPECT_EQ(bulkhead.refused(), 1u);
}

TEST(Bulkhead, ThrowingWorkIsCountedAndTheThreadSurvives) {
  Bulkhead bulkhead("store", 1, 4);
  Gate done;
  ASSERT_TRUE(bulkhead.try_post([] { throw std::runtime_error("disk full"); }));
  ASSERT_TRUE(bulkhead.try_post(std::function<void()>{}));  // empty: bad_function_call
  ASSERT_TRUE(bulkhead.try_post([&] { done.arrive(); }));
  ASSERT_TRUE(done.wait_arrived(1));  // the single thread ran on after both throws
  bulkhead.join();
  EXPECT_EQ(bulkhead.failed(), 2u);
  EXPECT_EQ(bulkhead.admitted(), 0u);
}

TEST(Bulkhead, DestructorRunsAdmittedWork) {
  int ran = 0;
  {
    Bulkhead bulkhead("store", 1, 10);
    for (int i = 0; i < 10; ++i) ASSERT_TRUE(bulkhead.try_post([&] { ++ran; }));
  }
  EXPECT_EQ(ran, 10);
}

TEST(Bulkhead, RejectsZeroThreads) {
  EXPECT_THROW(Bulkhead("x", 0, 1), std::invalid_argument);
}

}  // namespace
}  // namespace vigil::resilience
