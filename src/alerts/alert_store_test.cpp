#include "alerts/alert_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

#include "alerts/alert_book.h"
#include "alerts/test_support.h"

namespace vigil::alerts {
namespace {

using namespace std::chrono_literals;
using domain::Severity;
using testing::context;
using testing::finding;
using testing::t0;

class AlertStoreTest : public ::testing::Test {
 protected:
  testing::TempDir dir_;
  std::filesystem::path file_ = dir_.file("alerts.db");
  ManualClock clock_{t0()};
  AlertBook book_{{}, AlertIdGenerator(11)};

  AlertChange open(AlertStore& store, const std::string& patient, Severity sev = Severity::medium,
                   const std::string& site = "site-01", const std::string& rule = "news2") {
    auto change = book_.on_finding(finding(rule, sev, "reason", {"o-" + patient + rule}),
                                   context(patient, site), clock_.now());
    store.commit({*change}, std::nullopt);
    return *change;
  }
};

TEST_F(AlertStoreTest, CommitAssignsIncreasingEventIdsAndStoresAlert) {
  AlertStore store(file_);
  EXPECT_EQ(store.last_event_id(), 0u);
  auto c1 =
      book_.on_finding(finding("news2", Severity::medium, "NEWS2 5", {"o1"}), context("P1"), clock_.now());
  clock_.advance(1min);
  auto c2 =
      book_.on_finding(finding("news2", Severity::high, "NEWS2 7", {"o2"}), context("P1"), clock_.now());
  auto events = store.commit({*c1, *c2}, std::nullopt);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_LT(events[0].event_id, events[1].event_id);
  EXPECT_EQ(events[0].kind, AlertEventKind::opened);
  EXPECT_EQ(events[1].kind, AlertEventKind::updated);
  EXPECT_EQ(store.last_event_id(), events[1].event_id);

  auto stored = store.get(c1->alert.id);
  ASSERT_TRUE(stored);
  EXPECT_EQ(to_json(*stored), to_json(c2->alert));  // the latest state
  EXPECT_FALSE(store.get("al_ffffffffffffffff"));
}

TEST_F(AlertStoreTest, ACommitOfInterleavedChangesStoresEachAlertsLastStateAndEveryEvent) {
  // A pipeline round: two patients' alerts updated in turn, as their readings come in log order.
  AlertStore store(file_);
  std::vector<AlertChange> round;
  const auto add = [&](const std::string& patient, Severity sev, const std::string& obs) {
    round.push_back(*book_.on_finding(finding("news2", sev, "NEWS2", {obs}), context(patient), clock_.now()));
    clock_.advance(1s);
  };
  add("P1", Severity::low_medium, "o1");
  add("P2", Severity::medium, "o2");
  add("P1", Severity::medium, "o3");
  add("P2", Severity::medium, "o4");
  add("P1", Severity::high, "o5");
  book_.fill_lists(round);  // as AlertService::apply does
  EXPECT_TRUE(round[2].alert.observation_ids.empty()) << "only each alert's last change is filled";
  const auto events = store.commit(round, std::pair<std::string, std::uint64_t>{"processor", 5},
                                   AlertStore::Durability::replayable);
  ASSERT_EQ(events.size(), 5U);

  const auto p1 = store.get(round[4].alert.id);
  const auto p2 = store.get(round[3].alert.id);
  ASSERT_TRUE(p1 && p2);
  EXPECT_EQ(to_json(*p1), to_json(round[4].alert));
  EXPECT_EQ(to_json(*p2), to_json(round[3].alert));
  EXPECT_EQ(p1->severity, Severity::high);
  EXPECT_EQ(p1->observation_ids, (std::vector<std::string>{"o1", "o3", "o5"}));
  EXPECT_EQ(store.load_unresolved().size(), 2U);
  EXPECT_EQ(store.consumer_position("processor"), 5U);

  const auto history = store.events_after(0, 10);
  ASSERT_EQ(history.size(), 5U);
  const std::vector<std::string> alert_of{p1->id, p2->id, p1->id, p2->id, p1->id};
  for (std::size_t i = 0; i < history.size(); ++i) {
    EXPECT_EQ(history[i].event_id, events[i].event_id);
    EXPECT_EQ(history[i].alert.id, alert_of[i]) << i;
    EXPECT_EQ(history[i].observation_ids, round[i].observation_ids) << i;
  }
  EXPECT_EQ(history[0].kind, AlertEventKind::opened);
  EXPECT_EQ(history[4].kind, AlertEventKind::updated);
  EXPECT_EQ(history[4].alert.severity, Severity::high);
}

TEST_F(AlertStoreTest, SurvivesReopen) {
  std::string unresolved_id, resolved_id;
  {
    AlertStore store(file_);
    unresolved_id = open(store, "P1").alert.id;
    resolved_id = open(store, "P2").alert.id;
    auto res = book_.resolve(resolved_id, "dr.lee", "fine", clock_.now());
    store.commit({*res.change}, std::nullopt);
  }
  AlertStore store(file_);
  auto unresolved = store.load_unresolved();
  ASSERT_EQ(unresolved.size(), 1u);
  EXPECT_EQ(unresolved[0].id, unresolved_id);
  auto resolved = store.get(resolved_id);
  ASSERT_TRUE(resolved);
  EXPECT_EQ(resolved->status, AlertStatus::resolved);
  EXPECT_EQ(resolved->resolved->note, "fine");
  EXPECT_EQ(store.last_event_id(), 3u);
}

TEST_F(AlertStoreTest, ConsumerPositionIsCommittedWithChanges) {
  AlertStore store(file_);
  EXPECT_EQ(store.consumer_position("processor"), 0u);
  auto c = book_.on_finding(finding("news2", Severity::medium, "r", {"o1"}), context("P1"), clock_.now());
  store.commit({*c}, std::make_pair(std::string("processor"), std::uint64_t{41}));
  EXPECT_EQ(store.consumer_position("processor"), 41u);
  store.commit({}, std::make_pair(std::string("processor"), std::uint64_t{57}));  // position only
  EXPECT_EQ(store.consumer_position("processor"), 57u);
  EXPECT_EQ(store.consumer_position("other"), 0u);
}

TEST_F(AlertStoreTest, FailedCommitWritesNeitherChangesNorPosition) {
  AlertStore store(file_);
  auto first = open(store, "P1");
  store.commit({}, std::make_pair(std::string("processor"), std::uint64_t{5}));

  // A second unresolved alert for the same (patient, rule) violates the store's dedup constraint,
  // after a valid change earlier in the same batch.
  auto valid = book_.on_finding(finding("news2", Severity::low, "r", {"o-x"}), context("P9"), clock_.now());
  AlertChange duplicate = first;
  duplicate.alert.id = "al_0000000000000001";
  EXPECT_THROW(store.commit({*valid, duplicate}, std::make_pair(std::string("processor"), std::uint64_t{9})),
               AlertStoreError);

  EXPECT_EQ(store.consumer_position("processor"), 5u);
  EXPECT_FALSE(store.get(valid->alert.id));
  EXPECT_FALSE(store.get("al_0000000000000001"));
  EXPECT_EQ(store.last_event_id(), 1u);
  // The store is still usable.
  auto later = book_.on_finding(finding("news2", Severity::low, "r", {"o-y"}), context("P8"), clock_.now());
  EXPECT_EQ(store.commit({*later}, std::nullopt).front().event_id, 2u);
}

TEST_F(AlertStoreTest, FiltersNarrowTheList) {
  AlertStore store(file_);
  auto a = open(store, "P1", Severity::low, "site-01");
  clock_.advance(1min);
  auto b = open(store, "P2", Severity::high, "site-02");
  clock_.advance(1min);
  auto c = open(store, "P3", Severity::critical, "site-02", "ctcae:fever");
  auto ack = book_.acknowledge(c.alert.id, "dr.lee", "", clock_.now());
  store.commit({*ack.change}, std::nullopt);

  auto ids = [&](AlertFilter f) {
    std::vector<std::string> out;
    for (const auto& alert : testing::alerts_of(store.list(f))) out.push_back(alert.id);
    return out;
  };
  using ::testing::ElementsAre;
  EXPECT_THAT(ids({}), ElementsAre(c.alert.id, b.alert.id, a.alert.id));  // newest first
  EXPECT_THAT(ids({.site_id = "site-02"}), ElementsAre(c.alert.id, b.alert.id));
  EXPECT_THAT(ids({.patient_id = "P1"}), ElementsAre(a.alert.id));
  EXPECT_THAT(ids({.status = AlertStatus::acknowledged}), ElementsAre(c.alert.id));
  EXPECT_THAT(ids({.status = AlertStatus::open}), ElementsAre(b.alert.id, a.alert.id));
  EXPECT_THAT(ids({.min_severity = Severity::high}), ElementsAre(c.alert.id, b.alert.id));
  EXPECT_THAT(ids({.since = t0() + 1min}), ElementsAre(c.alert.id, b.alert.id));
  EXPECT_THAT(ids({.trial_id = "TRIAL-1", .site_id = "site-01"}), ElementsAre(a.alert.id));
  EXPECT_THAT(ids({.trial_id = "OTHER"}), ElementsAre());
}

TEST_F(AlertStoreTest, PagingVisitsEveryAlertOnce) {
  AlertStore store(file_);
  std::vector<AlertChange> changes;
  for (int i = 0; i < 120; ++i) {
    // Groups of four share updated_at, so the id tie-break is exercised across page borders.
    if (i % 4 == 0) clock_.advance(1s);
    changes.push_back(*book_.on_finding(finding("news2", Severity::medium, "r", {fmt::format("o{}", i)}),
                                        context(fmt::format("P{}", i)), clock_.now()));
  }
  store.commit(changes, std::nullopt);

  std::set<std::string> seen;
  std::vector<std::size_t> sizes;
  AlertFilter filter{.limit = 50};
  std::optional<std::pair<TimePoint, std::string>> previous;
  for (;;) {
    auto page = store.list(filter);
    sizes.push_back(page.documents.size());
    for (const auto& a : testing::alerts_of(page)) {
      EXPECT_TRUE(seen.insert(a.id).second) << "duplicate " << a.id;
      auto key = std::make_pair(a.updated_at, a.id);
      if (previous) {
        EXPECT_LT(key, *previous) << "order broken at " << a.id;
      }
      previous = key;
    }
    if (!page.next_cursor) break;
    auto cursor = decode_cursor(*page.next_cursor);
    ASSERT_TRUE(cursor);
    filter.after = *cursor;
  }
  EXPECT_EQ(seen.size(), 120u);
  EXPECT_EQ(sizes, (std::vector<std::size_t>{50, 50, 20}));
}

TEST_F(AlertStoreTest, LimitIsClamped) {
  AlertStore store(file_);
  open(store, "P1");
  open(store, "P2");
  auto page = store.list({.limit = 0});
  EXPECT_EQ(page.documents.size(), 1u);
  EXPECT_TRUE(page.next_cursor);
  EXPECT_EQ(store.list({.limit = 100000}).documents.size(), 2u);
}

TEST_F(AlertStoreTest, ExactPageHasNoNextCursor) {
  AlertStore store(file_);
  open(store, "P1");
  open(store, "P2");
  auto page = store.list({.limit = 2});
  EXPECT_EQ(page.documents.size(), 2u);
  EXPECT_FALSE(page.next_cursor);
}

TEST(AlertCursorTest, RoundTripsAndRejectsForgeries) {
  AlertCursor c{t0() + 123ms, "al_00000000000000aa"};
  auto token = encode_cursor(c);
  auto back = decode_cursor(token);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->updated_at, c.updated_at);
  EXPECT_EQ(back->id, c.id);
  EXPECT_FALSE(decode_cursor(""));
  EXPECT_FALSE(decode_cursor("zz"));
  EXPECT_FALSE(decode_cursor(token.substr(1)));
  EXPECT_FALSE(decode_cursor("3132"));  // "12": no separator
}

TEST_F(AlertStoreTest, EventsAfterResumesInOrder) {
  AlertStore store(file_);
  std::vector<AlertEvent> committed;
  for (int i = 0; i < 10; ++i) {
    clock_.advance(1s);
    auto change = book_.on_finding(finding("news2", Severity::medium, "r", {fmt::format("o{}", i)}),
                                   context(fmt::format("P{}", i % 3)), clock_.now());
    auto events = store.commit({*change}, std::nullopt);
    committed.push_back(events.front());
  }
  auto from_start = store.events_after(0, 1000);
  ASSERT_EQ(from_start.size(), committed.size());
  for (std::size_t i = 0; i < committed.size(); ++i) {
    EXPECT_EQ(to_json(from_start[i]), to_json(committed[i])) << i;
  }
  EXPECT_EQ(from_start[3].kind, AlertEventKind::updated);
  EXPECT_EQ(from_start[3].actor, kSystemActor);

  auto resumed = store.events_after(committed[6].event_id, 2);
  ASSERT_EQ(resumed.size(), 2u);
  EXPECT_EQ(resumed[0].event_id, committed[7].event_id);
  EXPECT_EQ(resumed[1].event_id, committed[8].event_id);
  EXPECT_TRUE(store.events_after(committed.back().event_id, 10).empty());
}

TEST_F(AlertStoreTest, ANewStartContinuesAfterTheReservedEventIds) {
  std::uint64_t last = 0;
  {
    AlertStore store(file_, /*event_id_block=*/10);
    auto a = book_.on_finding(finding("news2", Severity::medium, "r", {"o1"}), context("P1"), clock_.now());
    auto b = book_.on_finding(finding("news2", Severity::medium, "r", {"o2"}), context("P2"), clock_.now());
    auto events = store.commit({*a, *b}, std::make_pair(std::string("processor"), std::uint64_t{2}),
                               AlertStore::Durability::replayable);
    ASSERT_EQ(events.size(), 2u);
    EXPECT_EQ(events[0].event_id, 1u);
    EXPECT_EQ(events[1].event_id, 2u);
    last = events[1].event_id;
  }
  // That commit reserved ids up to 2 + 10; the next run may not know which of them were handed out.
  AlertStore store(file_, 10);
  auto c = book_.on_finding(finding("news2", Severity::medium, "r", {"o3"}), context("P3"), clock_.now());
  const auto events = store.commit({*c}, std::nullopt);
  EXPECT_EQ(events.front().event_id, 13u);
  const auto after = store.events_after(last, 10);
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after.front().event_id, 13u);
}

TEST_F(AlertStoreTest, EventIdsPublishedBeforeAPowerLossAreNeverHandedOutAgain) {
  const auto position = [](std::uint64_t seq) { return std::make_pair(std::string("processor"), seq); };
  const auto change = [&](const std::string& patient, const std::string& obs) {
    return *book_.on_finding(finding("news2", Severity::medium, "r", {obs}), context(patient), clock_.now());
  };
  const std::filesystem::path durable = dir_.file("durable");
  std::uint64_t published_last = 0;
  {
    AlertStore store(file_, 100);
    // Extends the reservation, so it is fsynced: what is on disk now survives a power loss.
    store.commit({change("P1", "o1")}, position(1), AlertStore::Durability::replayable);
    std::filesystem::create_directories(durable);
    for (const auto& entry : std::filesystem::directory_iterator(dir_.path())) {
      // The WAL index (-shm) is shared memory, not data: a new start rebuilds it.
      if (entry.is_regular_file() && !entry.path().string().ends_with("-shm")) {
        std::filesystem::copy_file(entry.path(), durable / entry.path().filename());
      }
    }
    // Within the reservation: not fsynced, yet published to the stream with their ids.
    const auto lost = store.commit({change("P2", "o2"), change("P3", "o3")}, position(3),
                                   AlertStore::Durability::replayable);
    ASSERT_EQ(lost.size(), 2u);
    published_last = lost.back().event_id;
  }
  // The power loss: the files go back to what the last fsync left.
  std::vector<std::filesystem::path> written;
  for (const auto& entry : std::filesystem::directory_iterator(dir_.path())) {
    if (entry.is_regular_file()) written.push_back(entry.path());
  }
  for (const auto& path : written) std::filesystem::remove(path);
  for (const auto& entry : std::filesystem::directory_iterator(durable)) {
    std::filesystem::copy_file(entry.path(), dir_.path() / entry.path().filename());
  }

  AlertStore store(file_, 100);
  EXPECT_EQ(store.consumer_position("processor"), 1u);  // so the consumer replays records 2 and 3
  EXPECT_EQ(store.last_event_id(), 1u);
  // The replay, in a new process whose book comes from the store, stores the same changes again; a
  // client that saw the lost events and resumes after them receives the replayed ones instead of
  // skipping them.
  AlertBook restarted(store.load_unresolved(), AlertIdGenerator(12));
  const auto again = [&](const std::string& patient, const std::string& obs) {
    auto c =
        restarted.on_finding(finding("news2", Severity::medium, "r", {obs}), context(patient), clock_.now());
    EXPECT_TRUE(c);
    return c.value_or(AlertChange{});
  };
  const auto replayed =
      store.commit({again("P2", "o2"), again("P3", "o3")}, position(3), AlertStore::Durability::replayable);
  ASSERT_EQ(replayed.size(), 2u);
  EXPECT_GT(replayed.front().event_id, published_last);
  const auto resumed = store.events_after(published_last, 10);
  ASSERT_EQ(resumed.size(), 2u);
  EXPECT_EQ(resumed[0].event_id, replayed[0].event_id);
  EXPECT_EQ(resumed[1].event_id, replayed[1].event_id);
}

TEST_F(AlertStoreTest, AReplayableCommitMustCarryThePosition) {
  AlertStore store(file_);
  auto c = book_.on_finding(finding("news2", Severity::medium, "r", {"o1"}), context("P1"), clock_.now());
  EXPECT_THROW(store.commit({*c}, std::nullopt, AlertStore::Durability::replayable), std::invalid_argument);
  EXPECT_EQ(store.last_event_id(), 0u);
}

TEST(AlertStoreOpenTest, UnopenableFileNamesThePath) {
  testing::TempDir dir;
  const auto bad = dir.path() / "missing-dir" / "alerts.db";
  try {
    AlertStore store(bad);
    FAIL() << "expected AlertStoreError";
  } catch (const AlertStoreError& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr(bad.string()));
  }
}

}  // namespace
}  // namespace vigil::alerts

namespace vigil::alerts {
namespace {

// The writer checkpoints every kCheckpointPages (100) pages instead of SQLite's 1000, so the WAL,
// which SQLite reuses from its start after each checkpoint, stays near 400 KiB; with the default it
// grows to about 4 MiB. Several thousand commits of about 5 KB alerts pass 1000 pages many times.
TEST(AlertStoreCheckpointTest, TheWalIsCheckpointedInSmallBursts) {
  testing::TempDir dir;
  const auto file = dir.file("alerts.db");
  AlertStore store(file);
  AlertBook book({}, AlertIdGenerator(5));
  std::uint64_t seq = 0;
  for (int round = 0; round < 40; ++round) {
    for (int patient = 0; patient < 50; ++patient) {
      auto change = book.on_finding(
          testing::finding("news2", domain::Severity::high, "NEWS2 7",
                           {fmt::format("{:08x}-0000-4000-8000-{:012x}", round, patient)}),
          testing::context(fmt::format("P{}", patient)), testing::t0() + std::chrono::seconds(round));
      store.commit({*change}, std::make_pair(std::string("pipeline"), ++seq), AlertStore::Durability::replayable);
    }
  }
  const auto wal = std::filesystem::path(file.string() + "-wal");
  ASSERT_TRUE(std::filesystem::exists(wal));
  EXPECT_GT(std::filesystem::file_size(file), 1u << 20) << "the test must write more than the WAL keeps";
  EXPECT_LT(std::filesystem::file_size(wal), 1u << 20);
  EXPECT_EQ(store.consumer_position("pipeline"), seq);
}

}  // namespace
}  // namespace vigil::alerts
