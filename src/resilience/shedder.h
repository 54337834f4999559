#pragma once
// Adaptive load shedding after go-zero's adaptive shedder (core/load/adaptiveshedder.go): refuse
// work (503) when the process is busy AND more requests are in flight than it has shown it can
// complete. Capacity comes from Little's law over a rolling window of completed requests:
//   max_flight = max passes per bucket * buckets per second * min RT in seconds (at least 1),
// where min RT is the smallest per-bucket mean latency. The current, incomplete bucket is left
// out of both (its counts are still growing).
//
// A request is shed only when (cpu >= cpu_threshold, or a request was shed less than cool_off ago)
// AND the in-flight count before it exceeds max(max_flight, min_in_flight) (low priority:
// low_priority_share of that), so reads go before observation intake. Without history (no complete bucket with a
// completed request in the window) nothing is shed: we have not measured capacity yet.
//
// Differences from go-zero: two priorities; latencies in microseconds (floor 1 us), so
// sub-millisecond services are not rounded to 0; no shedding without history (go-zero assumes one
// pass per bucket and a 1 s min RT). Left out on purpose: go-zero's overloadFactor (shrinking the
// limit to as little as 10% as CPU nears 100%, which would also punish intake for CPU spent by
// background work) and its smoothed in-flight average (the limit here is exact, and the cool-off
// already damps flapping).
//
// Thread safety: allow(), Ticket and stats() may be used from any thread. The in-flight check and
// the increment are not one atomic step, so concurrent callers may overshoot the limit by a few;
// the limit is an estimate anyway. When cold, allow() is two atomic loads and an increment; while
// hot it takes a short mutex and reuses limits computed once per bucket.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>

#include "common/ticker.h"
#include "resilience/cpu_usage.h"
#include "resilience/rolling_window.h"

namespace vigil::resilience {

enum class Priority {
  high,  // observation intake
  low,   // reads
};

struct ShedderOptions {
  std::chrono::milliseconds window{5000};
  unsigned buckets = 50;
  double cpu_threshold = 0.9;  // 0..1; above 1 means "never overloaded by CPU alone"
  std::chrono::milliseconds cool_off{1000};
  double low_priority_share = 0.8;  // reads are shed above this share of max_flight
  // Never shed while at most this many requests are in flight (high priority; reads: their share
  // of it). Little's law assumes throughput does not depend on concurrency; durable intake breaks
  // that, since group commit makes more concurrent requests share one fsync. Measured under
  // shedding, throughput falls with the admitted concurrency, the estimate with it, and the
  // shedder spirals down to a handful of requests (docs/benchmarks.md, 2026-11-23 18:20: at 2x
  // capacity 1.4k of 23k req/s admitted). A floor, like the minimum limit of Netflix's
  // concurrency-limits, stops the spiral. 0: no floor (go-zero's behaviour).
  double min_in_flight = 0;
};

class AdaptiveShedder {
 public:
  // A request admitted by allow(). Finish it with exactly one of pass() (completed; its latency
  // counts towards capacity) or fail() (errored or abandoned; not a pass); later calls are
  // ignored. Destroying an unfinished ticket is fail(). Move-only; must not outlive its shedder.
  class Ticket {
   public:
    Ticket(Ticket&& other) noexcept;
    Ticket& operator=(Ticket&& other) noexcept;
    Ticket(const Ticket&) = delete;
    Ticket& operator=(const Ticket&) = delete;
    ~Ticket() { fail(); }

    void pass();
    void fail();

   private:
    friend class AdaptiveShedder;
    Ticket(AdaptiveShedder* shedder, Nanos start) : shedder_(shedder), start_(start) {}
    AdaptiveShedder* shedder_;  // null once finished or moved from
    Nanos start_;
  };

  // Throws std::invalid_argument unless buckets >= 1 and window / buckets >= 1 ms.
  AdaptiveShedder(ShedderOptions options, const Ticker& ticker, const CpuUsage& cpu);

  AdaptiveShedder(const AdaptiveShedder&) = delete;
  AdaptiveShedder& operator=(const AdaptiveShedder&) = delete;

  // std::nullopt means shed: answer 503.
  std::optional<Ticket> allow(Priority priority);

  struct Stats {
    std::int64_t in_flight = 0;
    double max_flight = 0;  // 0 without history
    double max_pass_per_second = 0;
    std::chrono::microseconds min_rt{0};  // 0 without history
    double cpu = 0;
    std::uint64_t dropped = 0;
    bool hot = false;  // within cool_off of the last drop
  };
  [[nodiscard]] Stats stats() const;

 private:
  struct Bucket {
    std::uint64_t passes = 0;
    std::uint64_t rt_sum_us = 0;
  };
  struct Limits {
    bool history = false;
    double max_pass_per_second = 0;
    std::chrono::microseconds min_rt{0};
    double max_flight = 0;
  };

  Limits limits(Nanos now) const;
  bool hot(Nanos now) const;
  void finish(Nanos start, bool passed);

  // Constant after construction.
  const ShedderOptions options_;
  const Ticker& ticker_;
  const CpuUsage& cpu_;

  // Own synchronization.
  std::atomic<std::int64_t> in_flight_{0};
  std::atomic<std::uint64_t> dropped_{0};
  std::atomic<std::int64_t> last_drop_ns_;

  // Guarded by mutex_. Readers advance the window too (see limits()), hence mutable.
  mutable std::mutex mutex_;
  mutable RollingWindow<Bucket> window_;
  mutable std::int64_t cached_epoch_ = -1;
  mutable Limits cached_;
};

}  // namespace vigil::resilience
