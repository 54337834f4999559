#include "observability/metrics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <thread>

#include "observability/metric_format.h"

namespace vigil::observability {
namespace {

TEST(MetricFormat, SpellsNumbersSoPrometheusParsesThem) {
  EXPECT_EQ(format_number(0), "0");
  EXPECT_EQ(format_number(3), "3");
  EXPECT_EQ(format_number(-42), "-42");
  EXPECT_EQ(format_number(1e6), "1000000");
  EXPECT_EQ(format_number(0.25), "0.25");
  EXPECT_EQ(format_number(0.00005), "5e-05");
  EXPECT_EQ(format_number(1e300), "1e+300");
  EXPECT_EQ(format_number(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(format_number(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(format_number(std::nan("")), "NaN");
}

TEST(MetricFormat, ValidatesNames) {
  EXPECT_TRUE(is_valid_metric_name("vigil_http_requests_total"));
  EXPECT_TRUE(is_valid_metric_name("ns:rule_latency:5m"));
  EXPECT_TRUE(is_valid_metric_name("_x"));
  EXPECT_FALSE(is_valid_metric_name(""));
  EXPECT_FALSE(is_valid_metric_name("1abc"));
  EXPECT_FALSE(is_valid_metric_name("http-requests"));
  EXPECT_FALSE(is_valid_metric_name("caf\xc3\xa9"));
  EXPECT_TRUE(is_valid_label_name("method"));
  EXPECT_FALSE(is_valid_label_name("__name__"));
  EXPECT_FALSE(is_valid_label_name("a:b"));
  EXPECT_FALSE(is_valid_label_name("9"));
}

TEST(MetricsRegistry, ExposesTheTextFormatExactly) {
  MetricsRegistry registry;
  auto& requests = registry.counter("http_requests_total", "HTTP requests.", {"method", "code"});
  requests.with({"GET", "200"}).inc(3);
  requests.with({"POST", "500"}).inc();
  registry.gauge("queue_depth", "Items waiting.\nSecond line \\ end.").with({}).set(2.5);
  auto& latency = registry.histogram("latency_seconds", "Latency.", {}, {0.1, 1});
  latency.with({}).observe(0.05);
  latency.with({}).observe(0.5);
  latency.with({}).observe(3);
  registry.gauge_callback("up_callback", "From a callback.", [] { return 1.0; });

  EXPECT_EQ(registry.expose(),
            "# HELP http_requests_total HTTP requests.\n"
            "# TYPE http_requests_total counter\n"
            "http_requests_total{method=\"GET\",code=\"200\"} 3\n"
            "http_requests_total{method=\"POST\",code=\"500\"} 1\n"
            "# HELP latency_seconds Latency.\n"
            "# TYPE latency_seconds histogram\n"
            "latency_seconds_bucket{le=\"0.1\"} 1\n"
            "latency_seconds_bucket{le=\"1\"} 2\n"
            "latency_seconds_bucket{le=\"+Inf\"} 3\n"
            "latency_seconds_sum 3.55\n"
            "latency_seconds_count 3\n"
            "# HELP queue_depth Items waiting.\\nSecond line \\\\ end.\n"
            "# TYPE queue_depth gauge\n"
            "queue_depth 2.5\n"
            "# HELP up_callback From a callback.\n"
            "# TYPE up_callback gauge\n"
            "up_callback 1\n");
}

TEST(MetricsRegistry, EscapesLabelValuesAndPutsLeLastOnLabelledHistograms) {
  MetricsRegistry registry;
  registry.counter("c_total", "c", {"path"}).with({"a\\b\"c\nd"}).inc();
  registry.histogram("h", "h", {"route"}, {1}).with({"/x"}).observe(1);
  const auto text = registry.expose();
  EXPECT_NE(text.find("c_total{path=\"a\\\\b\\\"c\\nd\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("h_bucket{route=\"/x\",le=\"1\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("h_bucket{route=\"/x\",le=\"+Inf\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("h_sum{route=\"/x\"} 1\nh_count{route=\"/x\"} 1\n"), std::string::npos) << text;
}

TEST(MetricsRegistry, UnlabelledMetricsShowZeroAndLabelledFamiliesWithoutChildrenAreOmitted) {
  MetricsRegistry registry;
  registry.counter("plain_total", "p");
  registry.counter("labelled_total", "l", {"kind"});
  EXPECT_EQ(registry.expose(), "# HELP plain_total p\n# TYPE plain_total counter\nplain_total 0\n");
}

TEST(Histogram, CountsCumulativelyWithInclusiveUpperBounds) {
  Histogram h({1, 2, 4});
  for (const double v : {0.5, 1.0, 1.5, 2.0, 3.0, 10.0}) h.observe(v);
  const auto s = h.snapshot();
  EXPECT_EQ(s.cumulative, (std::vector<std::uint64_t>{2, 4, 5, 6}));
  EXPECT_EQ(s.count, 6U);
  EXPECT_DOUBLE_EQ(s.sum, 18.0);
}

TEST(Histogram, CountsNaNOnlyInTheInfBucket) {
  Histogram h({1, 2});
  h.observe(std::nan(""));
  const auto s = h.snapshot();
  EXPECT_EQ(s.cumulative, (std::vector<std::uint64_t>{0, 0, 1}));
  EXPECT_TRUE(std::isnan(s.sum));
}

TEST(Histogram, RejectsUnsortedOrNonFiniteBoundsAndDropsATrailingInf) {
  EXPECT_THROW(Histogram({2, 1}), std::invalid_argument);
  EXPECT_THROW(Histogram({1, 1}), std::invalid_argument);
  EXPECT_THROW(Histogram({std::nan("")}), std::invalid_argument);
  const Histogram h({1, std::numeric_limits<double>::infinity()});
  EXPECT_EQ(h.upper_bounds(), std::vector<double>{1});
}

TEST(MetricsRegistry, LatencyBucketsAreIncreasingFrom50MicrosecondsTo10Seconds) {
  const auto b = latency_buckets_seconds();
  ASSERT_FALSE(b.empty());
  EXPECT_DOUBLE_EQ(b.front(), 0.00005);
  EXPECT_DOUBLE_EQ(b.back(), 10);
  EXPECT_NO_THROW(Histogram{b});
}

TEST(MetricsRegistry, ConcurrentIncrementsAndObservationsAddUpExactly) {
  MetricsRegistry registry;
  auto& family = registry.counter("events_total", "e", {"kind"});
  auto& hist = registry.histogram("h", "h", {}, {0.5}).with({});
  constexpr int kThreads = 4;
  constexpr int kPerThread = 100000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      // Each thread resolves the child itself, so the first-creation path races too.
      auto& counter = family.with({"x"});
      for (int i = 0; i < kPerThread; ++i) {
        counter.inc();
        hist.observe(1);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(family.with({"x"}).value(), std::uint64_t{kThreads} * kPerThread);
  const auto s = hist.snapshot();
  EXPECT_EQ(s.count, std::uint64_t{kThreads} * kPerThread);
  EXPECT_DOUBLE_EQ(s.sum, double{kThreads} * kPerThread);
}

TEST(MetricsRegistry, ReturnsTheSameFamilyForAMatchingRegistrationAndThrowsOtherwise) {
  MetricsRegistry registry;
  auto& a = registry.counter("x_total", "x", {"k"});
  EXPECT_EQ(&registry.counter("x_total", "other help", {"k"}), &a);
  EXPECT_EQ(&a.with({"v"}), &registry.counter("x_total", "x", {"k"}).with({"v"}));
  EXPECT_THROW(registry.counter("x_total", "x", {"j"}), std::invalid_argument);
  EXPECT_THROW(registry.gauge("x_total", "x", {"k"}), std::invalid_argument);
  auto& h = registry.histogram("h", "h", {}, {1, 2});
  EXPECT_EQ(&registry.histogram("h", "h", {}, {1, 2}), &h);
  EXPECT_THROW(registry.histogram("h", "h", {}, {1, 3}), std::invalid_argument);
  registry.gauge_callback("cb", "cb", [] { return 0.0; });
  EXPECT_THROW(registry.gauge_callback("cb", "cb", [] { return 0.0; }), std::invalid_argument);
  EXPECT_THROW(registry.gauge("cb", "cb"), std::invalid_argument);
  EXPECT_THROW(registry.counter_callback("x_total", "x", [] { return 0.0; }), std::invalid_argument);
}

TEST(MetricsRegistry, RejectsInvalidNamesAndWrongLabelCounts) {
  MetricsRegistry registry;
  EXPECT_THROW(registry.counter("bad-name", "x"), std::invalid_argument);
  EXPECT_THROW(registry.counter("ok", "x", {"bad-label"}), std::invalid_argument);
  EXPECT_THROW(registry.counter("ok2", "x", {"__reserved"}), std::invalid_argument);
  EXPECT_THROW(registry.counter("ok3", "x", {"a", "a"}), std::invalid_argument);
  EXPECT_THROW(registry.histogram("ok4", "x", {"le"}, {1}), std::invalid_argument);
  EXPECT_THROW(registry.gauge_callback("9lives", "x", [] { return 0.0; }), std::invalid_argument);
  auto& family = registry.gauge("g", "g", {"a", "b"});
  EXPECT_THROW(family.with({"only-one"}), std::invalid_argument);
  EXPECT_THROW(family.with({"1", "2", "3"}), std::invalid_argument);
}

TEST(MetricsRegistry, OmitsCallbacksThatHaveNoValueOrThrow) {
  MetricsRegistry registry;
  registry.gauge_callback("none", "n", []() -> std::optional<double> { return std::nullopt; });
  registry.counter_callback("boom_total", "b",
                            []() -> std::optional<double> { throw std::runtime_error("x"); });
  std::atomic<std::uint64_t> external{7};
  registry.counter_callback("external_total", "e", [&] { return static_cast<double>(external.load()); });
  EXPECT_EQ(registry.expose(), "# HELP external_total e\n# TYPE external_total counter\nexternal_total 7\n");
}

}  // namespace
}  // namespace vigil::observability
