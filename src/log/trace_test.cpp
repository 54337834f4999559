// Trace context in the log (AppendItem::trace -> Record::trace) and the schema migration that
// added its column: a log file written before it must still open, keep its records and take
// traced appends.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <string>

#include "log/log_test_util.h"
#include "log/sqlite_log.h"

namespace vigil::log {
namespace {

using testing::append;

using testing::Completion;
using testing::observation;
using testing::TempDir;

constexpr const char* kTraceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

AppendItem traced(std::string id, std::string trace) {
  AppendItem item = observation(std::move(id));
  item.trace = std::move(trace);
  return item;
}

// Runs SQL on a file directly, the way an older Vigil (or an operator's tool) would.
void run_sql(const std::filesystem::path& file, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(file.c_str(), &db), SQLITE_OK);
  char* error = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
  const std::string message = error != nullptr ? error : "";
  sqlite3_free(error);
  sqlite3_close(db);
  ASSERT_EQ(rc, SQLITE_OK) << message;
}

std::string query_text(const std::filesystem::path& file, const std::string& sql) {
  sqlite3* db = nullptr;
  if (sqlite3_open(file.c_str(), &db) != SQLITE_OK) return "open failed";
  sqlite3_stmt* stmt = nullptr;
  std::string out = "prepare failed";
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK) {
    out = sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_type(stmt, 0) != SQLITE_NULL
              ? reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0))
              : "NULL";
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return out;
}

TEST(LogTraceTest, TracedAppendComesBackInReadAndLatestAndUntracedStaysEmpty) {
  TempDir dir;
  SqliteLog log(dir.file());
  ASSERT_TRUE(append(log, {traced("a", kTraceparent), observation("b")}).ok());

  const std::vector<Record> records = log.read(0, 10);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].trace, kTraceparent);
  EXPECT_EQ(records[1].trace, "");
  const std::vector<Record> latest = log.latest("P-001", "8867-4", testing::at_ms(0), 10);
  ASSERT_EQ(latest.size(), 2u);
  EXPECT_EQ(latest[1].id, "a");  // same effective time: newest seq first
  EXPECT_EQ(latest[1].trace, kTraceparent);
  // Untraced records store NULL, not an empty string: the column means "no trace" by absence.
  log.close();
  EXPECT_EQ(query_text(dir.file(), "SELECT trace FROM records WHERE id = 'b'"), "NULL");
}

TEST(LogTraceTest, TraceSurvivesAReopenAndADuplicateKeepsTheOriginalTrace) {
  TempDir dir;
  {
    SqliteLog log(dir.file());
    ASSERT_TRUE(append(log, {traced("a", kTraceparent)}).ok());
  }
  SqliteLog log(dir.file());
  const AppendResult r =
      append(log, {traced("a", "00-11111111111111111111111111111111-2222222222222222-01")});
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_TRUE(r.items[0].duplicate);
  const std::vector<Record> records = log.read(0, 10);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].trace, kTraceparent);
}

TEST(LogTraceTest, AVersion1FileIsMigratedInPlaceAndKeepsItsRecords) {
  TempDir dir;
  // The schema exactly as version 1 wrote it, with one record.
  run_sql(dir.file(), R"sql(
PRAGMA journal_mode = WAL;
CREATE TABLE records (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  kind INTEGER NOT NULL,
  patient_id TEXT NOT NULL,
  code TEXT NOT NULL,
  effective_ms INTEGER NOT NULL,
  appended_ms INTEGER NOT NULL,
  payload BLOB NOT NULL
);
CREATE INDEX records_by_patient_code_time ON records (patient_id, code, effective_ms);
INSERT INTO records VALUES (1, 'old', 1, 'P-001', '8867-4', 1800000000000, 1800000000500, X'7B7D');
PRAGMA user_version = 1;
)sql");

  {
    SqliteLog log(dir.file());
    EXPECT_EQ(log.last_seq(), 1u);
    const AppendResult r = append(log, {traced("new", kTraceparent), observation("old")});
    ASSERT_TRUE(r.ok()) << r.error;
    EXPECT_EQ(r.items[0].seq, 2u);
    EXPECT_TRUE(r.items[1].duplicate);  // idempotency keys written by version 1 still hold
    const std::vector<Record> records = log.read(0, 10);
    ASSERT_EQ(records.size(), 2u);
    EXPECT_EQ(records[0].id, "old");
    EXPECT_EQ(records[0].payload, "{}");
    EXPECT_EQ(records[0].appended_at, testing::at_ms(1'800'000'000'500));
    EXPECT_EQ(records[0].trace, "");
    EXPECT_EQ(records[1].trace, kTraceparent);
  }
  EXPECT_EQ(query_text(dir.file(), "PRAGMA user_version"), "2");
  SqliteLog reopened(dir.file());  // the migrated file opens as a current one
  EXPECT_EQ(reopened.read(1, 10).at(0).trace, kTraceparent);
}

TEST(LogTraceTest, AFileOfANewerSchemaIsRefusedNamingTheVersion) {
  TempDir dir;
  run_sql(dir.file(), "PRAGMA user_version = 3;");
  try {
    SqliteLog log(dir.file());
    FAIL() << "opened a schema it does not know";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr("schema version 3 is not the expected 2"));
  }
}

}  // namespace
}  // namespace vigil::log
