// Trace ids on alerts: merged from the findings' contexts, bounded, in the JSON the API sends and
// in the stored snapshots, and absent (empty) in snapshots written before the field existed.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "alerts/alert_service.h"
#include "alerts/test_support.h"

namespace vigil::alerts {
namespace {

using domain::Severity;
using testing::context;
using ::testing::ElementsAre;
using testing::finding;
using ::testing::IsEmpty;
using testing::t0;
using testing::traced;

constexpr const char* kTraceA = "4bf92f3577b34da6a3ce929d0e0e4736";
constexpr const char* kTraceB = "0af7651916cd43dd8448eb211c80319c";

std::vector<std::string> json_strings(const boost::json::value& v) {
  std::vector<std::string> out;
  for (const auto& s : v.as_array()) out.emplace_back(s.as_string());
  return out;
}

TEST(AlertTraceTest, BookMergesDistinctTraceIdsInOrderAndUntracedFindingsAddNone) {
  AlertBook book({}, AlertIdGenerator(1));
  auto opened =
      book.on_finding(finding("news2", Severity::medium, "r", {"o1"}), traced("P1", {kTraceA}), t0());
  ASSERT_TRUE(opened);
  EXPECT_THAT(opened->alert.trace_ids, ElementsAre(kTraceA));
  auto same = book.on_finding(finding("news2", Severity::medium, "r", {"o2"}), traced("P1", {kTraceA}), t0());
  auto untraced = book.on_finding(finding("news2", Severity::medium, "r", {"o3"}), context("P1"), t0());
  auto other =
      book.on_finding(finding("news2", Severity::medium, "r", {"o4"}), traced("P1", {kTraceB}), t0());
  ASSERT_TRUE(same && untraced && other);
  EXPECT_THAT(book.find(other->alert.id)->trace_ids, ElementsAre(kTraceA, kTraceB));
  EXPECT_THAT(other->trace_ids, ElementsAre(kTraceB));  // the one this change merged
  EXPECT_EQ(other->alert.count, 4u);
}

TEST(AlertTraceTest, TraceIdsKeepOnlyTheNewestBoundedNumber) {
  AlertBook book({}, AlertIdGenerator(1));
  std::optional<AlertChange> last;
  for (std::size_t i = 0; i < kMaxTraceIds + 5; ++i) {
    const std::string n = std::to_string(i);
    last = book.on_finding(finding("news2", Severity::low, "r", {"o" + n}), traced("P1", {"t" + n}), t0());
  }
  ASSERT_TRUE(last);
  const auto& trace_ids = book.find(last->alert.id)->trace_ids;
  ASSERT_EQ(trace_ids.size(), kMaxTraceIds);
  EXPECT_EQ(trace_ids.front(), "t5");
  EXPECT_EQ(trace_ids.back(), "t" + std::to_string(kMaxTraceIds + 4));
}

TEST(AlertTraceTest, JsonCarriesTraceIdsNextToObservationIdsAndReadsThemBack) {
  Alert a;
  a.id = "al_0000000000000001";
  a.observation_ids = {"o1"};
  a.trace_ids = {kTraceA};
  const boost::json::object json = to_json(a);
  EXPECT_THAT(json_strings(json.at("trace_ids")), ElementsAre(kTraceA));
  const auto back = alert_from_json(json);
  ASSERT_TRUE(back);
  EXPECT_THAT(back->trace_ids, ElementsAre(kTraceA));

  boost::json::object old = json;  // a snapshot from before trace ids
  old.erase("trace_ids");
  const auto legacy = alert_from_json(old);
  ASSERT_TRUE(legacy);
  EXPECT_THAT(legacy->trace_ids, IsEmpty());

  boost::json::object damaged = json;
  damaged["trace_ids"] = boost::json::array{1, 2};
  EXPECT_FALSE(alert_from_json(damaged));
}

TEST(AlertTraceTest, ServiceStoresTraceIdsAndEventsCarryThemInTheirJson) {
  testing::TempDir dir;
  const auto file = dir.file("alerts.db");
  std::string id;
  {
    AlertService service(file);
    auto events = service.apply({{traced("P1", {kTraceA}), finding("hr", Severity::high, "HR 140", {"o1"})}},
                                std::nullopt, t0());
    ASSERT_EQ(events.size(), 1u);
    id = events[0].alert.id;
    EXPECT_THAT(json_strings(to_json(events[0]).at("trace_ids")), ElementsAre(kTraceA));
  }
  AlertService reopened(file);
  const auto stored = reopened.get(id);
  ASSERT_TRUE(stored);
  EXPECT_THAT(stored->trace_ids, ElementsAre(kTraceA));
  const auto history = reopened.events_after(0, 10);
  ASSERT_EQ(history.size(), 1u);
  EXPECT_THAT(history[0].trace_ids, ElementsAre(kTraceA));
  // The next finding of the same alert, after a restart, still merges into the stored trace ids.
  auto events = reopened.apply({{traced("P1", {kTraceB}), finding("hr", Severity::high, "HR 150", {"o2"})}},
                               std::nullopt, t0());
  ASSERT_EQ(events.size(), 1u);
  EXPECT_THAT(events[0].trace_ids, ElementsAre(kTraceB));  // the event names what it merged
  EXPECT_THAT(reopened.get(id)->trace_ids, ElementsAre(kTraceA, kTraceB));
}

TEST(AlertTraceTest, SnapshotsStoredWithoutTraceIdsStillLoad) {
  testing::TempDir dir;
  const auto file = dir.file("alerts.db");
  std::string id;
  {
    AlertService service(file);
    auto events =
        service.apply({{context("P1"), finding("hr", Severity::high, "HR 140", {"o1"})}}, std::nullopt, t0());
    id = events.at(0).alert.id;
  }
  {  // Rewrite the stored documents as a version without trace ids wrote them.
    boost::json::object doc = to_json(AlertService(file).get(id).value());
    doc.erase("trace_ids");
    const std::string text = boost::json::serialize(doc);
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(file.c_str(), &db), SQLITE_OK);
    sqlite3_stmt* stmt = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(db, "UPDATE alerts SET doc = ?1", -1, &stmt, nullptr), SQLITE_OK);
    sqlite3_bind_text(stmt, 1, text.c_str(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
    EXPECT_EQ(sqlite3_step(stmt), SQLITE_DONE);
    sqlite3_finalize(stmt);
    ASSERT_EQ(sqlite3_exec(db, "UPDATE alert_events SET snapshot = (SELECT doc FROM alerts)", nullptr,
                           nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
  }
  AlertService service(file);  // loads the unresolved (legacy) alert into its book
  const auto stored = service.get(id);
  ASSERT_TRUE(stored);
  EXPECT_THAT(stored->trace_ids, IsEmpty());
  EXPECT_EQ(service.events_after(0, 10).size(), 1u);
  auto events = service.apply({{traced("P1", {kTraceA}), finding("hr", Severity::high, "HR 150", {"o2"})}},
                              std::nullopt, t0());
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].alert.id, id);
  EXPECT_THAT(events[0].trace_ids, ElementsAre(kTraceA));
  EXPECT_THAT(service.get(id)->trace_ids, ElementsAre(kTraceA));
}

}  // namespace
}  // namespace vigil::alerts
