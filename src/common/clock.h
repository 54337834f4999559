#pragma once
// Time as Vigil sees it. Every component that needs "now" takes a Clock& so that tests inject a
// ManualClock and the demo runs on a compressed simulated clock; nothing calls system_clock directly.
//
// Thread safety: every Clock implementation here is safe to call from any thread.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace vigil {

using Duration = std::chrono::milliseconds;
// Wall time with millisecond precision, as carried by observations (UTC).
using TimePoint = std::chrono::sys_time<std::chrono::milliseconds>;

class Clock {
 public:
  virtual ~Clock() = default;
  // Current wall time (UTC) as the application understands it.
  [[nodiscard]] virtual TimePoint now() const = 0;
};

// The real wall clock.
class SystemClock final : public Clock {
 public:
  [[nodiscard]] TimePoint now() const override;
};

// A clock that only moves when told to; for tests.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(TimePoint start) : now_ms_(start.time_since_epoch().count()) {}
  [[nodiscard]] TimePoint now() const override { return TimePoint(Duration(now_ms_.load())); }
  void set(TimePoint t) { now_ms_.store(t.time_since_epoch().count()); }
  void advance(Duration d) { now_ms_.fetch_add(d.count()); }

 private:
  std::atomic<std::int64_t> now_ms_;
};

// Simulated time running `speed` times faster than real time from `origin` (the demo's compressed
// clock: speed 60 makes one real second one simulated minute).
class ScaledClock final : public Clock {
 public:
  ScaledClock(TimePoint origin, double speed);
  [[nodiscard]] TimePoint now() const override;
  [[nodiscard]] double speed() const { return speed_; }

 private:
  TimePoint origin_;
  std::chrono::steady_clock::time_point real_start_;
  double speed_;
};

// Parses an RFC 3339 / ISO 8601 UTC or offset timestamp ("2026-11-22T08:00:03.120Z",
// "2026-11-22T09:00:03+01:00"). Returns false on anything else; fractions beyond ms are truncated.
bool parse_rfc3339(std::string_view text, TimePoint& out);
// Formats as "2026-11-22T08:00:03.120Z".
std::string format_rfc3339(TimePoint t);
// Appends the same text to `out`, without allocating when `out` has room: the durable log encodes
// a timestamp per observation, and fmt's runtime formatting was 7 % of an intake thread's time.
void append_rfc3339(TimePoint t, std::string& out);

}  // namespace vigil
