#include "observability/process_metrics.h"

#include <gtest/gtest.h>

#include <string>

namespace vigil::observability {
namespace {

// A real line with utime 1234, stime 56, 7 threads, start 933570, vsize 3133440, rss 375 pages.
constexpr std::string_view kStat =
    "10019 (cat) R 10017 10017 7076 0 -1 4194304 100 0 0 0 1234 56 0 0 20 0 7 0 933570 3133440 375 "
    "18446744073709551615 94779119816704 94779119836585 140735055327984 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n";

TEST(ParseProcSelfStat, ReadsTheFieldsAfterTheCommandName) {
  const auto stat = parse_proc_self_stat(kStat);
  ASSERT_TRUE(stat.has_value());
  EXPECT_EQ(stat->utime_ticks, 1234U);
  EXPECT_EQ(stat->stime_ticks, 56U);
  EXPECT_EQ(stat->num_threads, 7U);
  EXPECT_EQ(stat->start_time_ticks, 933570U);
  EXPECT_EQ(stat->vsize_bytes, 3133440U);
  EXPECT_EQ(stat->rss_pages, 375U);
}

TEST(ParseProcSelfStat, CountsFromTheLastParenthesisSoCommandNamesCannotShiftFields) {
  std::string tricky(kStat);
  tricky.replace(tricky.find("(cat)"), 5, "(a) b ) 9 9 (c))");
  const auto stat = parse_proc_self_stat(tricky);
  ASSERT_TRUE(stat.has_value());
  EXPECT_EQ(stat->utime_ticks, 1234U);
  EXPECT_EQ(stat->num_threads, 7U);
  EXPECT_EQ(stat->rss_pages, 375U);
}

TEST(ParseProcSelfStat, RejectsTruncatedOrMalformedText) {
  EXPECT_FALSE(parse_proc_self_stat("").has_value());
  EXPECT_FALSE(parse_proc_self_stat("10019 cat R 1 2 3").has_value());
  EXPECT_FALSE(
      parse_proc_self_stat("10019 (cat) R 10017 10017 7076 0 -1 4194304 100 0 0 0 1234").has_value());
  std::string bad(kStat);
  bad.replace(bad.find(" 375 "), 5, " -1 ");
  EXPECT_FALSE(parse_proc_self_stat(bad).has_value());
}

TEST(ParseBootTime, FindsTheBtimeLine) {
  EXPECT_EQ(parse_boot_time("cpu  1 2 3\nintr 5\nbtime 1795435053\nprocesses 9\n"), 1795435053U);
  EXPECT_EQ(parse_boot_time("btime 17"), 17U);
  EXPECT_FALSE(parse_boot_time("cpu 1 2 3\n").has_value());
  EXPECT_FALSE(parse_boot_time("btime x\n").has_value());
}

// Pulls the value of an unlabelled sample out of exposition text.
std::optional<double> sample(const std::string& text, const std::string& name) {
  const auto pos = text.find("\n" + name + " ");
  if (pos == std::string::npos) return std::nullopt;
  return std::stod(text.substr(pos + name.size() + 2));
}

TEST(RegisterProcessMetrics, ReportsPlausibleValuesForThisProcess) {
  MetricsRegistry registry;
  register_process_metrics(registry);
  const auto text = registry.expose();
  EXPECT_GT(sample(text, "process_resident_memory_bytes").value_or(0), 0) << text;
  EXPECT_GT(sample(text, "process_virtual_memory_bytes").value_or(0), 0) << text;
  EXPECT_GE(sample(text, "process_cpu_seconds_total").value_or(-1), 0) << text;
  EXPECT_GE(sample(text, "process_open_fds").value_or(0), 1) << text;  // at least the one listing fd/
  EXPECT_GT(sample(text, "process_start_time_seconds").value_or(0), 1e9) << text;  // after 2001
  EXPECT_GE(sample(text, "process_threads").value_or(0), 1) << text;
  EXPECT_NE(text.find("# TYPE process_cpu_seconds_total counter\n"), std::string::npos);
  EXPECT_THROW(register_process_metrics(registry), std::invalid_argument);
}

}  // namespace
}  // namespace vigil::observability
