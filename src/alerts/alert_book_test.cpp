#include "alerts/alert_book.h"

#include <gtest/gtest.h>

#include "alerts/test_support.h"

namespace vigil::alerts {
namespace {

using namespace std::chrono_literals;
using domain::Severity;
using testing::context;
using testing::finding;
using testing::t0;

class AlertBookTest : public ::testing::Test {
 protected:
  ManualClock clock_{t0()};
  AlertBook book_{{}, AlertIdGenerator(1)};
};

TEST_F(AlertBookTest, FirstFindingOpensAlert) {
  auto change = book_.on_finding(finding("news2", Severity::medium, "NEWS2 5", {"o1", "o2"}, t0() - 1s),
                                 context("P1"), clock_.now());
  ASSERT_TRUE(change);
  EXPECT_EQ(change->kind, AlertEventKind::opened);
  EXPECT_EQ(change->actor, kSystemActor);
  EXPECT_EQ(change->at, t0());
  const Alert& a = change->alert;
  EXPECT_EQ(a.id.substr(0, 3), "al_");
  EXPECT_EQ(a.status, AlertStatus::open);
  EXPECT_EQ(a.trial_id, "TRIAL-1");
  EXPECT_EQ(a.site_id, "site-01");
  EXPECT_EQ(a.patient_id, "P1");
  EXPECT_EQ(a.rule_id, "news2");
  EXPECT_EQ(a.severity, Severity::medium);
  EXPECT_EQ(a.count, 1u);
  EXPECT_EQ(a.protocol_version, 3);
  EXPECT_EQ(a.opened_at, t0());
  EXPECT_EQ(a.updated_at, t0());
  EXPECT_EQ(a.observed_at, t0() - 1s);
  EXPECT_EQ(a.observation_ids, (std::vector<std::string>{"o1", "o2"}));
  EXPECT_FALSE(a.severity_raised_at);
  EXPECT_EQ(book_.size(), 1u);
}

TEST_F(AlertBookTest, SecondFindingUpdatesAndSeverityKeepsMax) {
  auto opened =
      book_.on_finding(finding("news2", Severity::medium, "NEWS2 5", {"o1"}), context("P1"), clock_.now());
  clock_.advance(10min);
  auto risen = book_.on_finding(finding("news2", Severity::high, "NEWS2 7", {"o2"}, t0() + 9min),
                                context("P1"), clock_.now());
  ASSERT_TRUE(risen);
  EXPECT_EQ(risen->kind, AlertEventKind::updated);
  EXPECT_EQ(risen->alert.id, opened->alert.id);
  EXPECT_EQ(risen->alert.count, 2u);
  EXPECT_EQ(risen->alert.severity, Severity::high);
  EXPECT_EQ(risen->alert.severity_raised_at, t0() + 10min);
  EXPECT_EQ(risen->alert.reason, "NEWS2 7");
  EXPECT_EQ(risen->alert.opened_at, t0());
  EXPECT_EQ(risen->alert.updated_at, t0() + 10min);
  EXPECT_EQ(risen->alert.observed_at, t0() + 9min);
  // The update names the ids it merged; the alert's whole lists stay in the book until
  // fill_lists() (AlertChange::alert).
  EXPECT_EQ(risen->observation_ids, (std::vector<std::string>{"o2"}));
  EXPECT_TRUE(risen->alert.observation_ids.empty());
  EXPECT_EQ(book_.find(risen->alert.id)->observation_ids, (std::vector<std::string>{"o1", "o2"}));

  clock_.advance(10min);
  auto lower =
      book_.on_finding(finding("news2", Severity::low, "NEWS2 3", {"o3"}), context("P1"), clock_.now());
  ASSERT_TRUE(lower);
  EXPECT_EQ(lower->alert.count, 3u);
  EXPECT_EQ(lower->alert.severity, Severity::high);          // the max is kept
  EXPECT_EQ(lower->alert.severity_raised_at, t0() + 10min);  // it did not rise again
  EXPECT_EQ(lower->alert.reason, "NEWS2 3");                 // latest reason
  EXPECT_EQ(book_.size(), 1u);
}

TEST_F(AlertBookTest, OtherRuleOrPatientOpensItsOwnAlert) {
  auto a = book_.on_finding(finding("news2", Severity::medium, "r", {"o1"}), context("P1"), clock_.now());
  auto b =
      book_.on_finding(finding("ctcae:fever", Severity::medium, "r", {"o2"}), context("P1"), clock_.now());
  auto c = book_.on_finding(finding("news2", Severity::medium, "r", {"o3"}), context("P2"), clock_.now());
  EXPECT_EQ(b->kind, AlertEventKind::opened);
  EXPECT_EQ(c->kind, AlertEventKind::opened);
  EXPECT_NE(a->alert.id, b->alert.id);
  EXPECT_NE(a->alert.id, c->alert.id);
  EXPECT_EQ(book_.size(), 3u);
  EXPECT_EQ(book_.find("P2", "news2")->id, c->alert.id);
}

TEST_F(AlertBookTest, ReplayedReadingsDoNotInflateCount) {
  book_.on_finding(finding("news2", Severity::medium, "r", {"o1", "o2"}), context("P1"), clock_.now());
  EXPECT_FALSE(
      book_.on_finding(finding("news2", Severity::medium, "r", {"o2", "o1"}), context("P1"), clock_.now()));
  // Same readings scored higher (for instance under a new protocol) is still news.
  auto risen =
      book_.on_finding(finding("news2", Severity::critical, "r", {"o1"}), context("P1"), clock_.now());
  ASSERT_TRUE(risen);
  EXPECT_EQ(risen->alert.severity, Severity::critical);
  // A finding without readings (missing data) always counts.
  auto gap = book_.on_finding(finding("missing-data", Severity::low, "no data 24 h", {}), context("P1"),
                              clock_.now());
  auto gap2 = book_.on_finding(finding("missing-data", Severity::low, "no data 48 h", {}), context("P1"),
                               clock_.now());
  ASSERT_TRUE(gap2);
  EXPECT_EQ(gap2->alert.id, gap->alert.id);
  EXPECT_EQ(gap2->alert.count, 2u);
}

TEST_F(AlertBookTest, ObservationIdsAreBounded) {
  for (std::size_t i = 0; i < kMaxObservationIds + 10; ++i) {
    book_.on_finding(finding("news2", Severity::low, "r", {fmt::format("o{}", i)}), context("P1"),
                     clock_.now());
  }
  const Alert* a = book_.find("P1", "news2");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->count, kMaxObservationIds + 10);
  ASSERT_EQ(a->observation_ids.size(), kMaxObservationIds);
  EXPECT_EQ(a->observation_ids.front(), "o10");  // the oldest were dropped
  EXPECT_EQ(a->observation_ids.back(), fmt::format("o{}", kMaxObservationIds + 9));
}

TEST_F(AlertBookTest, AcknowledgeThenResolve) {
  auto opened = book_.on_finding(finding("news2", Severity::high, "r", {"o1"}), context("P1"), clock_.now());
  const std::string id = opened->alert.id;
  clock_.advance(2min);
  auto ack = book_.acknowledge(id, "dr.lee", "calling", clock_.now());
  ASSERT_EQ(ack.status, TransitionStatus::ok);
  EXPECT_EQ(ack.change->kind, AlertEventKind::acknowledged);
  EXPECT_EQ(ack.change->actor, "dr.lee");
  EXPECT_EQ(ack.change->note, "calling");
  EXPECT_EQ(ack.change->alert.status, AlertStatus::acknowledged);
  EXPECT_EQ(ack.change->alert.acknowledged->actor, "dr.lee");
  EXPECT_EQ(ack.change->alert.acknowledged->at, t0() + 2min);
  EXPECT_EQ(ack.change->alert.updated_at, t0() + 2min);

  // An acknowledged alert still absorbs findings and stays acknowledged.
  auto update = book_.on_finding(finding("news2", Severity::high, "r2", {"o2"}), context("P1"), clock_.now());
  EXPECT_EQ(update->alert.id, id);
  EXPECT_EQ(update->alert.status, AlertStatus::acknowledged);

  auto again = book_.acknowledge(id, "dr.lee", "", clock_.now());
  EXPECT_EQ(again.status, TransitionStatus::invalid_transition);
  EXPECT_FALSE(again.change);
  ASSERT_TRUE(again.current);
  EXPECT_EQ(again.current->status, AlertStatus::acknowledged);

  clock_.advance(1h);
  auto res = book_.resolve(id, "cra.kim", "stable", clock_.now());
  ASSERT_EQ(res.status, TransitionStatus::ok);
  EXPECT_EQ(res.change->alert.status, AlertStatus::resolved);
  EXPECT_EQ(res.change->alert.resolved->actor, "cra.kim");
  EXPECT_EQ(res.change->alert.acknowledged->actor, "dr.lee");  // history kept on the alert
  EXPECT_EQ(book_.size(), 0u);
  EXPECT_EQ(book_.find(id), nullptr);

  // Resolved alerts are not in the book: the service tells 409 from 404 through the store.
  EXPECT_EQ(book_.acknowledge(id, "dr.lee", "", clock_.now()).status, TransitionStatus::not_found);
  EXPECT_EQ(book_.resolve(id, "dr.lee", "", clock_.now()).status, TransitionStatus::not_found);
}

TEST_F(AlertBookTest, AnEscalationReopensAnAcknowledgedAlertAndALevelFindingDoesNot) {
  auto opened =
      book_.on_finding(finding("news2", Severity::medium, "NEWS2 5", {"o1"}), context("P1"), clock_.now());
  const std::string id = opened->alert.id;
  clock_.advance(1min);
  ASSERT_EQ(book_.acknowledge(id, "dr.lee", "seen", clock_.now()).status, TransitionStatus::ok);

  clock_.advance(1min);
  auto level =
      book_.on_finding(finding("news2", Severity::medium, "NEWS2 6", {"o2"}), context("P1"), clock_.now());
  ASSERT_TRUE(level);
  EXPECT_EQ(level->alert.status, AlertStatus::acknowledged)
      << "same severity: still covered by the acknowledgement";

  clock_.advance(1min);
  auto escalated =
      book_.on_finding(finding("news2", Severity::high, "NEWS2 7", {"o3"}), context("P1"), clock_.now());
  ASSERT_TRUE(escalated);
  EXPECT_EQ(escalated->kind, AlertEventKind::updated);
  EXPECT_EQ(escalated->alert.id, id);
  EXPECT_EQ(escalated->alert.status, AlertStatus::open);
  EXPECT_EQ(escalated->alert.severity, Severity::high);
  ASSERT_TRUE(escalated->alert.acknowledged);
  EXPECT_EQ(escalated->alert.acknowledged->actor, "dr.lee");  // who saw the lower severity, kept

  // Open again, it can be acknowledged again.
  EXPECT_EQ(book_.acknowledge(id, "dr.kim", "escalated", clock_.now()).status, TransitionStatus::ok);
}

TEST_F(AlertBookTest, OpenCanBeResolvedDirectly) {
  auto opened = book_.on_finding(finding("news2", Severity::high, "r", {"o1"}), context("P1"), clock_.now());
  auto res = book_.resolve(opened->alert.id, "dr.lee", "", clock_.now());
  ASSERT_EQ(res.status, TransitionStatus::ok);
  EXPECT_FALSE(res.change->alert.acknowledged);
  EXPECT_EQ(res.change->alert.status, AlertStatus::resolved);
}

TEST_F(AlertBookTest, FindingAfterResolveOpensNewAlert) {
  auto first = book_.on_finding(finding("news2", Severity::high, "r", {"o1"}), context("P1"), clock_.now());
  ASSERT_EQ(book_.resolve(first->alert.id, "dr.lee", "", clock_.now()).status, TransitionStatus::ok);
  clock_.advance(1h);
  auto second =
      book_.on_finding(finding("news2", Severity::medium, "r", {"o9"}), context("P1"), clock_.now());
  ASSERT_TRUE(second);
  EXPECT_EQ(second->kind, AlertEventKind::opened);
  EXPECT_NE(second->alert.id, first->alert.id);
  EXPECT_EQ(second->alert.count, 1u);
  EXPECT_EQ(second->alert.severity, Severity::medium);  // a new alert does not inherit the old max
}

TEST_F(AlertBookTest, UnknownIdIsNotFound) {
  EXPECT_EQ(book_.acknowledge("al_0000000000000000", "x", "", clock_.now()).status,
            TransitionStatus::not_found);
  EXPECT_EQ(book_.resolve("nope", "x", "", clock_.now()).status, TransitionStatus::not_found);
}

TEST_F(AlertBookTest, ResetRebuildsIndexAndDedupContinues) {
  auto opened =
      book_.on_finding(finding("news2", Severity::medium, "r", {"o1"}), context("P1"), clock_.now());
  Alert resolved = opened->alert;
  resolved.id = "al_resolved";
  resolved.patient_id = "P2";
  resolved.status = AlertStatus::resolved;

  AlertBook reloaded({opened->alert, resolved}, AlertIdGenerator(2));
  EXPECT_EQ(reloaded.size(), 1u);  // resolved alerts are not kept
  auto update =
      reloaded.on_finding(finding("news2", Severity::medium, "r", {"o2"}), context("P1"), clock_.now());
  EXPECT_EQ(update->kind, AlertEventKind::updated);
  EXPECT_EQ(update->alert.id, opened->alert.id);
  EXPECT_EQ(update->alert.count, 2u);
}

}  // namespace
}  // namespace vigil::alerts
