#include "sim/console.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "sim/summary.h"

namespace vigil::sim {
namespace {

using std::chrono::milliseconds;
using std::chrono::nanoseconds;

const TimePoint kConsoleAt = std::chrono::sys_days(std::chrono::year(2026) / 11 / 22) +
                             std::chrono::hours(9) + std::chrono::minutes(14);

// Everything written to a temporary file.
std::string written(std::FILE* f) {
  std::fflush(f);
  std::rewind(f);
  std::string out;
  char buf[512];
  while (const std::size_t n = std::fread(buf, 1, sizeof buf, f)) out.append(buf, n);
  return out;
}

TEST(Console, FormatsLatencies) {
  EXPECT_EQ(format_latency(nanoseconds(950'000)), "950 us");
  EXPECT_EQ(format_latency(nanoseconds(8'200'000)), "8.2 ms");
  EXPECT_EQ(format_latency(milliseconds(1250)), "1.25 s");
}

TEST(Console, FormatsTheStatusLine) {
  StatusView v;
  v.sim_now = kConsoleAt;
  v.acked_per_s = 1998.4;
  v.log_lag = 12;
  v.alerts = {3, 5, 2, 4, 0};
  v.p99 = milliseconds(8) + std::chrono::microseconds(200);
  EXPECT_EQ(format_status(v),
            "sim 09:14 | 1998 obs/s acked | log lag 12 | alerts L 3 LM 5 M 2 H 4 C 0 | p99 8.2 ms");
  v.log_lag.reset();
  v.p99.reset();
  v.behind = milliseconds(3200);
  v.failures = 4;
  v.draining = true;
  EXPECT_EQ(format_status(v),
            "sim 09:14 | 1998 obs/s acked | log lag - | alerts L 3 LM 5 M 2 H 4 C 0 | p99 - | behind 3.2 s | "
            "4 failures | draining");
}

TEST(Console, FormatsAnAlert) {
  AlertUpdate a;
  a.at = kConsoleAt;
  a.patient_id = "DEMO-S03-0127";
  a.rule_id = "news2";
  a.severity = domain::Severity::critical;
  a.reason = "NEWS2 9 (...)";
  EXPECT_EQ(format_alert(a), "ALERT critical DEMO-S03-0127  news2  NEWS2 9 (...)  (sim 09:14)");
}

TEST(Console, PlainOutputPrintsWholeLines) {
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  Console c(f, false);
  EXPECT_EQ(c.status_interval(), std::chrono::seconds(10));
  c.status("one");
  c.line("ALERT x");
  c.status("two");
  c.finish();
  EXPECT_EQ(written(f), "one\nALERT x\ntwo\n");
  std::fclose(f);
}

TEST(Console, TerminalOutputRedrawsTheStatusInPlace) {
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  Console c(f, true);
  EXPECT_EQ(c.status_interval(), std::chrono::seconds(1));
  c.status("one");
  c.status("two");
  c.line("ALERT x");
  c.finish();
  EXPECT_EQ(written(f), "\r\x1b[Kone\r\x1b[Ktwo\r\x1b[KALERT x\ntwo\n");
  std::fclose(f);
}

TEST(Console, NoOutputIsSilent) {
  Console c(nullptr, true);
  c.status("one");
  c.line("two");
  c.finish();  // nothing to check but that it does not crash
}

TEST(Summary, ReportsTheFiguresTheDemoPromises) {
  SimSummary s;
  s.patients = 2000;
  s.real_seconds = 60;
  s.sim_start = kConsoleAt;
  s.sim_end = kConsoleAt + std::chrono::hours(1);
  s.observations_sent = 120'000;
  s.observations_acked = 120'000;
  s.responses_acked = 80;
  s.stored = 120'080;
  s.latency_count = 1200;
  s.latency_p99 = milliseconds(9);
  s.alerts = {0, 4, 3, 9, 1};
  s.evaluation.injected = 10;
  s.evaluation.evaluable = 8;
  s.evaluation.detected = 8;
  s.evaluation.recall = 1.0;
  s.evaluation.median_delay_minutes = 31.5;
  s.evaluation.false_alerts = 1;
  s.evaluation.patient_days = 82.1;
  s.evaluation.false_alerts_per_100_patient_days = 1.218;
  EXPECT_TRUE(s.consistent());
  const std::string text = format_summary(s);
  for (const char* part :
       {"2000 patients", "1.0 h simulated", "acknowledged 120000", "120080 records stored", "equal",
        "p99 9.0 ms", "recall 100.0 %", "median delay 31.5", "1.22 per 100 patient-days"}) {
    EXPECT_NE(text.find(part), std::string::npos) << part << "\n" << text;
  }
  s.stored = 120'079;
  EXPECT_FALSE(s.consistent());
  EXPECT_NE(format_summary(s).find("MISMATCH"), std::string::npos);

  SimSummary failed;
  failed.error = "cannot connect to 127.0.0.1:1: Connection refused";
  EXPECT_FALSE(failed.consistent());
  EXPECT_EQ(format_summary(failed),
            "simulation did not run: cannot connect to 127.0.0.1:1: Connection refused\n");
}

}  // namespace
}  // namespace vigil::sim
