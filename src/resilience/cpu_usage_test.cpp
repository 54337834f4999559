#include "resilience/cpu_usage.h"

#include <gtest/gtest.h>
#include <sched.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace vigil::resilience {
namespace {

using std::chrono::milliseconds;

std::string stat_line(const std::string& comm, std::uint64_t utime, std::uint64_t stime) {
  return "4242 (" + comm + ") S 1 4242 4242 0 -1 4194560 1234 0 0 0 " + std::to_string(utime) + " " +
         std::to_string(stime) + " 0 0 20 0 9 0 123456 1000000 2000 18446744073709551615\n";
}

TEST(ParseProcStat, SumsUserAndSystemTicks) {
  EXPECT_EQ(parse_proc_stat_ticks(stat_line("vigil", 150, 25)), 175u);
}

TEST(ParseProcStat, CommandNameMayHoldSpacesAndParentheses) {
  EXPECT_EQ(parse_proc_stat_ticks(stat_line("a b) c (d", 7, 3)), 10u);
}

TEST(ParseProcStat, RejectsMalformedText) {
  EXPECT_EQ(parse_proc_stat_ticks(""), std::nullopt);
  EXPECT_EQ(parse_proc_stat_ticks("4242 vigil S 1"), std::nullopt);        // no parentheses
  EXPECT_EQ(parse_proc_stat_ticks("4242 (vigil) S 1 2 3"), std::nullopt);  // truncated
  EXPECT_EQ(parse_proc_stat_ticks("4242 (vigil) S 1 4242 4242 0 -1 4194560 1 0 0 0 x 5"), std::nullopt);
}

TEST(ParseCpuMax, QuotaOverPeriod) {
  EXPECT_DOUBLE_EQ(*parse_cpu_max("200000 100000\n"), 2.0);
  EXPECT_DOUBLE_EQ(*parse_cpu_max("50000 100000"), 0.5);
}

TEST(ParseCpuMax, UnlimitedOrMalformedIsNoLimit) {
  EXPECT_EQ(parse_cpu_max("max 100000\n"), std::nullopt);
  EXPECT_EQ(parse_cpu_max(""), std::nullopt);
  EXPECT_EQ(parse_cpu_max("100000"), std::nullopt);
  EXPECT_EQ(parse_cpu_max("100000 0"), std::nullopt);
  EXPECT_EQ(parse_cpu_max("-5 100000"), std::nullopt);
  EXPECT_EQ(parse_cpu_max("0 100000"), std::nullopt);
}

TEST(BusyFraction, ScalesByElapsedTimeAndCpus) {
  EXPECT_DOUBLE_EQ(busy_fraction(100, 100, std::chrono::seconds(1), 2), 0.5);
  EXPECT_DOUBLE_EQ(busy_fraction(50, 100, milliseconds(250), 4), 0.5);
  EXPECT_DOUBLE_EQ(busy_fraction(1000, 100, std::chrono::seconds(1), 1), 1.0);  // clamped
  EXPECT_DOUBLE_EQ(busy_fraction(10, 100, Nanos(0), 1), 0.0);
}

class ProcCpuUsageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("vigil_cpu_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    options_.stat_path = (dir_ / "stat").string();
    options_.cpu_max_path = (dir_ / "cpu.max").string();
    write(options_.cpu_max_path, "50000 100000\n");  // half a CPU: below any affinity set
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  static void write(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

  std::filesystem::path dir_;
  ProcCpuOptions options_;
  ManualTicker ticker_;
  const long hz_ = ::sysconf(_SC_CLK_TCK);
};

TEST_F(ProcCpuUsageTest, SmoothsSamplesWithEma) {
  write(options_.stat_path, stat_line("vigil", 0, 0));
  ProcCpuUsage cpu(ticker_, options_);
  EXPECT_DOUBLE_EQ(cpu.usable_cpus(), 0.5);
  EXPECT_EQ(cpu.usage(), 0);

  // Half a CPU-second (user + system) over one second, against half a CPU: fully busy.
  ticker_.advance(std::chrono::seconds(1));
  write(options_.stat_path,
        stat_line("vigil", static_cast<std::uint64_t>(hz_ / 4), static_cast<std::uint64_t>(hz_ / 4)));
  cpu.sample();
  EXPECT_NEAR(cpu.usage(), 0.05, 1e-12);

  // Idle for the next second: decays by beta.
  ticker_.advance(std::chrono::seconds(1));
  cpu.sample();
  EXPECT_NEAR(cpu.usage(), 0.05 * 0.95, 1e-12);
}

TEST_F(ProcCpuUsageTest, UnreadableOrTooEarlySampleChangesNothing) {
  write(options_.stat_path, stat_line("vigil", 0, 0));
  ProcCpuUsage cpu(ticker_, options_);
  write(options_.stat_path, stat_line("vigil", static_cast<std::uint64_t>(hz_), 0));
  cpu.sample();  // no time has passed
  EXPECT_EQ(cpu.usage(), 0);
  std::filesystem::remove(options_.stat_path);
  ticker_.advance(std::chrono::seconds(1));
  cpu.sample();
  EXPECT_EQ(cpu.usage(), 0);
}

TEST_F(ProcCpuUsageTest, QuotaAboveAffinityIsIgnored) {
  cpu_set_t set;
  CPU_ZERO(&set);
  ASSERT_EQ(::sched_getaffinity(0, sizeof(set), &set), 0);
  const double affinity = CPU_COUNT(&set);
  write(options_.cpu_max_path, "max 100000\n");
  ProcCpuUsage cpu(ticker_, options_);
  EXPECT_DOUBLE_EQ(cpu.usable_cpus(), affinity);
  write(options_.cpu_max_path, "100000000 100000\n");  // 1000 CPUs
  EXPECT_DOUBLE_EQ(cpu.usable_cpus(), affinity);
  std::filesystem::remove(options_.cpu_max_path);  // no cgroup v2 file at all
  EXPECT_DOUBLE_EQ(cpu.usable_cpus(), affinity);
}

TEST(ParseSystemCpu, BusyLeavesOutIdleAndIowait) {
  const auto r = parse_system_cpu_ticks("cpu  100 5 50 800 40 3 2 0 0 0\ncpu0 50 2 25 400 20 1 1 0 0 0\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->first, 160U);
  EXPECT_EQ(r->second, 1000U);
  EXPECT_FALSE(parse_system_cpu_ticks("cpu0 1 2 3 4\n"));
  EXPECT_FALSE(parse_system_cpu_ticks("cpu  1 x 3 4\n"));
  EXPECT_FALSE(parse_system_cpu_ticks("cpu  1 2\n"));
}

TEST_F(ProcCpuUsageTest, WholeMachineIsBusyTicksOverTotalTicks) {
  options_.whole_machine = true;
  write(options_.stat_path, "cpu  100 0 0 900 0 0 0 0 0 0\n");
  ProcCpuUsage cpu(ticker_, options_);
  ticker_.advance(std::chrono::seconds(1));
  write(options_.stat_path, "cpu  190 0 10 900 0 0 0 0 0 0\n");  // every new tick busy
  cpu.sample();
  EXPECT_NEAR(cpu.usage(), 0.05, 1e-12);
  ticker_.advance(std::chrono::seconds(1));
  write(options_.stat_path, "cpu  190 0 10 1000 0 0 0 0 0 0\n");  // every new tick idle
  cpu.sample();
  EXPECT_NEAR(cpu.usage(), 0.05 * 0.95, 1e-12);
}

TEST(ProcCpuUsage, RealProcessBackgroundThreadStartsAndStopsPromptly) {
  ProcCpuUsage cpu(SteadyTicker::instance(), ProcCpuOptions{.interval = std::chrono::hours(1)});
  cpu.start();
  cpu.start();  // idempotent
  cpu.stop();   // must not wait for the hour-long interval
  cpu.stop();
  cpu.sample();
  EXPECT_GE(cpu.usage(), 0.0);
  EXPECT_LE(cpu.usage(), 1.0);
}

TEST(FixedCpuUsage, IsSettable) {
  FixedCpuUsage cpu(0.3);
  EXPECT_EQ(cpu.usage(), 0.3);
  cpu.set(0.95);
  EXPECT_EQ(cpu.usage(), 0.95);
}

}  // namespace
}  // namespace vigil::resilience
