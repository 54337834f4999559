#pragma once
// A ring of time buckets: the shared shape of the shedder's and the breaker's sliding windows.
// Bucket i covers ticker time [i * width, (i + 1) * width); a slot is reused (reset to Bucket{})
// when time reaches a bucket it no longer holds, so nothing runs on a timer and idle periods cost
// nothing. The ring has one slot more than the window so that the current (partial) bucket never
// overwrites the oldest complete one.
//
// Thread safety: none; the owner holds a mutex around every call.
#include <cstdint>
#include <vector>

#include "common/ticker.h"

namespace vigil::resilience {

template <class Bucket>
class RollingWindow {
 public:
  // `buckets` >= 1 and `width` > 0 are the caller's to check.
  RollingWindow(Nanos width, unsigned buckets)
      : width_(width.count()), buckets_(buckets), slots_(buckets + 1) {}

  [[nodiscard]] std::int64_t epoch(Nanos t) const { return t.count() / width_; }
  [[nodiscard]] Nanos width() const { return Nanos(width_); }
  [[nodiscard]] unsigned buckets() const { return buckets_; }

  // The bucket holding time `t`. A write that arrives late (its time was read before another
  // thread's write advanced the window) lands in the newest bucket instead of reviving an old one.
  Bucket& at(Nanos t) {
    if (epoch(t) > newest_) newest_ = epoch(t);
    Slot& slot = slots_[static_cast<std::size_t>(newest_) % slots_.size()];
    if (slot.epoch != newest_) slot = Slot{newest_, Bucket{}};
    return slot.bucket;
  }

  // Calls fn(bucket) for each bucket of the window ending at time `t`: the `buckets` complete
  // buckets before t's bucket, or, with include_current, the `buckets - 1` before it plus t's own.
  // Returns the epoch of t's bucket (handy as a cache key: complete buckets never change).
  template <class Fn>
  std::int64_t for_each(Nanos t, bool include_current, Fn&& fn) const {
    const std::int64_t current = epoch(t);
    const std::int64_t hi = include_current ? current : current - 1;
    const std::int64_t lo = hi - static_cast<std::int64_t>(buckets_) + 1;
    for (const Slot& slot : slots_) {
      if (slot.epoch >= lo && slot.epoch <= hi) fn(slot.bucket);
    }
    return current;
  }

 private:
  struct Slot {
    std::int64_t epoch = -1;  // ticker time is never negative, so -1 is never in a window
    Bucket bucket{};
  };
  std::int64_t width_;
  unsigned buckets_;
  std::int64_t newest_ = -1;
  std::vector<Slot> slots_;
};

}  // namespace vigil::resilience
