#include "app/audit_sink.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include <boost/asio/thread_pool.hpp>
#include <boost/json/parse.hpp>
#include <memory>
#include <sstream>
#include <string>

#include "alerts/test_support.h"
#include "common/clock.h"
#include "observability/log_context.h"
#include "observability/logging.h"
#include "store/sqlite_registry_store.h"

namespace vigil::app {
namespace {

// Every spdlog line of the test, as JSON lines; the previous default logger is restored after.
class CapturedLog {
 public:
  CapturedLog() : previous_(spdlog::default_logger()) {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(lines_);
    sink->set_formatter(observability::make_json_formatter());
    spdlog::set_default_logger(std::make_shared<spdlog::logger>("test", sink));
  }
  ~CapturedLog() { spdlog::set_default_logger(previous_); }
  CapturedLog(const CapturedLog&) = delete;
  CapturedLog& operator=(const CapturedLog&) = delete;

  [[nodiscard]] std::string text() const { return lines_.str(); }

 private:
  std::shared_ptr<spdlog::logger> previous_;
  std::ostringstream lines_;
};

class AuditSinkTest : public ::testing::Test {
 protected:
  AuditSinkTest()
      : store_(std::make_unique<store::SqliteRegistryStore>(
            store::SqliteStoreOptions{dir_.file("registry.db"), std::nullopt, 5000}, clock_)) {}
  ~AuditSinkTest() override {
    pool_.join();  // every record handed to the pool is done before the store closes
    store_.reset();
  }

  static store::AuditEntry entry() {
    return store::AuditEntry{"dr-a",       "alert.acknowledge", "alert", "al_0123456789abcdef",
                             std::nullopt, std::nullopt,        "seen"};
  }

  alerts::testing::TempDir dir_;
  ManualClock clock_{TimePoint(std::chrono::milliseconds(1795334400000))};
  std::unique_ptr<store::SqliteRegistryStore> store_;
  boost::asio::thread_pool pool_{1};
  observability::MetricsRegistry metrics_;
};

TEST_F(AuditSinkTest, ADroppedRecordIsLoggedWithTheRequestAndTraceOfItsCaller) {
  AuditSink sink(*store_, pool_, metrics_, /*max_pending=*/0);  // every record is past the bound
  CapturedLog log;
  {
    const observability::LogScope ids("req-42", "4bf92f3577b34da6a3ce929d0e0e4736");
    sink.record(entry());
  }
  const auto text = log.text();
  ASSERT_NE(text.find('\n'), std::string::npos) << "no line logged";
  const auto line = boost::json::parse(text.substr(0, text.find('\n'))).as_object();
  EXPECT_EQ(line.at("level").as_string(), "error");
  EXPECT_NE(std::string(line.at("msg").as_string()).find("audit record dropped"), std::string::npos);
  EXPECT_EQ(line.at("request_id").as_string(), "req-42");
  EXPECT_EQ(line.at("trace_id").as_string(), "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(sink.pending(), 0U);
}

TEST_F(AuditSinkTest, ARecordWithinTheBoundIsWrittenToTheTrailWithoutALogLine) {
  AuditSink sink(*store_, pool_, metrics_);
  CapturedLog log;
  sink.record(entry());
  pool_.join();
  const auto page = store_->list_audit(store::AuditFilter{}, store::PageRequest{});
  ASSERT_EQ(page.items.size(), 1U);
  EXPECT_EQ(page.items.front().action, "alert.acknowledge");
  EXPECT_EQ(page.items.front().entity_id, "al_0123456789abcdef");
  EXPECT_EQ(log.text(), "");
  EXPECT_EQ(sink.pending(), 0U);
}

// The write happens later on the pool, outside the caller's scope: its failure line still names the
// request the record came from.
TEST_F(AuditSinkTest, ARecordTheStoreRefusesIsLoggedLaterWithTheRequestAndTraceOfItsCaller) {
  AuditSink sink(*store_, pool_, metrics_);
  {  // Break the trail behind the store's back: every append now fails inside SQLite.
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(dir_.file("registry.db").c_str(), &db), SQLITE_OK);
    char* error = nullptr;
    const int rc =
        sqlite3_exec(db, "ALTER TABLE audit_log RENAME TO audit_log_moved", nullptr, nullptr, &error);
    sqlite3_free(error);
    sqlite3_close(db);
    ASSERT_EQ(rc, SQLITE_OK);
  }
  CapturedLog log;
  {
    const observability::LogScope ids("req-43", "0af7651916cd43dd8448eb211c80319c");
    sink.record(entry());
  }
  pool_.join();
  const auto text = log.text();
  ASSERT_NE(text.find('\n'), std::string::npos) << "no line logged";
  const auto line = boost::json::parse(text.substr(0, text.find('\n'))).as_object();
  EXPECT_NE(std::string(line.at("msg").as_string()).find("audit record not written"), std::string::npos);
  EXPECT_EQ(line.at("request_id").as_string(), "req-43");
  EXPECT_EQ(line.at("trace_id").as_string(), "0af7651916cd43dd8448eb211c80319c");
  EXPECT_EQ(sink.pending(), 0U);
}

}  // namespace
}  // namespace vigil::app
