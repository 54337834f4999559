#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <utility>

#include "observability/metrics.h"

namespace vigil::observability {
namespace {

std::vector<double> checked_bounds(std::vector<double> bounds) {
  if (!bounds.empty() && bounds.back() == std::numeric_limits<double>::infinity()) bounds.pop_back();
  for (std::size_t i = 0; i < bounds.size(); ++i) {
    if (!std::isfinite(bounds[i])) throw std::invalid_argument("histogram bucket bounds must be finite");
    if (i > 0 && !(bounds[i - 1] < bounds[i])) {
      throw std::invalid_argument("histogram bucket bounds must be strictly increasing");
    }
  }
  return bounds;
}

}  // namespace

Histogram::Histogram(std::vector<double> upper_bounds)
    : bounds_(checked_bounds(std::move(upper_bounds))), counts_(bounds_.size() + 1) {}

void Histogram::observe(double v) {
  // First bucket whose bound is >= v (Prometheus buckets are "le"). NaN compares false with every
  // bound, so lower_bound would put it first; like the Go client, count it in +Inf only.
  const auto bucket =
      std::isnan(v)
          ? bounds_.size()
          : static_cast<std::size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), v) - bounds_.begin());
  counts_[bucket].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(v, std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::snapshot() const {
  Snapshot s;
  s.cumulative.reserve(counts_.size());
  std::uint64_t running = 0;
  for (const auto& c : counts_) {
    running += c.load(std::memory_order_relaxed);
    s.cumulative.push_back(running);
  }
  s.count = running;
  s.sum = sum_.load(std::memory_order_relaxed);
  return s;
}

std::vector<double> latency_buckets_seconds() {
  return {0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
          0.05,    0.1,    0.25,    0.5,    1,     2.5,    5,     10};
}

}  // namespace vigil::observability
