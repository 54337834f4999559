#include "loadgen/report.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace vigil::loadgen {
namespace {

using namespace std::chrono_literals;

Report sample() {
  Report r;
  r.url = "http://127.0.0.1:8080";
  r.scenario = "batch100";
  r.mode = "open";
  r.target_rate = 500;
  r.connections = 8;
  r.threads = 1;
  r.warmup_s = 2;
  r.measured_s = 4;
  r.stats.counts.ok = 1000;
  r.stats.counts.too_many = 3;
  r.stats.counts.unavailable = 2;
  r.stats.counts.other = 1;
  r.stats.counts.errors = 4;
  r.stats.counts.timeouts = 5;
  r.stats.observations_acked = 100'000;
  r.stats.unsent = 7;
  for (int i = 1; i <= 1000; ++i) r.stats.latency.record(std::chrono::microseconds(i));
  return r;
}

TEST(Report, JsonLineCarriesEveryFigure) {
  const std::string line = format_json(sample());
  EXPECT_EQ(line.find('\n'), std::string::npos);
  const auto o = boost::json::parse(line).as_object();
  EXPECT_EQ(o.at("scenario").as_string(), "batch100");
  EXPECT_EQ(o.at("mode").as_string(), "open");
  EXPECT_EQ(o.at("requests").to_number<std::uint64_t>(), 1015U);
  EXPECT_EQ(o.at("acknowledged").to_number<std::uint64_t>(), 1000U);
  EXPECT_DOUBLE_EQ(o.at("acknowledged_per_s").to_number<double>(), 250.0);
  EXPECT_DOUBLE_EQ(o.at("observations_per_s").to_number<double>(), 25'000.0);
  EXPECT_EQ(o.at("unsent").to_number<std::uint64_t>(), 7U);
  const auto& s = o.at("status").as_object();
  EXPECT_EQ(s.at("2xx").to_number<int>(), 1000);
  EXPECT_EQ(s.at("429").to_number<int>(), 3);
  EXPECT_EQ(s.at("503").to_number<int>(), 2);
  EXPECT_EQ(s.at("other").to_number<int>(), 1);
  EXPECT_EQ(s.at("errors").to_number<int>(), 4);
  EXPECT_EQ(s.at("timeouts").to_number<int>(), 5);
  const auto& l = o.at("latency_us").as_object();
  EXPECT_NEAR(l.at("p50").to_number<double>(), 500, 5);
  EXPECT_NEAR(l.at("p99").to_number<double>(), 990, 10);
  EXPECT_NEAR(l.at("p999").to_number<double>(), 999, 10);
  EXPECT_DOUBLE_EQ(l.at("max").to_number<double>(), 1000);
  EXPECT_DOUBLE_EQ(l.at("min").to_number<double>(), 1);
}

TEST(Report, TextNamesTheFigures) {
  const std::string text = format_text(sample());
  EXPECT_NE(text.find("batch100 open loop at 500 req/s, 8 connections on 1 thread"), std::string::npos)
      << text;
  EXPECT_NE(text.find("1000 acknowledged (250.0/s)"), std::string::npos) << text;
  EXPECT_NE(text.find("100000 observations (25000.0/s)"), std::string::npos) << text;
  EXPECT_NE(text.find("2xx 1000  429 3  503 2  other 1  errors 4  timeouts 5  unsent 7"), std::string::npos)
      << text;
  EXPECT_NE(text.find("max 1.00 ms"), std::string::npos) << text;
}

TEST(Report, NoTimeNoRate) {
  Report r;
  r.stats.counts.ok = 5;
  EXPECT_EQ(r.acknowledged_per_s(), 0);
  EXPECT_EQ(r.observations_per_s(), 0);
}

TEST(RunStats, MergeAddsEverything) {
  RunStats a = sample().stats;
  RunStats b = sample().stats;
  a.merge(b);
  EXPECT_EQ(a.counts.ok, 2000U);
  EXPECT_EQ(a.counts.timeouts, 10U);
  EXPECT_EQ(a.observations_acked, 200'000U);
  EXPECT_EQ(a.unsent, 14U);
  EXPECT_EQ(a.latency.count(), 2000U);
}

}  // namespace
}  // namespace vigil::loadgen
