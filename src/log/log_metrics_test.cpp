// The log's Prometheus series: exact counts for a known sequence of commit groups, append latency
// from an injected ticker, and scrape-time gauges that stop reading a log once it is destroyed.
#include "log/log_metrics.h"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>

#include "common/ticker.h"
#include "log/log_test_util.h"
#include "log/sqlite_log.h"

namespace vigil::log {
namespace {

using testing::Completion;
using testing::Gate;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::observation;
using testing::TempDir;

TEST(LogMetricsTest, GroupBucketsArePowersOfTwoUpTo16384) {
  const std::vector<double> b = group_items_buckets();
  ASSERT_EQ(b.size(), 15u);
  EXPECT_EQ(b.front(), 1);
  EXPECT_EQ(b[1], 2);
  EXPECT_EQ(b.back(), 16384);
}

TEST(LogMetricsTest, CountsGroupsFsyncsAndAppendLatencyPerBatch) {
  TempDir dir;
  observability::MetricsRegistry registry;
  ManualTicker ticker;
  Gate gate;
  SqliteLogOptions options;
  options.metrics = &registry;
  options.ticker = &ticker;
  options.before_commit_for_test = gate.hook();
  SqliteLog log(dir.file(), options);

  // Group 1: one batch of one item, held at commit while 10 batches of 2 queue up behind it.
  Completion first;
  ASSERT_TRUE(log.try_append({observation("first")}, first.callback()));
  ASSERT_TRUE(gate.wait_entered());
  std::vector<Completion> queued(10);
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(log.try_append({observation(fmt::format("q{}a", i)), observation(fmt::format("q{}b", i))},
                               queued[i].callback()));
  }
  EXPECT_THAT(registry.expose(), HasSubstr("\nvigil_log_queue_items 21\n"));
  ticker.advance(std::chrono::milliseconds(250));  // every batch has now waited 250 ms
  gate.open();
  ASSERT_TRUE(first.wait().ok());
  for (auto& c : queued) ASSERT_TRUE(c.wait().ok());  // group 2: the 10 batches, 20 items

  const std::string text = registry.expose();
  EXPECT_THAT(text, HasSubstr("\nvigil_log_fsyncs_total 2\n"));
  EXPECT_THAT(text, HasSubstr("\nvigil_log_group_commit_items_bucket{le=\"1\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("\nvigil_log_group_commit_items_bucket{le=\"16\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("\nvigil_log_group_commit_items_bucket{le=\"32\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("\nvigil_log_group_commit_items_sum 21\n"));
  EXPECT_THAT(text, HasSubstr("\nvigil_log_group_commit_items_count 2\n"));
  EXPECT_THAT(text, HasSubstr("\nvigil_log_append_seconds_count 11\n"));
  EXPECT_THAT(text, HasSubstr("\nvigil_log_append_seconds_sum 2.75\n"));
  EXPECT_THAT(text, HasSubstr("\nvigil_log_append_seconds_bucket{le=\"0.1\"} 0\n"));
  // Group 1 was inside its write while the ticker moved 250 ms; group 2 took no ticker time.
  EXPECT_THAT(text, HasSubstr("\nvigil_log_commit_seconds_count 2\n"));
  EXPECT_THAT(text, HasSubstr("\nvigil_log_commit_seconds_sum 0.25\n"));
  EXPECT_THAT(text, HasSubstr("\nvigil_log_queue_items 0\n"));
  EXPECT_THAT(text, HasSubstr("\nvigil_log_last_seq 21\n"));
}

TEST(LogMetricsTest, DuplicatesAndEmptyBatchesAreNotFsyncs) {
  TempDir dir;
  observability::MetricsRegistry registry;
  SqliteLogOptions options;
  options.metrics = &registry;
  SqliteLog log(dir.file(), options);
  for (const char* id : {"a", "a"}) {
    Completion c;
    ASSERT_TRUE(log.try_append({observation(id)}, c.callback()));
    ASSERT_TRUE(c.wait().ok());
  }
  Completion empty;
  ASSERT_TRUE(log.try_append({}, empty.callback()));
  ASSERT_TRUE(empty.wait().ok());
  const std::string text = registry.expose();
  // The duplicate's group wrote nothing, and the empty batch made no group at all.
  EXPECT_THAT(text, HasSubstr("\nvigil_log_fsyncs_total 1\n"));
  EXPECT_THAT(text, HasSubstr("\nvigil_log_group_commit_items_count 1\n"));
  EXPECT_THAT(text, HasSubstr("\nvigil_log_commit_seconds_count 1\n"));
  EXPECT_THAT(text, HasSubstr("\nvigil_log_append_seconds_count 2\n"));
  EXPECT_THAT(text, HasSubstr("\nvigil_log_last_seq 1\n"));
}

TEST(LogMetricsTest, ScrapeGaugesAreLeftOutOnceTheLogIsGone) {
  TempDir dir;
  observability::MetricsRegistry registry;
  {
    SqliteLogOptions options;
    options.metrics = &registry;
    SqliteLog log(dir.file(), options);
    EXPECT_THAT(registry.expose(), HasSubstr("\nvigil_log_last_seq 0\n"));
  }
  const std::string text = registry.expose();
  EXPECT_THAT(text, Not(HasSubstr("\nvigil_log_last_seq ")));
  EXPECT_THAT(text, HasSubstr("\nvigil_log_fsyncs_total 0\n"));  // owned by the registry: still there
}

TEST(LogMetricsTest, WithoutARegistryNothingIsRecordedAndAppendsWork) {
  TempDir dir;
  SqliteLog log(dir.file());
  Completion c;
  ASSERT_TRUE(log.try_append({observation("a")}, c.callback()));
  EXPECT_TRUE(c.wait().ok());
}

}  // namespace
}  // namespace vigil::log
