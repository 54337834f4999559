#pragma once
// Timing for the load generator: a monotonic tick source that tests can replace, the fixed open-loop
// schedule that makes coordinated-omission correction possible, and the measurement window.
//
// Open loop: request i of a schedule is *intended* to start at start + i / rate, whatever happened to
// the requests before it. A request that has to wait for a free connection keeps its intended time,
// so its latency (completion - intended) includes that wait, as a real client's would. Without this
// a stalled server silences the very samples that show the stall ("coordinated omission", Gil Tene).
//
// Thread safety: SteadyTicks and ManualTicks are safe from any thread; OpenLoopSchedule and Window
// are not synchronised (each load thread owns its own schedule).
#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>

namespace vigil::loadgen {

// Monotonic nanoseconds (not wall time; only differences mean anything).
class Ticks {
 public:
  virtual ~Ticks() = default;
  [[nodiscard]] virtual std::int64_t now_ns() const = 0;
};

class SteadyTicks final : public Ticks {
 public:
  [[nodiscard]] std::int64_t now_ns() const override;
};

// Moves only when told to; for tests.
class ManualTicks final : public Ticks {
 public:
  explicit ManualTicks(std::int64_t start_ns = 0) : now_(start_ns) {}
  [[nodiscard]] std::int64_t now_ns() const override { return now_.load(); }
  void advance(std::chrono::nanoseconds d) { now_.fetch_add(d.count()); }
  void set(std::int64_t ns) { now_.store(ns); }

 private:
  std::atomic<std::int64_t> now_;
};

struct Slot {
  std::uint64_t index = 0;
  std::int64_t intended_ns = 0;
};

// Hands out the slots of a constant-rate schedule in order, up to (excluding) `end_ns`.
class OpenLoopSchedule {
 public:
  // rate_per_s must be > 0. `start_ns` is the intended time of slot 0.
  OpenLoopSchedule(std::int64_t start_ns, double rate_per_s, std::int64_t end_ns);

  // Intended start of slot i; computed from i rather than accumulated, so it never drifts.
  [[nodiscard]] std::int64_t intended(std::uint64_t i) const;
  // Takes the next slot; nullopt once its intended time would be at or after the end.
  std::optional<Slot> next();
  // Slots intended at or before `now_ns` (and before the end) that nobody has taken yet: the
  // backlog of a generator or server that cannot keep up.
  [[nodiscard]] std::uint64_t due_untaken(std::int64_t now_ns) const;
  // How many slots of the schedule are intended strictly before `t` (never more than it has).
  [[nodiscard]] std::uint64_t slots_before(std::int64_t t) const;
  [[nodiscard]] std::uint64_t taken() const { return next_; }
  [[nodiscard]] double interval_ns() const { return interval_ns_; }

 private:
  std::int64_t start_ns_;
  double interval_ns_;
  std::int64_t end_ns_;
  std::uint64_t next_ = 0;
};

// Which requests count: those whose start (intended time in open loop, send time in closed loop)
// lies in [measure_from_ns, end_ns). Before that is warm-up; nothing starts at or after the end.
struct Window {
  std::int64_t start_ns = 0;
  std::int64_t measure_from_ns = 0;
  std::int64_t end_ns = 0;

  static Window make(std::int64_t start_ns, std::chrono::nanoseconds warmup,
                     std::chrono::nanoseconds duration) {
    return {start_ns, start_ns + warmup.count(), start_ns + warmup.count() + duration.count()};
  }
  [[nodiscard]] bool measured(std::int64_t request_start_ns) const {
    return request_start_ns >= measure_from_ns && request_start_ns < end_ns;
  }
  [[nodiscard]] bool over(std::int64_t now_ns) const { return now_ns >= end_ns; }
};

}  // namespace vigil::loadgen
