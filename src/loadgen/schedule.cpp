#include "loadgen/schedule.h"

#include <algorithm>
#include <cmath>

namespace vigil::loadgen {

std::int64_t SteadyTicks::now_ns() const {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

OpenLoopSchedule::OpenLoopSchedule(std::int64_t start_ns, double rate_per_s, std::int64_t end_ns)
    : start_ns_(start_ns), interval_ns_(1e9 / rate_per_s), end_ns_(end_ns) {}

std::int64_t OpenLoopSchedule::intended(std::uint64_t i) const {
  return start_ns_ + std::llround(static_cast<double>(i) * interval_ns_);
}

std::optional<Slot> OpenLoopSchedule::next() {
  const std::int64_t t = intended(next_);
  if (t >= end_ns_) return std::nullopt;
  return Slot{next_++, t};
}

std::uint64_t OpenLoopSchedule::slots_before(std::int64_t t) const {
  t = std::min(t, end_ns_);
  if (t <= start_ns_) return 0;
  // Estimate with floating point, then settle the rounding at the edge exactly.
  auto count = static_cast<std::uint64_t>(static_cast<double>(t - start_ns_) / interval_ns_);
  while (count > 0 && intended(count - 1) >= t) --count;
  while (intended(count) < t) ++count;
  return count;
}

std::uint64_t OpenLoopSchedule::due_untaken(std::int64_t now_ns) const {
  const std::uint64_t due = now_ns == INT64_MAX ? slots_before(now_ns) : slots_before(now_ns + 1);
  return due > next_ ? due - next_ : 0;
}

}  // namespace vigil::loadgen
