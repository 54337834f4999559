// What the SQLite log promises beyond the Log contract (log_test.cpp): restarts, group commit,
// the queue bound, close() flushing, I/O errors at commit, open errors, and ObservationQuery.
#include "log/sqlite_log.h"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "log/fault_vfs_for_test.h"
#include "log/log_test_util.h"

namespace vigil::log {
namespace {

using testing::append;

using testing::at_ms;
using testing::Completion;
using ::testing::ElementsAre;
using ::testing::Field;
using testing::Gate;
using ::testing::HasSubstr;
using testing::observation;
using testing::TempDir;

std::vector<std::string> ids_of(const std::vector<Record>& records) {
  std::vector<std::string> ids;
  for (const Record& r : records) ids.push_back(r.id);
  return ids;
}

TEST(SqliteLogTest, ReopeningContinuesSeqsAndRemembersIds) {
  TempDir dir;
  {
    SqliteLog log(dir.file());
    ASSERT_TRUE(append(log, {observation("a"), observation("b")}).ok());
  }
  SqliteLog log(dir.file());
  EXPECT_EQ(log.last_seq(), 2u);
  const AppendResult r = append(log, {observation("b"), observation("c")});
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_TRUE(r.items[0].duplicate);
  EXPECT_EQ(r.items[0].seq, 2u);
  EXPECT_FALSE(r.items[1].duplicate);
  EXPECT_EQ(r.items[1].seq, 3u);
  EXPECT_THAT(ids_of(log.read(0, 10)), ElementsAre("a", "b", "c"));
}

TEST(SqliteLogTest, BatchesQueuedWhileTheWriterIsBusyShareOneCommit) {
  TempDir dir;
  Gate gate;
  SqliteLogOptions options;
  options.before_commit_for_test = gate.hook();
  SqliteLog log(dir.file(), options);

  Completion first;
  ASSERT_TRUE(log.try_append({observation("first")}, first.callback()));
  ASSERT_TRUE(gate.wait_entered());  // the writer holds "first" in its own group
  std::vector<Completion> queued(10);
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(log.try_append({observation(fmt::format("q{}a", i)), observation(fmt::format("q{}b", i))},
                               queued[i].callback()));
  }
  EXPECT_EQ(log.stats().queue_depth, 21u);
  gate.open();

  ASSERT_TRUE(first.wait().ok());
  for (int i = 0; i < 10; ++i) {
    const AppendResult r = queued[i].wait();
    ASSERT_TRUE(r.ok()) << r.error;
    EXPECT_THAT(r.items,
                ElementsAre(Field(&ItemOutcome::seq, 2u + 2 * i), Field(&ItemOutcome::seq, 3u + 2 * i)));
  }
  const LogStats stats = log.stats();
  EXPECT_EQ(stats.commits, 2u);  // one for "first", one for all ten queued batches
  EXPECT_EQ(stats.last_group_items, 20u);
  EXPECT_DOUBLE_EQ(stats.avg_group_items, 10.5);
  EXPECT_EQ(stats.queue_depth, 0u);
}

TEST(SqliteLogTest, GroupsStopAtMaxGroupItemsButNeverSplitABatch) {
  TempDir dir;
  Gate gate;
  SqliteLogOptions options;
  options.max_group_items = 6;
  options.before_commit_for_test = gate.hook();
  SqliteLog log(dir.file(), options);

  Completion first;
  ASSERT_TRUE(log.try_append({observation("first")}, first.callback()));
  ASSERT_TRUE(gate.wait_entered());
  std::vector<Completion> done(5);
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(log.try_append({observation(fmt::format("{}a", i)), observation(fmt::format("{}b", i)),
                                observation(fmt::format("{}c", i))},
                               done[i].callback()));
  }
  std::vector<AppendItem> big;
  for (int i = 0; i < 10; ++i) big.push_back(observation(fmt::format("big{}", i)));
  ASSERT_TRUE(log.try_append(std::move(big), done[4].callback()));
  gate.open();
  for (Completion& c : done) ASSERT_TRUE(c.wait().ok());

  const LogStats stats = log.stats();
  EXPECT_EQ(stats.commits, 4u);  // [first] [0 1] [2 3] [big]
  EXPECT_EQ(stats.last_group_items, 10u);
  EXPECT_EQ(log.last_seq(), 23u);
}

TEST(SqliteLogTest, FullQueueRefusesAtOnceUntilTheWriterCatchesUp) {
  TempDir dir;
  Gate gate;
  SqliteLogOptions options;
  options.max_queued_items = 10;
  options.before_commit_for_test = gate.hook();
  SqliteLog log(dir.file(), options);

  Completion a, b, refused;
  ASSERT_TRUE(log.try_append({observation("a1"), observation("a2"), observation("a3"), observation("a4")},
                             a.callback()));
  ASSERT_TRUE(gate.wait_entered());  // "a" is being written and still counts against the bound
  std::vector<AppendItem> six;
  for (int i = 0; i < 6; ++i) six.push_back(observation(fmt::format("b{}", i)));
  ASSERT_TRUE(log.try_append(std::move(six), b.callback()));
  EXPECT_FALSE(log.try_append({observation("c")}, refused.callback()));
  std::vector<AppendItem> eleven;
  for (int i = 0; i < 11; ++i) eleven.push_back(observation(fmt::format("x{}", i)));
  EXPECT_FALSE(log.try_append(std::move(eleven), refused.callback()));  // never fits
  EXPECT_EQ(log.stats().queue_depth, 10u);
  EXPECT_EQ(log.stats().rejected, 2u);

  gate.open();
  ASSERT_TRUE(a.wait().ok());
  ASSERT_TRUE(b.wait().ok());
  EXPECT_FALSE(refused.done());  // refused appends never call back
  EXPECT_TRUE(append(log, {observation("c")}).ok());
}

TEST(SqliteLogTest, CloseFlushesWhatIsQueuedAndFiresEveryCallback) {
  TempDir dir;
  Gate gate;
  SqliteLogOptions options;
  options.before_commit_for_test = gate.hook();
  SqliteLog log(dir.file(), options);

  Completion a, b, c;
  ASSERT_TRUE(log.try_append({observation("a")}, a.callback()));
  ASSERT_TRUE(gate.wait_entered());
  ASSERT_TRUE(log.try_append({observation("b")}, b.callback()));
  ASSERT_TRUE(log.try_append({observation("c")}, c.callback()));

  std::thread closer([&] { log.close(); });
  // Empty probes are never refused for space, so the first refusal means close() has begun.
  auto probes_answered = std::make_shared<std::atomic<int>>(0);
  int probes_accepted = 0;
  const auto deadline = std::chrono::steady_clock::now() + testing::kDeadline;
  while (log.try_append({}, [probes_answered](AppendResult) { probes_answered->fetch_add(1); })) {
    ++probes_accepted;
    ASSERT_LT(std::chrono::steady_clock::now(), deadline);
    std::this_thread::yield();
  }
  gate.open();
  closer.join();

  // close() returned: everything accepted before it has been answered, without waiting further.
  for (Completion* done : {&a, &b, &c}) {
    ASSERT_TRUE(done->done());
    EXPECT_TRUE(done->wait().ok());
  }
  EXPECT_EQ(probes_answered->load(), probes_accepted);
  EXPECT_THAT(ids_of(log.read(0, 10)), ElementsAre("a", "b", "c"));
}

TEST(SqliteLogTest, FailedCommitReportsIoErrorAndStoresNothingOfTheGroup) {
  TempDir dir;
  std::atomic<bool> fail_next_commit{false};
  SqliteLogOptions options;
  options.vfs = testing::fault_vfs_name();
  options.before_commit_for_test = [&] {
    if (fail_next_commit.exchange(false)) testing::set_fail_syncs(true);
  };
  {
    SqliteLog log(dir.file(), options);
    ASSERT_TRUE(append(log, {observation("a")}).ok());

    const int failed_before = testing::failed_syncs();
    fail_next_commit = true;
    const AppendResult failed = append(log, {observation("b"), observation("c")});
    testing::set_fail_syncs(false);
    EXPECT_GT(testing::failed_syncs(), failed_before);
    EXPECT_EQ(failed.status, AppendStatus::io_error);
    EXPECT_TRUE(failed.items.empty());
    EXPECT_THAT(failed.error, HasSubstr(dir.file().string()));
    EXPECT_EQ(log.last_seq(), 1u);
    EXPECT_THAT(ids_of(log.read(0, 10)), ElementsAre("a"));
    EXPECT_EQ(log.stats().failed_commits, 1u);

    // The log carries on: the ids were never stored and the seqs are reused, so it stays dense.
    const AppendResult retried = append(log, {observation("c"), observation("b")});
    ASSERT_TRUE(retried.ok()) << retried.error;
    EXPECT_THAT(retried.items,
                ElementsAre(Field(&ItemOutcome::duplicate, false), Field(&ItemOutcome::duplicate, false)));
    EXPECT_THAT(retried.items, ElementsAre(Field(&ItemOutcome::seq, 2u), Field(&ItemOutcome::seq, 3u)));
  }
  SqliteLog reopened(dir.file());
  EXPECT_THAT(ids_of(reopened.read(0, 10)), ElementsAre("a", "c", "b"));
}

TEST(SqliteLogTest, OpeningAnUnusableFileThrowsNamingIt) {
  TempDir dir;
  const std::filesystem::path missing = dir.path() / "no-such-dir" / "log.db";
  try {
    SqliteLog log(missing);
    FAIL() << "opened " << missing;
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr(missing.string()));
  }

  const std::filesystem::path garbage = dir.file("garbage.db");
  std::ofstream(garbage) << std::string(4096, 'x');
  try {
    SqliteLog log(garbage);
    FAIL() << "opened " << garbage;
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr(garbage.string()));
    EXPECT_THAT(e.what(), HasSubstr("not a database"));
  }
}

TEST(SqliteLogTest, SecondWriterOnTheSameFileIsRefused) {
  TempDir dir;
  SqliteLog first(dir.file());
  try {
    SqliteLog second(dir.file());
    FAIL() << "two writers on one file";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("another writer"));
  }
  EXPECT_TRUE(append(first, {observation("a")}).ok());
}

TEST(SqliteLogTest, StampsAppendedAtFromTheInjectedClockAndKeepsBinaryPayloads) {
  TempDir dir;
  ManualClock clock(at_ms(1'000'000));
  SqliteLogOptions options;
  options.clock = &clock;
  SqliteLog log(dir.file(), options);
  const std::string binary("\0\x01\xff{\"x\":1}\0", 11);
  ASSERT_TRUE(append(log, {observation("a", "P-1", "8867-4", 5, binary)}).ok());
  clock.advance(std::chrono::seconds(5));
  ASSERT_TRUE(append(log, {observation("b", "P-1", "8867-4", 6, "")}).ok());

  const std::vector<Record> records = log.read(0, 10);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].appended_at, at_ms(1'000'000));
  EXPECT_EQ(records[1].appended_at, at_ms(1'005'000));
  EXPECT_EQ(records[0].payload, binary);
  EXPECT_EQ(records[1].payload, "");
}

TEST(SqliteLogTest, LatestFiltersByPatientCodeKindAndTimeNewestFirst) {
  TempDir dir;
  SqliteLog log(dir.file());
  ObservationQuery& query = log;
  const std::string hr = "8867-4", rr = "9279-1";
  ASSERT_TRUE(
      append(log, {observation("hr1", "P-1", hr, 1000), observation("rr1", "P-1", rr, 1500),
                   observation("hr2", "P-1", hr, 2000), observation("hr3", "P-1", hr, 3000),
                   observation("hr3-same-time", "P-1", hr, 3000), observation("other", "P-2", hr, 9000),
                   AppendItem{RecordKind::questionnaire_response, "q1", "P-1", hr, at_ms(9000), "{}"}})
          .ok());

  EXPECT_THAT(ids_of(query.latest("P-1", "", at_ms(0), 10)),
              ElementsAre("hr3-same-time", "hr3", "hr2", "rr1", "hr1"));
  EXPECT_THAT(ids_of(query.latest("P-1", hr, at_ms(0), 10)),
              ElementsAre("hr3-same-time", "hr3", "hr2", "hr1"));
  EXPECT_THAT(ids_of(query.latest("P-1", hr, at_ms(2000), 10)), ElementsAre("hr3-same-time", "hr3", "hr2"));
  EXPECT_THAT(ids_of(query.latest("P-1", "", at_ms(0), 2)), ElementsAre("hr3-same-time", "hr3"));
  EXPECT_THAT(ids_of(query.latest("P-1", rr, at_ms(0), 10)), ElementsAre("rr1"));
  EXPECT_TRUE(query.latest("P-3", "", at_ms(0), 10).empty());
  EXPECT_TRUE(query.latest("P-1", "", at_ms(0), 0).empty());
}

TEST(SqliteLogTest, ConcurrentReadersSeeOnlyWholeCommittedBatches) {
  TempDir dir;
  SqliteLog log(dir.file());
  constexpr int kBatches = 50, kBatchSize = 20;
  std::atomic<bool> stop{false};
  std::vector<std::string> problems(4);
  std::vector<std::thread> readers;
  for (int t = 0; t < 4; ++t) {
    readers.emplace_back([&, t] {
      while (!stop.load()) {
        const std::size_t n = log.read(0, kBatches * kBatchSize).size();
        if (n % kBatchSize != 0) problems[t] = fmt::format("saw {} records: a torn batch", n);
        log.wait_for(n, std::chrono::milliseconds(50));
      }
    });
  }
  for (int b = 0; b < kBatches; ++b) {
    std::vector<AppendItem> batch;
    for (int i = 0; i < kBatchSize; ++i) batch.push_back(observation(fmt::format("b{}-{}", b, i)));
    ASSERT_TRUE(append(log, std::move(batch)).ok());
  }
  stop = true;
  for (std::thread& t : readers) t.join();
  for (const std::string& p : problems) EXPECT_EQ(p, "");
  EXPECT_EQ(log.read(0, 10'000).size(), static_cast<std::size_t>(kBatches * kBatchSize));
}

}  // namespace
}  // namespace vigil::log
