#include "loadgen/histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace vigil::loadgen {
namespace {

constexpr std::uint64_t kHalf = std::uint64_t{1} << Histogram::kSubBucketBits;  // 128
constexpr std::uint64_t kExact = kHalf * 2;                                     // [0, 256) exact
// Exponents kSubBucketBits + 1 .. kMaxExponent - 1 each contribute kHalf buckets.
constexpr std::size_t kBucketCount =
    kExact + static_cast<std::size_t>(Histogram::kMaxExponent - Histogram::kSubBucketBits - 1) * kHalf;

}  // namespace

Histogram::Histogram() : counts_(kBucketCount, 0) {}

std::size_t Histogram::bucket_index(std::uint64_t v) {
  if (v < kExact) return static_cast<std::size_t>(v);
  const int e = std::bit_width(v) - 1;  // floor(log2 v) >= kSubBucketBits + 1
  if (e >= kMaxExponent) return kBucketCount - 1;
  const int shift = e - kSubBucketBits;
  const std::uint64_t sub = v >> shift;  // in [kHalf, 2 * kHalf)
  return kExact + static_cast<std::size_t>(e - kSubBucketBits - 1) * kHalf + (sub - kHalf);
}

std::uint64_t Histogram::bucket_low(std::size_t index) {
  if (index < kExact) return index;
  const std::size_t rel = index - kExact;
  const int shift = static_cast<int>(rel / kHalf) + 1;
  const std::uint64_t sub = kHalf + rel % kHalf;
  return sub << shift;
}

std::uint64_t Histogram::bucket_high(std::size_t index) {
  if (index < kExact) return index + 1;
  const std::size_t rel = index - kExact;
  const int shift = static_cast<int>(rel / kHalf) + 1;
  const std::uint64_t sub = kHalf + rel % kHalf;
  return (sub + 1) << shift;
}

void Histogram::record(std::chrono::nanoseconds value) {
  const std::uint64_t v = value.count() < 0 ? 0 : static_cast<std::uint64_t>(value.count());
  ++counts_[bucket_index(v)];
  ++count_;
  min_ = std::min(min_, v);
  max_ = std::max(max_, v);
  sum_ += v;
}

void Histogram::merge(const Histogram& other) {
  for (std::size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
  count_ += other.count_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  sum_ += other.sum_;
}

void Histogram::reset() {
  std::fill(counts_.begin(), counts_.end(), 0);
  count_ = 0;
  min_ = UINT64_MAX;
  max_ = 0;
  sum_ = 0;
}

std::chrono::nanoseconds Histogram::percentile(double p) const {
  if (count_ == 0) return std::chrono::nanoseconds{0};
  p = std::clamp(p, 0.0, 100.0);
  // Rank of the wanted value among the sorted values, 1-based.
  auto rank = static_cast<std::uint64_t>(std::ceil(p / 100.0 * static_cast<double>(count_)));
  rank = std::clamp<std::uint64_t>(rank, 1, count_);
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < counts_.size(); ++i) {
    seen += counts_[i];
    if (seen >= rank) {
      const std::uint64_t low = bucket_low(i);
      const std::uint64_t high = bucket_high(i);
      const std::uint64_t mid = high - low <= 1 ? low : low + (high - low) / 2;
      return std::chrono::nanoseconds{static_cast<std::int64_t>(std::clamp(mid, min_, max_))};
    }
  }
  return max();
}

std::chrono::nanoseconds Histogram::min() const {
  return std::chrono::nanoseconds{count_ == 0 ? 0 : static_cast<std::int64_t>(min_)};
}

std::chrono::nanoseconds Histogram::max() const {
  return std::chrono::nanoseconds{static_cast<std::int64_t>(max_)};
}

std::chrono::nanoseconds Histogram::mean() const {
  if (count_ == 0) return std::chrono::nanoseconds{0};
  return std::chrono::nanoseconds{static_cast<std::int64_t>(sum_ / count_)};
}

}  // namespace vigil::loadgen
