#pragma once
// Client-side adaptive throttling, the circuit breaker of Google's SRE book ("Handling Overload"):
// over a sliding window, a request is rejected locally with probability
//   p = max(0, (requests - k * accepts) / (requests + 1)),
// where requests counts every allow() (rejected ones too, so p keeps rising while the downstream
// fails) and accepts counts on_success(). With k = 1.5 the downstream may fail a third of requests
// before any are rejected. Unlike an open/closed breaker there is no hard trip: load on a failing
// downstream falls smoothly, and recovers as soon as successes come back.
//
// Cold start: requests still in flight count as requests without accepts, so a fresh breaker
// seeing N concurrent first requests would compute p = N / (N + 1). Below min_requests requests in
// the window p is therefore 0 (Kratos' sre breaker does the same; go-zero subtracts a constant).
//
// Recovery probes: while p is high, most requests never reach the downstream, so no successes come
// back to lower p until failures roll out of the window. To recover within about probe_interval,
// a request that would be rejected is let through when none was let through for probe_interval.
//
// Thread safety: every member may be called from any thread; counters sit behind a short mutex.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "common/ticker.h"
#include "resilience/rolling_window.h"

namespace vigil::resilience {

struct BreakerOptions {
  double k = 1.5;
  std::chrono::milliseconds window{10000};
  unsigned buckets = 40;
  // While rejecting, one request is let through this often so recovery is quick.
  std::chrono::milliseconds probe_interval{1000};
  // No rejection while the window holds fewer requests than this (see "Cold start").
  std::uint64_t min_requests = 20;
};

enum class BreakerState {
  closed,      // p == 0: everything goes through
  throttling,  // p > 0: some requests are rejected locally
};
std::string_view to_string(BreakerState state);

class SreBreaker {
 public:
  // `uniform01` returns values in [0, 1); by default a thread-local PRNG. Throws
  // std::invalid_argument unless k > 0, buckets >= 1 and window / buckets >= 1 ms.
  SreBreaker(std::string name, BreakerOptions options, const Ticker& ticker,
             std::function<double()> uniform01 = {});

  SreBreaker(const SreBreaker&) = delete;
  SreBreaker& operator=(const SreBreaker&) = delete;

  // Counts a request. false: rejected locally; the caller uses its fallback and reports nothing.
  // true: the caller reports the outcome with on_success() or on_failure().
  bool allow();
  void on_success();  // the downstream accepted the request
  void on_failure();  // it failed (error, timeout, overload answer): not an accept

  // Runs fn() when allowed: a return is a success and its value is returned; an exception is a
  // failure and is rethrown. When rejected, returns fallback() without running fn. A result that
  // should count as a failure (say, an error status in the return value) needs allow() and
  // on_success()/on_failure() instead. fallback's result must convert to fn's.
  template <class Fn, class Fallback>
  auto call(Fn&& fn, Fallback&& fallback) -> std::invoke_result_t<Fn&>;

  [[nodiscard]] double reject_probability() const;
  [[nodiscard]] BreakerState state() const;
  [[nodiscard]] const std::string& name() const { return name_; }
  [[nodiscard]] std::uint64_t rejected() const { return rejected_.load(std::memory_order_relaxed); }
  [[nodiscard]] std::uint64_t failures() const { return failures_.load(std::memory_order_relaxed); }

 private:
  struct Bucket {
    std::uint64_t requests = 0;
    std::uint64_t accepts = 0;
  };
  double probability_locked(Nanos now) const;

  // Constant after construction.
  const std::string name_;
  const BreakerOptions options_;
  const Ticker& ticker_;
  const std::function<double()> uniform01_;

  // Own synchronization.
  std::atomic<std::uint64_t> rejected_{0};
  std::atomic<std::uint64_t> failures_{0};

  mutable std::mutex mutex_;
  mutable RollingWindow<Bucket> window_;  // guarded by mutex_
  Nanos last_let_through_;                // guarded by mutex_
};

template <class Fn, class Fallback>
auto SreBreaker::call(Fn&& fn, Fallback&& fallback) -> std::invoke_result_t<Fn&> {
  using Result = std::invoke_result_t<Fn&>;
  if (!allow()) return static_cast<Result>(std::forward<Fallback>(fallback)());
  try {
    if constexpr (std::is_void_v<Result>) {
      fn();
      on_success();
    } else {
      Result result = fn();
      on_success();
      return result;
    }
  } catch (...) {
    on_failure();
    throw;
  }
}

}  // namespace vigil::resilience
