// The Log contract, written against the interface so that every implementation (SQLite now, Kafka
// later) runs the same tests: add a factory to INSTANTIATE_TEST_SUITE_P below.
#include "log/log.h"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>
#include <set>
#include <thread>

#include "log/log_test_util.h"
#include "log/segment_log.h"
#include "log/sqlite_log.h"

namespace vigil::log {
namespace {

using testing::Completion;
using ::testing::ElementsAre;
using ::testing::Field;
using testing::observation;

using LogFactory = std::function<std::unique_ptr<Log>(const std::filesystem::path& dir)>;

class LogContractTest : public ::testing::TestWithParam<LogFactory> {
 protected:
  void SetUp() override { log_ = GetParam()(dir_.path()); }

  AppendResult append(std::vector<AppendItem> items) {
    Completion c;
    if (!log_->try_append(std::move(items), c.callback())) return {AppendStatus::closed, {}, "refused"};
    return c.wait();
  }

  testing::TempDir dir_;
  std::unique_ptr<Log> log_;
};

TEST_P(LogContractTest, AppendedItemIsDurableAndReadableWithItsFields) {
  AppendItem item{RecordKind::questionnaire_response,
                  "id-1",
                  "P-007",
                  "PRO-CTCAE-daily",
                  testing::at_ms(1234),
                  R"({"answers":[1,2]})"};
  const AppendResult r = append({item});
  ASSERT_TRUE(r.ok()) << r.error;
  ASSERT_EQ(r.items.size(), 1u);
  EXPECT_EQ(r.items[0].seq, 1u);
  EXPECT_FALSE(r.items[0].duplicate);
  EXPECT_EQ(log_->last_seq(), 1u);

  const std::vector<Record> records = log_->read(0, 10);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].seq, 1u);
  EXPECT_EQ(records[0].kind, RecordKind::questionnaire_response);
  EXPECT_EQ(records[0].id, "id-1");
  EXPECT_EQ(records[0].patient_id, "P-007");
  EXPECT_EQ(records[0].code, "PRO-CTCAE-daily");
  EXPECT_EQ(records[0].effective_time, testing::at_ms(1234));
  EXPECT_EQ(records[0].payload, R"({"answers":[1,2]})");
}

TEST_P(LogContractTest, BatchGetsConsecutiveSeqsInItsOrder) {
  const AppendResult r = append({observation("a"), observation("b"), observation("c")});
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_THAT(r.items, ElementsAre(Field(&ItemOutcome::seq, 1u), Field(&ItemOutcome::seq, 2u),
                                   Field(&ItemOutcome::seq, 3u)));
  EXPECT_THAT(log_->read(0, 10),
              ElementsAre(Field(&Record::id, "a"), Field(&Record::id, "b"), Field(&Record::id, "c")));
}

TEST_P(LogContractTest, DuplicateIdsAnswerWithTheOriginalSeqAndStoreNothing) {
  const AppendResult first = append({observation("a"), observation("b"), observation("a")});
  ASSERT_TRUE(first.ok()) << first.error;
  ASSERT_EQ(first.items.size(), 3u);
  EXPECT_EQ(first.items[0].seq, 1u);
  EXPECT_EQ(first.items[1].seq, 2u);
  EXPECT_TRUE(first.items[2].duplicate);  // within the batch
  EXPECT_EQ(first.items[2].seq, 1u);

  const AppendResult second = append({observation("b"), observation("c")});
  ASSERT_TRUE(second.ok()) << second.error;
  EXPECT_TRUE(second.items[0].duplicate);  // across batches
  EXPECT_FALSE(second.items[0].conflict);
  EXPECT_EQ(second.items[0].seq, 2u);
  EXPECT_FALSE(second.items[1].duplicate);
  EXPECT_EQ(second.items[1].seq, 3u);  // duplicates consume no seq: the log stays dense

  const std::vector<Record> records = log_->read(0, 10);
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[1].patient_id, "P-001");
  const LogStats stats = log_->stats();
  EXPECT_EQ(stats.appended, 3u);
  EXPECT_EQ(stats.duplicates, 2u);
}

TEST_P(LogContractTest, AnIdReusedWithOtherContentIsAConflictAndTheOriginalStays) {
  AppendItem traced = observation("a");
  traced.trace = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
  ASSERT_TRUE(append({traced}).ok());

  AppendItem retried = observation("a");  // the same reading retried under another trace
  retried.trace = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  const AppendResult r = append({
      retried, observation("a", "P-999"),                                        // another patient
      observation("a", "P-001", "9279-1"),                                       // another code
      observation("a", "P-001", "8867-4", 1'800'000'000'001),                    // another time
      observation("a", "P-001", "8867-4", 1'800'000'000'000, R"({"value":1})"),  // another value
      observation("b"),
      observation("b", "P-001", "8867-4", 1'800'000'000'000, R"({"value":2})"),  // within the batch
  });
  ASSERT_TRUE(r.ok()) << r.error;
  ASSERT_EQ(r.items.size(), 7u);
  EXPECT_TRUE(r.items[0].duplicate);
  EXPECT_FALSE(r.items[0].conflict);
  for (std::size_t i = 1; i <= 4; ++i) {
    EXPECT_TRUE(r.items[i].conflict) << i;
    EXPECT_FALSE(r.items[i].duplicate) << i;
    EXPECT_EQ(r.items[i].seq, 1u) << i;  // the original's seq
  }
  EXPECT_FALSE(r.items[5].conflict);
  EXPECT_EQ(r.items[5].seq, 2u);
  EXPECT_TRUE(r.items[6].conflict);
  EXPECT_EQ(r.items[6].seq, 2u);

  const std::vector<Record> records = log_->read(0, 10);
  ASSERT_EQ(records.size(), 2u);  // conflicts store nothing
  EXPECT_EQ(records[0].patient_id, "P-001");
  EXPECT_EQ(records[0].payload, "{}");
  EXPECT_EQ(records[0].trace, traced.trace);
  EXPECT_EQ(records[1].payload, "{}");
}

TEST_P(LogContractTest, EmptyBatchSucceedsWithoutRecords) {
  const AppendResult r = append({});
  EXPECT_TRUE(r.ok()) << r.error;
  EXPECT_TRUE(r.items.empty());
  EXPECT_EQ(log_->last_seq(), 0u);
}

TEST_P(LogContractTest, ReadHonoursAfterSeqAndMax) {
  std::vector<AppendItem> items;
  for (int i = 0; i < 10; ++i) items.push_back(observation("id-" + std::to_string(i)));
  ASSERT_TRUE(append(std::move(items)).ok());
  EXPECT_THAT(log_->read(7, 100),
              ElementsAre(Field(&Record::seq, 8u), Field(&Record::seq, 9u), Field(&Record::seq, 10u)));
  EXPECT_THAT(log_->read(2, 2), ElementsAre(Field(&Record::seq, 3u), Field(&Record::seq, 4u)));
  EXPECT_TRUE(log_->read(10, 100).empty());
  EXPECT_TRUE(log_->read(0, 0).empty());
}

TEST_P(LogContractTest, ConcurrentAppendersGetDistinctSeqsAndReadSeesEachRecordOnceInOrder) {
  constexpr int kThreads = 16;
  constexpr int kBatchesPerThread = 40;
  std::vector<std::vector<std::uint64_t>> seqs(kThreads);
  std::vector<std::string> failures(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int b = 0; b < kBatchesPerThread; ++b) {
        std::vector<AppendItem> batch;
        for (int i = 0; i <= b % 4; ++i) {
          batch.push_back(observation(fmt::format("t{}-b{}-i{}", t, b, i), fmt::format("P-{}", t)));
        }
        Completion c;
        if (!log_->try_append(std::move(batch), c.callback())) {
          failures[t] = "refused";
          return;
        }
        const AppendResult r = c.wait();
        if (!r.ok()) {
          failures[t] = r.error;
          return;
        }
        for (const ItemOutcome& o : r.items) seqs[t].push_back(o.seq);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  for (const std::string& f : failures) ASSERT_EQ(f, "");

  std::set<std::uint64_t> all;
  std::size_t total = 0;
  for (const auto& s : seqs) {
    total += s.size();
    all.insert(s.begin(), s.end());
  }
  ASSERT_EQ(all.size(), total) << "a seq was handed out twice";
  EXPECT_EQ(*all.begin(), 1u);
  EXPECT_EQ(*all.rbegin(), total);  // dense
  EXPECT_EQ(log_->last_seq(), total);

  // Page through the log the way a consumer does.
  std::set<std::string> ids;
  std::uint64_t expected = 1;
  for (std::uint64_t after = 0;;) {
    const std::vector<Record> page = log_->read(after, 97);
    if (page.empty()) break;
    for (const Record& r : page) {
      ASSERT_EQ(r.seq, expected++);
      ASSERT_TRUE(ids.insert(r.id).second) << r.id;
    }
    after = page.back().seq;
  }
  EXPECT_EQ(ids.size(), total);
}

TEST_P(LogContractTest, WaitForWakesWhenARecordArrives) {
  bool woke = false;
  std::thread consumer([&] { woke = log_->wait_for(0, testing::kDeadline); });
  ASSERT_TRUE(append({observation("a")}).ok());
  consumer.join();
  EXPECT_TRUE(woke);
  EXPECT_TRUE(log_->wait_for(0, std::chrono::milliseconds(0)));   // already there
  EXPECT_FALSE(log_->wait_for(1, std::chrono::milliseconds(0)));  // nothing newer
}

TEST_P(LogContractTest, WaitForReturnsFalseWhenTheLogCloses) {
  bool woke = true;
  std::thread consumer([&] { woke = log_->wait_for(0, testing::kDeadline); });
  log_->close();
  consumer.join();
  EXPECT_FALSE(woke);
}

TEST_P(LogContractTest, ClosedLogRefusesAppendsButStillReads) {
  ASSERT_TRUE(append({observation("a")}).ok());
  log_->close();
  log_->close();  // idempotent
  Completion c;
  EXPECT_FALSE(log_->try_append({observation("b")}, c.callback()));
  EXPECT_FALSE(c.done());
  EXPECT_EQ(log_->read(0, 10).size(), 1u);
}

TEST_P(LogContractTest, StatsCountCommitsAndGroups) {
  ASSERT_TRUE(append({observation("a"), observation("b")}).ok());
  ASSERT_TRUE(append({observation("c")}).ok());
  const LogStats stats = log_->stats();
  EXPECT_EQ(stats.appended, 3u);
  EXPECT_EQ(stats.commits, 2u);  // each append waited for its own commit
  EXPECT_EQ(stats.failed_commits, 0u);
  EXPECT_EQ(stats.queue_depth, 0u);
  EXPECT_EQ(stats.last_group_items, 1u);
  EXPECT_GT(stats.avg_group_items, 0.0);
}

INSTANTIATE_TEST_SUITE_P(
    Sqlite, LogContractTest,
    ::testing::Values(LogFactory([](const std::filesystem::path& dir) -> std::unique_ptr<Log> {
      return std::make_unique<SqliteLog>(dir / "log.db");
    })));

INSTANTIATE_TEST_SUITE_P(
    Segment, LogContractTest,
    ::testing::Values(LogFactory([](const std::filesystem::path& dir) -> std::unique_ptr<Log> {
      return std::make_unique<SegmentLog>(dir / "segments");
    })));

}  // namespace
}  // namespace vigil::log
