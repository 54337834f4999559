#include "loadgen/histogram.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

namespace vigil::loadgen {
namespace {

using std::chrono::nanoseconds;

// The exact p-th percentile with the same definition as Histogram::percentile (nearest rank).
std::int64_t exact_percentile(std::vector<std::int64_t> sorted, double p) {
  auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size())));
  rank = std::clamp<std::size_t>(rank, 1, sorted.size());
  return sorted[rank - 1];
}

void expect_within_one_percent(const std::vector<std::int64_t>& values) {
  Histogram h;
  for (auto v : values) h.record(nanoseconds(v));
  std::vector<std::int64_t> sorted = values;
  std::sort(sorted.begin(), sorted.end());
  for (double p : {0.0, 1.0, 10.0, 25.0, 50.0, 75.0, 90.0, 99.0, 99.9, 99.99, 100.0}) {
    const double exact = static_cast<double>(exact_percentile(sorted, p));
    const double got = static_cast<double>(h.percentile(p).count());
    EXPECT_LE(std::abs(got - exact), exact * 0.01) << "p" << p << " exact " << exact << " got " << got;
  }
  EXPECT_EQ(h.min().count(), sorted.front());
  EXPECT_EQ(h.max().count(), sorted.back());
  EXPECT_EQ(h.count(), values.size());
}

TEST(Histogram, EmptyIsAllZero) {
  Histogram h;
  EXPECT_EQ(h.count(), 0U);
  EXPECT_EQ(h.percentile(50).count(), 0);
  EXPECT_EQ(h.min().count(), 0);
  EXPECT_EQ(h.max().count(), 0);
  EXPECT_EQ(h.mean().count(), 0);
}

TEST(Histogram, SmallValuesAreExact) {
  Histogram h;
  for (int v = 1; v <= 200; ++v) h.record(nanoseconds(v));
  EXPECT_EQ(h.percentile(50).count(), 100);
  EXPECT_EQ(h.percentile(99).count(), 198);
  EXPECT_EQ(h.percentile(100).count(), 200);
  EXPECT_EQ(h.mean().count(), 100);  // 100.5 truncated
}

TEST(Histogram, NegativeCountsAsZero) {
  Histogram h;
  h.record(nanoseconds(-5));
  EXPECT_EQ(h.count(), 1U);
  EXPECT_EQ(h.max().count(), 0);
}

TEST(Histogram, EveryBucketIsNarrowerThanOnePercentOfItsLowerBound) {
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<int> exponent(0, 39);
  for (int i = 0; i < 100000; ++i) {
    const std::uint64_t top = std::uint64_t{1} << exponent(rng);
    const std::uint64_t v = top + rng() % top;
    const std::size_t b = Histogram::bucket_index(v);
    ASSERT_LE(Histogram::bucket_low(b), v);
    ASSERT_LT(v, Histogram::bucket_high(b));
    if (v >= 1000) {
      ASSERT_LE(static_cast<double>(Histogram::bucket_high(b) - Histogram::bucket_low(b)),
                static_cast<double>(Histogram::bucket_low(b)) / 128.0);
    }
  }
}

TEST(Histogram, BucketsTileTheRangeWithoutGaps) {
  for (std::size_t b = 0; Histogram::bucket_high(b) < (std::uint64_t{1} << Histogram::kMaxExponent); ++b) {
    ASSERT_EQ(Histogram::bucket_high(b), Histogram::bucket_low(b + 1)) << b;
    ASSERT_EQ(Histogram::bucket_index(Histogram::bucket_low(b)), b);
  }
}

TEST(Histogram, UniformMicrosecondsToTenMillisecondsWithinOnePercent) {
  std::mt19937_64 rng(1);
  std::uniform_int_distribution<std::int64_t> d(1'000, 10'000'000);
  std::vector<std::int64_t> values(100'000);
  for (auto& v : values) v = d(rng);
  expect_within_one_percent(values);
}

TEST(Histogram, LogUniformMicrosecondToSixtySecondsWithinOnePercent) {
  std::mt19937_64 rng(2);
  std::uniform_real_distribution<double> exponent(std::log(1e3), std::log(60e9));
  std::vector<std::int64_t> values(100'000);
  for (auto& v : values) v = std::llround(std::exp(exponent(rng)));
  expect_within_one_percent(values);
}

TEST(Histogram, ExponentialLatenciesWithinOnePercent) {
  std::mt19937_64 rng(3);
  std::exponential_distribution<double> d(1.0 / 2e6);  // mean 2 ms
  std::vector<std::int64_t> values(50'000);
  for (auto& v : values) v = 1'000 + std::llround(d(rng));
  expect_within_one_percent(values);
}

TEST(Histogram, MergeEqualsRecordingEverythingInOne) {
  Histogram a;
  Histogram b;
  Histogram all;
  std::mt19937_64 rng(4);
  for (int i = 0; i < 10000; ++i) {
    const auto v = nanoseconds(static_cast<std::int64_t>(rng() % 50'000'000));
    (i % 3 == 0 ? a : b).record(v);
    all.record(v);
  }
  a.merge(b);
  EXPECT_EQ(a.count(), all.count());
  EXPECT_EQ(a.min(), all.min());
  EXPECT_EQ(a.max(), all.max());
  EXPECT_EQ(a.mean(), all.mean());
  for (double p : {50.0, 90.0, 99.0, 99.9}) EXPECT_EQ(a.percentile(p), all.percentile(p));
  a.reset();
  EXPECT_EQ(a.count(), 0U);
  EXPECT_EQ(a.percentile(50).count(), 0);
}

TEST(Histogram, MeanIsExact) {
  Histogram h;
  h.record(std::chrono::milliseconds(1));
  h.record(std::chrono::milliseconds(3));
  EXPECT_EQ(h.mean(), std::chrono::milliseconds(2));
}

}  // namespace
}  // namespace vigil::loadgen
