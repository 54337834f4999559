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
  for (int i = 1; i <= 100; ++i) r.stats.service_ok.record(std::chrono::microseconds(i));
  r.stats.service_refused.record(std::chrono::microseconds(40));
  r.stats.completed.ok = 1200;
  r.stats.completed.too_many = 6;
  r.stats.completed.unavailable = 2;
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
  const auto& d = o.at("completed").as_object();
  EXPECT_EQ(d.at("2xx").to_number<int>(), 1200);
  EXPECT_EQ(d.at("429").to_number<int>(), 6);
  EXPECT_EQ(d.at("503").to_number<int>(), 2);
  EXPECT_DOUBLE_EQ(o.at("completed_2xx_per_s").to_number<double>(), 300.0);
  EXPECT_DOUBLE_EQ(o.at("completed_refused_per_s").to_number<double>(), 2.0);
  const auto& service = o.at("service_us").as_object();
  EXPECT_DOUBLE_EQ(service.at("2xx").at("max").to_number<double>(), 100);
  EXPECT_NEAR(service.at("2xx").at("p50").to_number<double>(), 50, 1);
  EXPECT_DOUBLE_EQ(service.at("refused").at("p99").to_number<double>(), 40);
  EXPECT_EQ(service.at("refused").at("count").to_number<int>(), 1);
  EXPECT_EQ(l.at("count").to_number<int>(), 1000);
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
  EXPECT_NE(text.find("answered   in the window: 2xx 300.0/s, 429+503 2.0/s"), std::string::npos) << text;
  EXPECT_NE(text.find("server 2xx p50 50 us"), std::string::npos) << text;
  EXPECT_NE(text.find("server ref p50 40 us"), std::string::npos) << text;
}

TEST(Report, ClosedLoopTextLeavesOutWhatOnlyAnOpenLoopCanDiffer) {
  Report r = sample();
  r.mode = "closed";
  const std::string text = format_text(r);
  EXPECT_EQ(text.find("answered"), std::string::npos) << text;
  EXPECT_EQ(text.find("server 2xx"), std::string::npos) << text;
}

TEST(Report, NoTimeNoRate) {
  Report r;
  r.stats.counts.ok = 5;
  EXPECT_EQ(r.acknowledged_per_s(), 0);
  EXPECT_EQ(r.observations_per_s(), 0);
}

Report alert_sample() {
  Report r = sample();
  r.scenario = "alert-latency";
  auto& a = r.alerts;
  a.enabled = true;
  a.patients = 2000;
  a.patients_exhausted = true;
  a.sent = 120;
  a.rejected = 2;
  a.opened = 110;
  a.updated = 6;
  a.missing = 2;
  a.repeat_events = 110;
  a.unmatched_events = 3;
  a.unreadable_events = 1;
  a.stream_reconnects = 4;
  for (int i = 1; i <= 116; ++i) a.latency.record(std::chrono::milliseconds(i));
  return r;
}

TEST(Report, AlertLatencyInJsonOnlyWhenRun) {
  EXPECT_FALSE(boost::json::parse(format_json(sample())).as_object().contains("alert_latency"));
  const auto o = boost::json::parse(format_json(alert_sample())).as_object();
  EXPECT_EQ(o.at("scenario").as_string(), "alert-latency");
  const auto& a = o.at("alert_latency").as_object();
  EXPECT_EQ(a.at("patients").to_number<int>(), 2000);
  EXPECT_EQ(a.at("patients_exhausted").as_bool(), true);
  EXPECT_EQ(a.at("sent").to_number<int>(), 120);
  EXPECT_EQ(a.at("rejected").to_number<int>(), 2);
  EXPECT_EQ(a.at("matched").to_number<int>(), 116);
  EXPECT_EQ(a.at("opened").to_number<int>(), 110);
  EXPECT_EQ(a.at("updated").to_number<int>(), 6);
  EXPECT_EQ(a.at("missing").to_number<int>(), 2);
  EXPECT_EQ(a.at("repeat_events").to_number<int>(), 110);
  EXPECT_EQ(a.at("unmatched_events").to_number<int>(), 3);
  EXPECT_EQ(a.at("unreadable_events").to_number<int>(), 1);
  EXPECT_EQ(a.at("stream_reconnects").to_number<int>(), 4);
  const auto& l = a.at("latency_us").as_object();
  EXPECT_EQ(l.at("min").to_number<int>(), 1000);
  EXPECT_EQ(l.at("max").to_number<int>(), 116'000);
  EXPECT_NEAR(l.at("p50").to_number<double>(), 58'000, 600);
  EXPECT_NEAR(l.at("p99").to_number<double>(), 115'000, 1200);
  EXPECT_TRUE(l.contains("p90") && l.contains("p999") && l.contains("mean"));
}

TEST(Report, AlertLatencyInText) {
  EXPECT_EQ(format_text(sample()).find("ingest->alert"), std::string::npos);
  const std::string text = format_text(alert_sample());
  EXPECT_NE(
      text.find("120 alerting readings sent, 2 rejected; 116 matched (110 opened, 6 updated), 2 missing"),
      std::string::npos)
      << text;
  EXPECT_NE(text.find("3 unmatched events, 110 repeat, 1 unreadable, 4 reconnects"), std::string::npos)
      << text;
  EXPECT_NE(text.find("ingest->alert  p50 "), std::string::npos) << text;
  EXPECT_NE(text.find("max 116.00 ms"), std::string::npos) << text;
  EXPECT_NE(text.find("(n=116)"), std::string::npos) << text;
  EXPECT_NE(text.find("all 2000 patients had their alerting reading"), std::string::npos) << text;
  EXPECT_NE(text.find("already open"), std::string::npos) << text;
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
  EXPECT_EQ(a.service_ok.count(), 200U);
  EXPECT_EQ(a.service_refused.count(), 2U);
  EXPECT_EQ(a.completed.ok, 2400U);
  EXPECT_EQ(a.completed.too_many, 12U);
}

}  // namespace
}  // namespace vigil::loadgen
