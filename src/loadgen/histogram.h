#pragma once
// A latency histogram with bounded relative error, in the manner of HdrHistogram: values below 256 ns
// are counted exactly; above, every power-of-two range is split into 128 equal sub-buckets, so a
// bucket is never wider than 1/128 of its lower bound. percentile() answers with the bucket's
// midpoint, which is within 0.4 % of the true value (well under 1 %) from 1 us up to 2^40 ns
// (about 18 minutes); larger values are counted in the last bucket, and max() stays exact.
//
// Recording is O(1) and allocation-free (the bucket array is allocated once, about 35 KB).
// Thread safety: none; give each thread its own histogram and merge() them at the end.
#include <chrono>
#include <cstdint>
#include <vector>

namespace vigil::loadgen {

class Histogram {
 public:
  Histogram();

  // Negative durations (a clock that went backwards) are counted as zero.
  void record(std::chrono::nanoseconds value);
  // Adds every value recorded in `other`.
  void merge(const Histogram& other);
  void reset();

  [[nodiscard]] std::uint64_t count() const { return count_; }
  // The smallest value v such that at least p % of the recorded values are <= v, to within the
  // bucket resolution, clamped to [min(), max()]. p is clamped to [0, 100]. Zero when empty.
  [[nodiscard]] std::chrono::nanoseconds percentile(double p) const;
  // Exact; zero when empty.
  [[nodiscard]] std::chrono::nanoseconds min() const;
  [[nodiscard]] std::chrono::nanoseconds max() const;
  [[nodiscard]] std::chrono::nanoseconds mean() const;

  // Exposed for tests that check the error bound.
  static constexpr int kSubBucketBits = 7;  // 128 sub-buckets per power of two
  static constexpr int kMaxExponent = 40;   // values up to 2^40 ns are resolved
  static std::size_t bucket_index(std::uint64_t value_ns);
  // [low, high) of the values that land in bucket `index`.
  static std::uint64_t bucket_low(std::size_t index);
  static std::uint64_t bucket_high(std::size_t index);

 private:
  std::vector<std::uint64_t> counts_;
  std::uint64_t count_ = 0;
  std::uint64_t min_ = UINT64_MAX;
  std::uint64_t max_ = 0;
  // Sum in nanoseconds: 2^64 ns is 584 years of accumulated latency, beyond any run.
  std::uint64_t sum_ = 0;
};

}  // namespace vigil::loadgen
