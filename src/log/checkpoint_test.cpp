// WAL checkpoints off the commit path (log/sqlite_checkpointer.h): the background checkpointer
// copies the WAL into the database file while commits go on, the writer's safety valve bounds the
// WAL, a failed checkpoint loses nothing, and close() leaves no WAL behind.
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <thread>

#include "log/fault_vfs_for_test.h"
#include "log/log_test_util.h"
#include "log/sqlite_db.h"
#include "log/sqlite_log.h"

namespace vigil::log {
namespace {

using testing::append;

using ::testing::HasSubstr;
using testing::observation;
using testing::TempDir;

constexpr std::size_t kNever = 1'000'000'000;  // a WAL limit no test reaches

// `n` observations of about 200 bytes: enough to fill dozens of WAL pages.
std::vector<AppendItem> batch(const std::string& prefix, int n) {
  std::vector<AppendItem> items;
  for (int i = 0; i < n; ++i) {
    items.push_back(observation(fmt::format("{}-{}", prefix, i), fmt::format("P-{}", i % 50), "8867-4",
                                1'800'000'000'000 + i, std::string(200, 'x')));
  }
  return items;
}

// Polls a condition the log's threads make true, with the tests' generous deadline.
template <typename Pred>
bool eventually(Pred pred) {
  const auto deadline = std::chrono::steady_clock::now() + testing::kDeadline;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

// Records in the database file alone, read from a copy of it taken without its WAL: what a
// checkpoint has copied there.
std::int64_t records_in_main_file(const TempDir& dir) {
  const std::filesystem::path copy = dir.file("main-only.db");
  std::filesystem::copy_file(dir.file(), copy, std::filesystem::copy_options::overwrite_existing);
  sqlite::DbPtr db = sqlite::open(copy, SQLITE_OPEN_READWRITE, "");
  sqlite::Stmt count(db.get(), "SELECT COUNT(*) FROM records");
  const int rc = count.step();
  const std::int64_t n = rc == SQLITE_ROW ? count.column_int(0) : -1;
  count.reset();
  return n;
}

std::filesystem::path wal_of(const TempDir& dir) {
  return dir.file().string() + "-wal";
}

TEST(SqliteCheckpointTest, BackgroundCheckpointCopiesTheWalAndTheNextCommitStartsItOver) {
  TempDir dir;
  SqliteLogOptions options;
  options.checkpoint_frames = 16;
  options.wal_limit_frames = kNever;
  {
    SqliteLog log(dir.file(), options);
    ASSERT_TRUE(append(log, batch("a", 1000)).ok());
    ASSERT_TRUE(eventually([&] { return log.checkpoint_stats().background >= 1; }));

    const CheckpointStats stats = log.checkpoint_stats();
    EXPECT_EQ(stats.writer, 0u);
    EXPECT_EQ(stats.background_failed + stats.writer_failed, 0u) << stats.last_error;
    EXPECT_GE(stats.wal_frames, 16);
    // Nothing else ran meanwhile, so everything was copied, and the database file alone holds it.
    EXPECT_EQ(stats.last_log_frames, stats.wal_frames);
    EXPECT_EQ(stats.last_checkpointed_frames, stats.last_log_frames);
    EXPECT_EQ(records_in_main_file(dir), 1000);

    ASSERT_TRUE(append(log, batch("b", 1)).ok());
    EXPECT_LT(log.checkpoint_stats().wal_frames, stats.wal_frames);  // the WAL started over
  }
  SqliteLog reopened(dir.file());
  const std::vector<Record> records = reopened.read(0, 10'000);
  ASSERT_EQ(records.size(), 1001u);
  EXPECT_EQ(records.front().id, "a-0");
  EXPECT_EQ(records.back().id, "b-0");
  EXPECT_EQ(records.back().seq, 1001u);
}

TEST(SqliteCheckpointTest, CommitsGoOnWhileTheBackgroundCheckpointIsHeld) {
  TempDir dir;
  testing::Gate gate;
  SqliteLogOptions options;
  options.checkpoint_frames = 16;
  options.wal_limit_frames = kNever;
  options.before_checkpoint_for_test = gate.hook();
  SqliteLog log(dir.file(), options);

  ASSERT_TRUE(append(log, batch("first", 1000)).ok());
  ASSERT_TRUE(gate.wait_entered());  // the checkpointer is due and held
  int frames = log.checkpoint_stats().wal_frames;
  for (int b = 0; b < 10; ++b) {
    ASSERT_TRUE(append(log, batch(fmt::format("b{}", b), 2000)).ok());
    const int now = log.checkpoint_stats().wal_frames;
    EXPECT_GT(now, frames) << "the WAL was checkpointed and restarted on the commit path";
    frames = now;
  }
  // Well past the 1,000 pages at which SQLite's own auto-checkpoint would have run inside COMMIT.
  EXPECT_GT(frames, 1000);
  EXPECT_EQ(log.checkpoint_stats().background, 0u);
  EXPECT_EQ(log.checkpoint_stats().writer, 0u);

  gate.open();
  ASSERT_TRUE(eventually([&] { return log.checkpoint_stats().background >= 1; }));
  EXPECT_EQ(log.checkpoint_stats().background_failed, 0u) << log.checkpoint_stats().last_error;
  EXPECT_EQ(log.read(0, 100'000).size(), 21'000u);
}

TEST(SqliteCheckpointTest, WriterCheckpointsPastTheWalLimitAndTheWalStartsOver) {
  TempDir dir;
  SqliteLogOptions options;
  options.checkpoint_frames = 0;  // no background checkpointer: only the valve
  options.wal_limit_frames = 32;
  SqliteLog log(dir.file(), options);

  ASSERT_TRUE(append(log, batch("a", 1000)).ok());
  // The valve runs on the writer thread after the group was acknowledged.
  ASSERT_TRUE(eventually([&] { return log.checkpoint_stats().writer >= 1; }));
  CheckpointStats stats = log.checkpoint_stats();
  EXPECT_EQ(stats.writer, 1u);
  EXPECT_EQ(stats.background_failed + stats.writer_failed, 0u) << stats.last_error;
  EXPECT_GE(stats.last_log_frames, 32);
  EXPECT_EQ(stats.last_checkpointed_frames, stats.last_log_frames);
  EXPECT_EQ(records_in_main_file(dir), 1000);

  ASSERT_TRUE(append(log, batch("b", 1)).ok());
  stats = log.checkpoint_stats();
  EXPECT_LT(stats.wal_frames, 32);  // started over, so no second valve checkpoint
  EXPECT_EQ(stats.writer, 1u);
  EXPECT_EQ(stats.background, 0u);
  EXPECT_EQ(log.read(0, 10'000).size(), 1001u);
}

TEST(SqliteCheckpointTest, FailedBackgroundCheckpointLosesNothingAndIsRetriedAfterTheNextCommit) {
  TempDir dir;
  std::atomic<bool> fail_next{true};
  SqliteLogOptions options;
  options.vfs = testing::fault_vfs_name();
  options.checkpoint_frames = 16;
  options.wal_limit_frames = kNever;
  options.before_checkpoint_for_test = [&] {
    if (fail_next.exchange(false)) testing::set_fail_syncs(true);
  };
  {
    SqliteLog log(dir.file(), options);
    ASSERT_TRUE(append(log, batch("a", 1000)).ok());
    const bool failed = eventually([&] { return log.checkpoint_stats().background_failed >= 1; });
    testing::set_fail_syncs(false);
    ASSERT_TRUE(failed);
    CheckpointStats stats = log.checkpoint_stats();
    EXPECT_EQ(stats.background, 0u);
    EXPECT_THAT(stats.last_error, HasSubstr(dir.file().string()));
    EXPECT_EQ(log.read(0, 10'000).size(), 1000u);

    ASSERT_TRUE(append(log, batch("b", 10)).ok());
    ASSERT_TRUE(eventually([&] { return log.checkpoint_stats().background >= 1; }));
    stats = log.checkpoint_stats();
    EXPECT_EQ(stats.background_failed, 1u);
    EXPECT_EQ(stats.last_checkpointed_frames, stats.last_log_frames);
    EXPECT_EQ(records_in_main_file(dir), 1010);
  }
  SqliteLog reopened(dir.file());
  EXPECT_EQ(reopened.read(0, 10'000).size(), 1010u);
}

TEST(SqliteCheckpointTest, WithReadersAlwaysActiveTheWalStaysBoundedAndReadsStayWhole) {
  TempDir dir;
  SqliteLogOptions options;
  options.checkpoint_frames = 16;
  options.wal_limit_frames = 64;
  SqliteLog log(dir.file(), options);
  constexpr int kBatches = 30, kBatchSize = 200;
  std::atomic<bool> stop{false};
  std::vector<std::string> problems(4);
  std::vector<std::thread> readers;
  for (int t = 0; t < 4; ++t) {
    readers.emplace_back([&, t] {
      while (!stop.load()) {
        const std::size_t n = log.read(0, kBatches * kBatchSize).size();
        if (n % kBatchSize != 0) problems[t] = fmt::format("saw {} records: a torn batch", n);
      }
    });
  }
  int largest_wal = 0;
  for (int b = 0; b < kBatches; ++b) {
    ASSERT_TRUE(append(log, batch(fmt::format("b{}", b), kBatchSize)).ok());
    largest_wal = std::max(largest_wal, log.checkpoint_stats().wal_frames);
  }
  stop = true;
  for (std::thread& t : readers) t.join();
  for (const std::string& p : problems) EXPECT_EQ(p, "");

  // Unchecked, the WAL would hold every batch (several thousand frames); the valve keeps it within
  // the limit plus the few groups committed before the next start-over.
  const CheckpointStats stats = log.checkpoint_stats();
  EXPECT_GE(stats.writer, 1u);
  // Pausing the pool's reads lets every RESTART through at once, rather than after its busy timeout.
  EXPECT_EQ(stats.writer_failed, 0u) << stats.last_error;
  EXPECT_LT(largest_wal, 4 * 64);
  EXPECT_EQ(log.read(0, 100'000).size(), static_cast<std::size_t>(kBatches * kBatchSize));
}

TEST(SqliteCheckpointTest, DestroyingTheLogLeavesEverythingInTheDatabaseFileAndNoWal) {
  TempDir dir;
  SqliteLogOptions options;
  options.checkpoint_frames = 16;
  options.wal_limit_frames = 64;
  {
    SqliteLog log(dir.file(), options);
    for (int b = 0; b < 5; ++b) ASSERT_TRUE(append(log, batch(fmt::format("b{}", b), 500)).ok());
    EXPECT_EQ(log.read(0, 10).size(), 10u);  // a reader connection is open too
    log.close();
    EXPECT_EQ(log.read(0, 10'000).size(), 2500u);  // and reads still work after close()
  }
  EXPECT_FALSE(std::filesystem::exists(wal_of(dir)));
  EXPECT_EQ(records_in_main_file(dir), 2500);
}

}  // namespace
}  // namespace vigil::log
