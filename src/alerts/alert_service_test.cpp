#include "alerts/alert_service.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>

#include "alerts/test_support.h"

namespace vigil::alerts {
namespace {

using namespace std::chrono_literals;
using domain::Severity;
using testing::context;
using testing::finding;
using testing::t0;

using Findings = std::vector<std::pair<AlertContext, domain::Finding>>;
using Position = std::optional<std::pair<std::string, std::uint64_t>>;

Position at(std::uint64_t seq) {
  return std::make_pair(std::string("processor"), seq);
}

class AlertServiceTest : public ::testing::Test {
 protected:
  testing::TempDir dir_;
  std::filesystem::path file_ = dir_.file("alerts.db");
  ManualClock clock_{t0()};

  static Findings one(const std::string& patient, const std::string& rule, Severity sev,
                      const std::string& obs) {
    return {{context(patient), finding(rule, sev, rule + " " + obs, {obs})}};
  }
};

TEST_F(AlertServiceTest, ApplyDedupsCommitsPublishesAndObserves) {
  AlertService service(file_);
  std::vector<std::uint64_t> observed;
  service.on_event([&](const AlertEvent& e) { observed.push_back(e.event_id); });
  int notified = 0;
  auto sub = service.bus().subscribe(16, [&] { ++notified; });

  Findings batch = one("P1", "news2", Severity::medium, "o1");
  auto more = one("P1", "news2", Severity::high, "o2");  // same batch, same key: an update
  batch.insert(batch.end(), more.begin(), more.end());
  auto other = one("P2", "news2", Severity::low, "o3");
  batch.insert(batch.end(), other.begin(), other.end());

  auto events = service.apply(batch, at(3), clock_.now());
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].kind, AlertEventKind::opened);
  EXPECT_EQ(events[1].kind, AlertEventKind::updated);
  EXPECT_EQ(events[1].alert.id, events[0].alert.id);
  EXPECT_EQ(events[1].alert.count, 2u);
  EXPECT_EQ(events[1].alert.severity, Severity::high);
  EXPECT_EQ(events[2].kind, AlertEventKind::opened);

  std::vector<AlertEvent> live;
  sub->drain(live);
  ASSERT_EQ(live.size(), 3u);
  EXPECT_EQ(notified, 1);
  for (std::size_t i = 0; i < 3; ++i) EXPECT_EQ(live[i].event_id, events[i].event_id);
  EXPECT_EQ(observed,
            (std::vector<std::uint64_t>{events[0].event_id, events[1].event_id, events[2].event_id}));
  EXPECT_EQ(service.consumer_position("processor"), 3u);
  EXPECT_EQ(service.get(events[0].alert.id)->count, 2u);
  EXPECT_EQ(service.list({}).documents.size(), 2u);
}

// Updates from findings carry no lists (AlertChange::alert); apply() gives the stored alert its
// whole lists however many findings merged into it in one call, and across calls.
TEST_F(AlertServiceTest, TheStoredAlertKeepsEveryMergedIdWhenOneCallMergesMany) {
  AlertService service(file_);
  Findings batch;
  for (const char* obs : {"o1", "o2", "o3"}) {
    auto f = one("P1", "news2", Severity::medium, obs);
    batch.insert(batch.end(), f.begin(), f.end());
  }
  const auto events = service.apply(batch, at(3), clock_.now());
  ASSERT_EQ(events.size(), 3u);
  auto stored = service.get(events[0].alert.id);
  ASSERT_TRUE(stored);
  EXPECT_THAT(stored->observation_ids, ::testing::ElementsAre("o1", "o2", "o3"));
  EXPECT_EQ(stored->count, 3u);

  service.apply(one("P1", "news2", Severity::medium, "o4"), at(4), clock_.now());
  stored = service.get(events[0].alert.id);
  ASSERT_TRUE(stored);
  EXPECT_THAT(stored->observation_ids, ::testing::ElementsAre("o1", "o2", "o3", "o4"));
  // A restart reads the same lists back into the book.
  AlertService reopened(file_);
  EXPECT_THAT(reopened.get(events[0].alert.id)->observation_ids,
              ::testing::ElementsAre("o1", "o2", "o3", "o4"));
}

TEST_F(AlertServiceTest, DedupContinuesAfterRestart) {
  std::string id;
  {
    AlertService service(file_);
    id = service.apply(one("P1", "news2", Severity::medium, "o1"), at(1), clock_.now()).front().alert.id;
  }
  clock_.advance(5min);
  AlertService service(file_);
  auto events = service.apply(one("P1", "news2", Severity::critical, "o2"), at(2), clock_.now());
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, AlertEventKind::updated);
  EXPECT_EQ(events[0].alert.id, id);
  EXPECT_EQ(events[0].alert.count, 2u);
  EXPECT_EQ(events[0].alert.severity, Severity::critical);
  EXPECT_EQ(events[0].alert.severity_raised_at, t0() + 5min);
  // Event ids continue too, after the ids the first run reserved (AlertStore::kEventIdBlock).
  EXPECT_EQ(events[0].event_id, 1 + AlertStore::kEventIdBlock + 1);
}

// The processor's recovery pattern: effects and position are committed together, so after a restart
// it resumes from the stored position and nothing before it is applied twice.
TEST_F(AlertServiceTest, PositionSurvivesReopenWithItsEffects) {
  {
    AlertService service(file_);
    service.apply(one("P1", "news2", Severity::medium, "o1"), at(10), clock_.now());
    service.apply({}, at(12), clock_.now());  // records with no findings still move the position
  }
  AlertService service(file_);
  EXPECT_EQ(service.consumer_position("processor"), 12u);
  EXPECT_EQ(service.events_after(0, 100).size(), 1u);
  EXPECT_EQ(service.get(service.events_after(0, 1).front().alert.id)->count, 1u);
}

TEST_F(AlertServiceTest, TransitionsAndTheirErrors) {
  AlertService service(file_);
  const auto id =
      service.apply(one("P1", "news2", Severity::high, "o1"), std::nullopt, clock_.now()).front().alert.id;
  clock_.advance(1min);

  auto ack = service.acknowledge(id, "dr.lee", "on my way", clock_.now());
  ASSERT_TRUE(ack.ok());
  EXPECT_EQ(ack.alert->status, AlertStatus::acknowledged);
  EXPECT_EQ(ack.event->kind, AlertEventKind::acknowledged);
  EXPECT_EQ(ack.event->actor, "dr.lee");
  EXPECT_EQ(ack.event->note, "on my way");
  EXPECT_EQ(service.get(id)->acknowledged->at, t0() + 1min);

  auto again = service.acknowledge(id, "dr.kim", "", clock_.now());
  EXPECT_EQ(again.status, TransitionStatus::invalid_transition);
  EXPECT_EQ(again.alert->acknowledged->actor, "dr.lee");
  EXPECT_FALSE(again.event);

  auto res = service.resolve(id, "dr.lee", "", clock_.now());
  ASSERT_TRUE(res.ok());
  EXPECT_EQ(res.alert->status, AlertStatus::resolved);

  auto ack_resolved = service.acknowledge(id, "dr.lee", "", clock_.now());
  EXPECT_EQ(ack_resolved.status, TransitionStatus::invalid_transition);
  EXPECT_EQ(ack_resolved.alert->status, AlertStatus::resolved);
  EXPECT_EQ(service.resolve(id, "dr.lee", "", clock_.now()).status, TransitionStatus::invalid_transition);

  EXPECT_EQ(service.acknowledge("al_0123456789abcdef", "x", "", clock_.now()).status,
            TransitionStatus::not_found);
  EXPECT_EQ(service.resolve("al_0123456789abcdef", "x", "", clock_.now()).status,
            TransitionStatus::not_found);

  // Resolved: the next finding opens a new alert.
  auto next = service.apply(one("P1", "news2", Severity::medium, "o2"), std::nullopt, clock_.now());
  EXPECT_EQ(next.front().kind, AlertEventKind::opened);
  EXPECT_NE(next.front().alert.id, id);
  EXPECT_EQ(service.events_after(0, 100).size(), 4u);  // opened, acknowledged, resolved, opened
}

TEST_F(AlertServiceTest, EventsAfterResumesWhereTheBusLeftOff) {
  AlertService service(file_);
  auto sub = service.bus().subscribe(2, nullptr);
  for (int i = 0; i < 6; ++i) {
    service.apply(one(fmt::format("P{}", i), "news2", Severity::low, fmt::format("o{}", i)), std::nullopt,
                  clock_.now());
  }
  ASSERT_TRUE(sub->overflowed());
  std::vector<AlertEvent> seen;
  sub->drain(seen);
  ASSERT_EQ(seen.size(), 2u);
  // The client reconnects with Last-Event-ID = the last one it saw.
  auto rest = service.events_after(seen.back().event_id, 100);
  ASSERT_EQ(rest.size(), 4u);
  EXPECT_EQ(rest.front().event_id, seen.back().event_id + 1);
  EXPECT_EQ(rest.back().event_id, service.last_event_id());
}

TEST_F(AlertServiceTest, ConcurrentAcknowledgeIsConsistent) {
  AlertService service(file_);
  Findings batch;
  for (int i = 0; i < 8; ++i) {
    auto f = one(fmt::format("P{}", i), "news2", Severity::high, fmt::format("o{}", i));
    batch.insert(batch.end(), f.begin(), f.end());
  }
  auto opened = service.apply(batch, std::nullopt, clock_.now());
  const std::string contested = opened.front().alert.id;

  std::atomic<int> contested_ok{0}, contested_conflict{0}, own_ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      const auto actor = fmt::format("user{}", t);
      auto r = service.acknowledge(contested, actor, "", clock_.now());
      (r.ok() ? contested_ok : contested_conflict).fetch_add(1);
      if (t > 0) {
        // Every other alert is resolved by exactly one thread, while reads run alongside.
        if (service.resolve(opened[static_cast<std::size_t>(t)].alert.id, actor, "", clock_.now()).ok()) {
          own_ok.fetch_add(1);
        }
        (void)service.list({.status = AlertStatus::resolved});
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(contested_ok.load(), 1);
  EXPECT_EQ(contested_conflict.load(), 7);
  EXPECT_EQ(own_ok.load(), 7);

  auto events = service.events_after(0, 100);
  ASSERT_EQ(events.size(), 8u + 1u + 7u);
  std::set<std::uint64_t> ids;
  for (const auto& e : events) ids.insert(e.event_id);
  EXPECT_EQ(ids.size(), events.size());
  EXPECT_EQ(service.get(contested)->status, AlertStatus::acknowledged);
  EXPECT_EQ(service.list({.status = AlertStatus::resolved}).documents.size(), 7u);
}

TEST_F(AlertServiceTest, ConstructorNamesTheFileOnFailure) {
  const auto bad = dir_.path() / "no-such-dir" / "alerts.db";
  try {
    AlertService service(bad);
    FAIL() << "expected std::runtime_error";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr(bad.string()));
  }
}

}  // namespace
}  // namespace vigil::alerts
