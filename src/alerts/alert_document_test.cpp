// An alert's stored document is its API representation (AlertPage): lists send it as it is, and a
// file from an older build has its documents rewritten when it is opened (schema version 3).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "alerts/alert.h"
#include "alerts/alert_service.h"
#include "alerts/alert_store.h"
#include "alerts/test_support.h"

namespace vigil::alerts {
namespace {

using domain::Severity;
using testing::exec_sql;
using testing::finding;
using testing::sql_int;
using testing::t0;
using testing::traced;

std::string api_json(const Alert& alert) {
  return boost::json::serialize(to_json(alert));
}

TEST(AlertDocumentTest, AListedDocumentIsTheAlertsApiJson) {
  testing::TempDir dir;
  AlertService service(dir.file("alerts.db"));
  // Two alerts, one with lists of several ids and traces, one acknowledged with a note.
  for (int i = 0; i < 5; ++i) {
    service.apply({{traced("P1", {fmt::format("{:032x}", i)}),
                    finding("news2", Severity::high, "NEWS2 7", {fmt::format("obs-{}", i)})}},
                  std::nullopt, t0() + std::chrono::seconds(i));
  }
  auto opened = service.apply({{traced("P2", {}), finding("hr", Severity::medium, "HR 131", {"obs-x"})}},
                              std::nullopt, t0() + std::chrono::minutes(1));
  service.acknowledge(opened.at(0).alert.id, "dr.lee", "called the site", t0() + std::chrono::minutes(2));

  const AlertPage page = service.list({});
  ASSERT_EQ(page.documents.size(), 2U);
  for (const auto& doc : page.documents) {
    const Alert alert = parse_alert_document(doc);
    EXPECT_EQ(doc, api_json(*service.get(alert.id)));
  }
  const Alert busy = parse_alert_document(page.documents.at(1));
  EXPECT_EQ(busy.observation_ids.size(), 5U);
  EXPECT_EQ(busy.trace_ids.size(), 5U);
  EXPECT_EQ(parse_alert_document(page.documents.at(0)).status, AlertStatus::acknowledged);
}

TEST(AlertDocumentTest, AnUnreadableDocumentIsAnError) {
  EXPECT_THROW(parse_alert_document("{\"id\": 1}"), AlertStoreError);
  EXPECT_THROW(parse_alert_document("not json"), AlertStoreError);
}

// A version-2 file holds documents that this build's to_json would write differently: one stored
// before trace ids existed (no "trace_ids"), one with its members in another order. Opening it
// rewrites those two, leaves the current one as it is, drops the index of events by alert, and
// records version 3.
TEST(AlertDocumentTest, AVersionTwoFileHasItsDocumentsRewrittenToTheApiJson) {
  testing::TempDir dir;
  const auto file = dir.file("alerts.db");
  std::vector<std::string> ids;
  {
    AlertService service(file);
    for (const char* patient : {"P1", "P2", "P3"}) {
      auto events = service.apply({{traced(patient, {std::string(32, 'a')}),
                                    finding("news2", Severity::high, "NEWS2 7", {std::string("obs-") + patient})}},
                                  std::nullopt, t0());
      ids.push_back(events.at(0).alert.id);
    }
  }
  const auto stored = [&](const std::string& id) {
    AlertStore store(file);
    return *store.get(id);
  };
  const Alert p1 = stored(ids[0]);
  const Alert p2 = stored(ids[1]);
  const std::string p3_doc = [&] {
    AlertStore store(file);
    return store.list({.patient_id = "P3"}).documents.at(0);
  }();

  boost::json::object old_p1 = to_json(p1);
  old_p1.erase("trace_ids");
  boost::json::object reordered;  // the members of p2's document, last to first
  const boost::json::object p2_json = to_json(p2);
  for (auto it = p2_json.end(); it != p2_json.begin();) {
    --it;
    reordered[it->key()] = it->value();
  }
  ASSERT_NE(boost::json::serialize(reordered), api_json(p2));
  exec_sql(file, "UPDATE alerts SET doc = ?1 WHERE id = ?2", {boost::json::serialize(old_p1), ids[0]});
  exec_sql(file, "UPDATE alerts SET doc = ?1 WHERE id = ?2", {boost::json::serialize(reordered), ids[1]});
  exec_sql(file, "CREATE INDEX alert_events_by_alert ON alert_events(alert_id, event_id)");  // as version 2 had
  exec_sql(file, "PRAGMA user_version = 2");
  const std::string index_count = "SELECT COUNT(*) FROM sqlite_master WHERE name = 'alert_events_by_alert'";
  ASSERT_EQ(sql_int(file, index_count), 1);

  AlertStore store(file);  // migrates
  EXPECT_EQ(sql_int(file, "PRAGMA user_version"), 3);
  EXPECT_EQ(sql_int(file, index_count), 0) << "version 3 drops the index nothing reads";
  Alert p1_without_traces = p1;
  p1_without_traces.trace_ids.clear();  // what the old document held
  EXPECT_EQ(store.list({.patient_id = "P1"}).documents.at(0), api_json(p1_without_traces));
  EXPECT_EQ(store.list({.patient_id = "P2"}).documents.at(0), api_json(p2));
  EXPECT_EQ(store.list({.patient_id = "P3"}).documents.at(0), p3_doc);
}

TEST(AlertDocumentTest, AFileWhoseDocumentIsNotAnAlertDoesNotOpen) {
  testing::TempDir dir;
  const auto file = dir.file("alerts.db");
  {
    AlertService service(file);
    service.apply({{traced("P1", {}), finding("hr", Severity::medium, "HR 131", {"obs-1"})}}, std::nullopt, t0());
  }
  exec_sql(file, "UPDATE alerts SET doc = '{\"id\": 7}'");
  exec_sql(file, "PRAGMA user_version = 2");
  try {
    AlertStore store(file);
    FAIL() << "opened a file with an unreadable alert";
  } catch (const AlertStoreError& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr(file.string()));
  }
  EXPECT_EQ(sql_int(file, "PRAGMA user_version"), 2);  // nothing was half-migrated
}

}  // namespace
}  // namespace vigil::alerts
