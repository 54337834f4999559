// Alert events name only the readings and traces their change merged (alert.h, AlertEvent): the
// book's changes, the JSON form, the stored history, and the migration of a version-1 file, whose
// events held the whole alert.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>
#include <map>

#include "alerts/alert.h"
#include "alerts/alert_book.h"
#include "alerts/alert_service.h"
#include "alerts/alert_store.h"
#include "alerts/test_support.h"

namespace vigil::alerts {
namespace {

using domain::Severity;
using testing::context;
using testing::exec_sql;
using testing::sql_int;
using ::testing::ElementsAre;
using testing::finding;
using ::testing::IsEmpty;
using testing::t0;
using testing::traced;

// An id as long as the observation ids devices send (a UUID: 36 characters).
std::string uuid_like(int i) {
  return fmt::format("{:08x}-0000-4000-8000-{:012x}", i, i);
}

TEST(AlertEventTest, EachChangeNamesOnlyTheIdsItMerged) {
  AlertBook book({}, AlertIdGenerator(5));
  auto opened = book.on_finding(finding("news2", Severity::medium, "NEWS2 5", {"o1", "o2"}),
                                traced("P1", {"t1"}), t0());
  ASSERT_TRUE(opened);
  EXPECT_THAT(opened->observation_ids, ElementsAre("o1", "o2"));
  EXPECT_THAT(opened->trace_ids, ElementsAre("t1"));

  // o2 is already merged: only o3 is news, and t1 is not a new trace.
  auto updated = book.on_finding(finding("news2", Severity::medium, "NEWS2 6", {"o2", "o3"}),
                                 traced("P1", {"t1"}), t0());
  ASSERT_TRUE(updated);
  EXPECT_THAT(updated->observation_ids, ElementsAre("o3"));
  EXPECT_THAT(updated->trace_ids, IsEmpty());
  // An update carries the alert without its lists until fill_lists() (AlertChange::alert).
  EXPECT_THAT(updated->alert.observation_ids, IsEmpty());
  std::vector<AlertChange> round{*updated};
  book.fill_lists(round);
  EXPECT_THAT(round[0].alert.observation_ids, ElementsAre("o1", "o2", "o3"));  // the whole alert
  EXPECT_THAT(round[0].alert.trace_ids, ElementsAre("t1"));

  const std::string id = opened->alert.id;
  auto ack = book.acknowledge(id, "dr.marsh", "seen", t0());
  ASSERT_TRUE(ack.change);
  EXPECT_THAT(ack.change->observation_ids, IsEmpty());
  EXPECT_THAT(ack.change->trace_ids, IsEmpty());
  auto resolved = book.resolve(id, "dr.marsh", "", t0());
  ASSERT_TRUE(resolved.change);
  EXPECT_THAT(resolved.change->observation_ids, IsEmpty());
  EXPECT_THAT(resolved.change->alert.observation_ids, ElementsAre("o1", "o2", "o3"));
}

TEST(AlertEventTest, EventJsonHasEveryAlertFieldButTheListsAndNamesWhatTheChangeMerged) {
  AlertBook book({}, AlertIdGenerator(5));
  book.on_finding(finding("hr", Severity::high, "HR 140", {"o1"}), traced("P1", {"t1"}), t0());
  auto change =
      book.on_finding(finding("hr", Severity::critical, "HR 180", {"o2"}), traced("P1", {"t2"}), t0());
  ASSERT_TRUE(change);
  const AlertEvent event = event_of(*change, 7);
  EXPECT_THAT(event.alert.observation_ids, IsEmpty());
  EXPECT_THAT(event.alert.trace_ids, IsEmpty());

  const boost::json::object json = to_json(event);
  EXPECT_EQ(json.at("event_id").as_uint64(), 7U);
  EXPECT_EQ(boost::json::serialize(json.at("observation_ids")), R"(["o2"])");
  EXPECT_EQ(boost::json::serialize(json.at("trace_ids")), R"(["t2"])");
  // The event's alert is the whole alert object less its two lists: every other field, same values.
  boost::json::object whole = to_json(change->alert);
  whole.erase("observation_ids");
  whole.erase("trace_ids");
  EXPECT_EQ(json.at("alert").as_object(), whole);
}

TEST(AlertEventTest, StoredHistoryStaysSmallWhileAnAlertKeepsBeingUpdated) {
  testing::TempDir dir;
  const auto file = dir.file("alerts.db");
  std::string id;
  {
    AlertService service(file);
    for (int i = 0; i < 200; ++i) {
      auto trace = fmt::format("{:032x}", i);
      auto events =
          service.apply({{traced("P1", {trace}), finding("hr", Severity::high, "HR 140", {uuid_like(i)})}},
                        std::nullopt, t0());
      ASSERT_EQ(events.size(), 1U);
      EXPECT_THAT(events[0].observation_ids, ElementsAre(uuid_like(static_cast<int>(i))));
      EXPECT_THAT(events[0].trace_ids, ElementsAre(trace));
      id = events[0].alert.id;
    }
    const auto alert = service.get(id);
    ASSERT_TRUE(alert);
    EXPECT_EQ(alert->observation_ids.size(), kMaxObservationIds);  // the alert keeps its newest 64
    EXPECT_EQ(alert->count, 200U);
  }
  // A whole snapshot with 64 ids of each kind is over 4 KB; an event naming one of each is not.
  EXPECT_LT(sql_int(file, "SELECT MAX(length(snapshot)) FROM alert_events"), 1024);
  EXPECT_GT(sql_int(file, "SELECT length(doc) FROM alerts"), 4096);

  AlertService reopened(file);
  const auto history = reopened.events_after(0, 500);
  ASSERT_EQ(history.size(), 200U);
  for (std::size_t i = 0; i < history.size(); ++i) {
    EXPECT_THAT(history[i].observation_ids, ElementsAre(uuid_like(static_cast<int>(i))));
    EXPECT_THAT(history[i].alert.observation_ids, IsEmpty());
    EXPECT_EQ(history[i].alert.count, i + 1);
  }
}

// Builds what a version-1 build left: every event's snapshot the whole alert after its change (the
// lists bounded as the book bounds them), some written before trace ids existed, user_version 0.
// Returns the events as they must read after the migration.
std::vector<AlertEvent> write_version_one_file(const std::filesystem::path& file) {
  std::vector<AlertEvent> expected;
  {
    AlertService service(file);
    auto add = [&](const char* patient, int i, std::vector<std::string> traces) {
      auto events = service.apply({{traced(patient, std::move(traces)),
                                    finding("hr", Severity::high, "HR 140", {uuid_like(i) + patient})}},
                                  std::nullopt, t0());
      expected.insert(expected.end(), events.begin(), events.end());
    };
    for (int i = 0; i < 70; ++i) {  // past the bound of 64, interleaved with a second alert
      add("P1", i, {fmt::format("{:032x}", i % 3)});
      if (i % 10 == 0) add("P2", i, {});
    }
    const std::string p1 = expected.front().alert.id;
    expected.push_back(*service.acknowledge(p1, "dr.marsh", "seen", t0()).event);
    expected.push_back(*service.resolve(p1, "dr.marsh", "done", t0()).event);
  }
  // The whole alert after each event, as version 1 stored it.
  std::map<std::string, std::pair<std::vector<std::string>, std::vector<std::string>>> lists;
  for (const AlertEvent& e : expected) {
    auto& [observations, traces] = lists[e.alert.id];
    for (const auto& o : e.observation_ids) observations.push_back(o);
    for (const auto& t : e.trace_ids) traces.push_back(t);
    if (observations.size() > kMaxObservationIds) observations.erase(observations.begin());
    Alert whole = e.alert;
    whole.observation_ids = observations;
    whole.trace_ids = traces;
    boost::json::object doc = to_json(whole);
    if (e.alert.patient_id == "P2") doc.erase("trace_ids");  // stored before trace ids existed
    exec_sql(file, "UPDATE alert_events SET snapshot = ?1 WHERE event_id = " + std::to_string(e.event_id),
             {boost::json::serialize(doc)});
  }
  exec_sql(file, "PRAGMA user_version = 0");
  return expected;
}

TEST(AlertEventTest, AVersionOneHistoryIsRewrittenToTheIdsEachChangeMerged) {
  testing::TempDir dir;
  const auto file = dir.file("alerts.db");
  const std::vector<AlertEvent> expected = write_version_one_file(file);
  ASSERT_GT(sql_int(file, "SELECT MAX(length(snapshot)) FROM alert_events"), 2048);

  AlertService service(file);  // migrates
  EXPECT_EQ(sql_int(file, "PRAGMA user_version"), 3);
  EXPECT_LT(sql_int(file, "SELECT MAX(length(snapshot)) FROM alert_events"), 1024);
  const auto history = service.events_after(0, 500);
  ASSERT_EQ(history.size(), expected.size());
  for (std::size_t i = 0; i < history.size(); ++i) {
    EXPECT_EQ(history[i].event_id, expected[i].event_id);
    EXPECT_EQ(history[i].kind, expected[i].kind);
    EXPECT_EQ(history[i].observation_ids, expected[i].observation_ids) << "event " << history[i].event_id;
    EXPECT_EQ(history[i].trace_ids, expected[i].trace_ids) << "event " << history[i].event_id;
    EXPECT_EQ(to_json(history[i]), to_json(expected[i]));
  }
  // The current state is untouched: P2's alert still holds every id it merged.
  const std::string p2 = expected.at(1).alert.id;
  EXPECT_EQ(service.get(p2)->observation_ids.size(), 7U);

  AlertService again(file);  // a migrated file opens as it is
  EXPECT_EQ(again.events_after(0, 500).size(), expected.size());
}

TEST(AlertEventTest, AFileFromANewerVersionIsRefused) {
  testing::TempDir dir;
  const auto file = dir.file("alerts.db");
  { AlertStore store(file); }
  exec_sql(file, "PRAGMA user_version = 4");
  try {
    AlertStore store(file);
    FAIL() << "opened a schema-version-4 file";
  } catch (const AlertStoreError& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr("schema version 4 is newer than this build's 3"));
    EXPECT_THAT(e.what(), ::testing::HasSubstr(file.string()));
  }
}

}  // namespace
}  // namespace vigil::alerts
