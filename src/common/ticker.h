#pragma once
// Monotonic time for measuring durations (latency, rate-limit refill, circuit-breaker windows,
// cache TTLs). Unlike Clock (wall time, millisecond precision, may be simulated), a Ticker never
// goes backwards and has nanosecond precision. Components take a `const Ticker&` so that tests
// inject a ManualTicker and stay deterministic.
//
// Thread safety: both implementations are safe to call from any thread.
#include <atomic>
#include <chrono>
#include <cstdint>

namespace vigil {

using Nanos = std::chrono::nanoseconds;

class Ticker {
 public:
  virtual ~Ticker() = default;
  // Time since an arbitrary fixed origin; never decreases.
  [[nodiscard]] virtual Nanos now() const = 0;
};

// std::chrono::steady_clock.
class SteadyTicker final : public Ticker {
 public:
  [[nodiscard]] Nanos now() const override {
    return std::chrono::duration_cast<Nanos>(std::chrono::steady_clock::now().time_since_epoch());
  }
  // One process-wide instance for production wiring.
  static const SteadyTicker& instance() {
    static const SteadyTicker ticker;
    return ticker;
  }
};

// Moves only when told to; for tests. Starts at `start` (default 1 s so that "zero" is not special).
class ManualTicker final : public Ticker {
 public:
  explicit ManualTicker(Nanos start = std::chrono::seconds(1)) : now_ns_(start.count()) {}
  [[nodiscard]] Nanos now() const override { return Nanos(now_ns_.load()); }
  void advance(Nanos d) { now_ns_.fetch_add(d.count()); }

 private:
  std::atomic<std::int64_t> now_ns_;
};

}  // namespace vigil
