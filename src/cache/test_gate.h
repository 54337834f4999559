#pragma once
// Test-only helpers for driving loaders from tests without sleeps: a Gate the loader blocks on until
// the test opens it, and eventually() for conditions the cache only exposes through stats(). Every
// wait has a generous deadline so that a bug fails the test instead of hanging it.
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace vigil::cache::testing {

inline constexpr std::chrono::seconds kDeadline{60};

class Gate {
 public:
  // Called from a loader: counts the arrival, then blocks until open(). False on deadline.
  bool arrive_and_wait() {
    std::unique_lock lock(mu_);
    ++arrived_;
    cv_.notify_all();
    return cv_.wait_for(lock, kDeadline, [&] { return open_; });
  }
  // Blocks until at least n loaders have arrived. False on deadline.
  bool wait_arrived(int n) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, kDeadline, [&] { return arrived_ >= n; });
  }
  void open() {
    std::lock_guard lock(mu_);
    open_ = true;
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int arrived_ = 0;
  bool open_ = false;
};

// Polls `condition` until it holds or the deadline passes; for state with no notification hook.
template <class Condition>
bool eventually(Condition condition) {
  const auto deadline = std::chrono::steady_clock::now() + kDeadline;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::yield();
  }
  return true;
}

}  // namespace vigil::cache::testing
