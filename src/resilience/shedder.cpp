#include "resilience/shedder.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <utility>

namespace vigil::resilience {
namespace {

constexpr std::int64_t kNever = std::numeric_limits<std::int64_t>::min();

Nanos bucket_width(const ShedderOptions& options) {
  if (options.buckets == 0) throw std::invalid_argument("ShedderOptions: buckets must be positive");
  const Nanos width = std::chrono::duration_cast<Nanos>(options.window) / options.buckets;
  if (width < std::chrono::milliseconds(1)) {
    throw std::invalid_argument("ShedderOptions: window / buckets must be at least 1 ms");
  }
  return width;
}

}  // namespace

AdaptiveShedder::Ticket::Ticket(Ticket&& other) noexcept
    : shedder_(std::exchange(other.shedder_, nullptr)), start_(other.start_) {}

AdaptiveShedder::Ticket& AdaptiveShedder::Ticket::operator=(Ticket&& other) noexcept {
  if (this != &other) {
    fail();
    shedder_ = std::exchange(other.shedder_, nullptr);
    start_ = other.start_;
  }
  return *this;
}

void AdaptiveShedder::Ticket::pass() {
  if (auto* s = std::exchange(shedder_, nullptr)) s->finish(start_, true);
}

void AdaptiveShedder::Ticket::fail() {
  if (auto* s = std::exchange(shedder_, nullptr)) s->finish(start_, false);
}

AdaptiveShedder::AdaptiveShedder(ShedderOptions options, const Ticker& ticker, const CpuUsage& cpu)
    : options_(options),
      ticker_(ticker),
      cpu_(cpu),
      last_drop_ns_(kNever),
      window_(bucket_width(options), options.buckets) {}

std::optional<AdaptiveShedder::Ticket> AdaptiveShedder::allow(Priority priority) {
  const Nanos now = ticker_.now();
  if (cpu_.usage() >= options_.cpu_threshold || hot(now)) {
    const Limits l = limits(now);
    if (l.history) {
      const double floor_or_estimate = std::max(l.max_flight, options_.min_in_flight);
      const double limit =
          priority == Priority::low ? floor_or_estimate * options_.low_priority_share : floor_or_estimate;
      if (static_cast<double>(in_flight_.load(std::memory_order_relaxed)) > limit) {
        dropped_.fetch_add(1, std::memory_order_relaxed);
        last_drop_ns_.store(now.count(), std::memory_order_relaxed);
        return std::nullopt;
      }
    }
  }
  in_flight_.fetch_add(1, std::memory_order_relaxed);
  return Ticket(this, now);
}

bool AdaptiveShedder::hot(Nanos now) const {
  const std::int64_t last = last_drop_ns_.load(std::memory_order_relaxed);
  return last != kNever && now.count() - last < Nanos(options_.cool_off).count();
}

void AdaptiveShedder::finish(Nanos start, bool passed) {
  if (passed) {
    const Nanos now = ticker_.now();
    const auto us = std::chrono::ceil<std::chrono::microseconds>(now - start).count();
    std::lock_guard lock(mutex_);
    Bucket& bucket = window_.at(now);
    ++bucket.passes;
    bucket.rt_sum_us += static_cast<std::uint64_t>(std::max<std::int64_t>(us, 1));
  }
  in_flight_.fetch_sub(1, std::memory_order_relaxed);
}

AdaptiveShedder::Limits AdaptiveShedder::limits(Nanos now) const {
  std::lock_guard lock(mutex_);
  // Moving the window to `now` first makes late passes (timed before now) land in the current
  // bucket, so the complete buckets, and the cached limits computed from them, never change.
  window_.at(now);
  if (window_.epoch(now) == cached_epoch_) return cached_;

  std::uint64_t max_pass = 0;
  double min_rt_us = std::numeric_limits<double>::infinity();
  cached_epoch_ = window_.for_each(now, /*include_current=*/false, [&](const Bucket& b) {
    max_pass = std::max(max_pass, b.passes);
    if (b.passes > 0) {
      min_rt_us = std::min(min_rt_us, static_cast<double>(b.rt_sum_us) / static_cast<double>(b.passes));
    }
  });
  cached_ = Limits{};
  if (max_pass > 0) {
    const double buckets_per_second = 1e9 / static_cast<double>(window_.width().count());
    cached_.history = true;
    cached_.max_pass_per_second = static_cast<double>(max_pass) * buckets_per_second;
    cached_.min_rt = std::chrono::microseconds(std::max<std::int64_t>(1, std::llround(min_rt_us)));
    cached_.max_flight =
        std::max(1.0, cached_.max_pass_per_second * static_cast<double>(cached_.min_rt.count()) / 1e6);
  }
  return cached_;
}

AdaptiveShedder::Stats AdaptiveShedder::stats() const {
  const Nanos now = ticker_.now();
  const Limits l = limits(now);
  Stats s;
  s.in_flight = in_flight_.load(std::memory_order_relaxed);
  s.max_flight = l.max_flight;
  s.max_pass_per_second = l.max_pass_per_second;
  s.min_rt = l.min_rt;
  s.cpu = cpu_.usage();
  s.dropped = dropped_.load(std::memory_order_relaxed);
  s.hot = hot(now);
  return s;
}

}  // namespace vigil::resilience
