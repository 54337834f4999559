#include "pipeline/processor.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "alerts/alert_service.h"
#include "alerts/test_support.h"
#include "log/sqlite_log.h"
#include "pipeline/test_support.h"
#include "registry/memory_registry.h"

namespace vigil::pipeline {
namespace {

using namespace std::chrono_literals;
using testing::append;
using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using testing::item;
using testing::kT0;
using testing::patient_id;
using ::testing::UnorderedElementsAre;
using testing::wait_until;

constexpr const char* kHeartRateRule = "threshold:8867-4";

class ProcessorTest : public ::testing::Test {
 protected:
  ProcessorTest() { open_stores(); }

  void open_stores() {
    log::SqliteLogOptions options;
    options.clock = &clock_;
    log_ = std::make_unique<log::SqliteLog>(dir_.file("intake.db"), options);
    alerts_ = std::make_unique<alerts::AlertService>(dir_.file("alerts.db"));
  }
  // What a restart does: everything closed, then opened again from the same files.
  void restart_stores() {
    processor_.reset();
    alerts_.reset();
    log_.reset();
    open_stores();
  }

  static ProcessorOptions options() {
    ProcessorOptions o;
    o.idle_wait = 5ms;
    o.retry_backoff = 5ms;
    o.max_retry_backoff = 50ms;
    return o;
  }
  Processor& start(ProcessorOptions o = options()) {
    processor_ = std::make_unique<Processor>(std::move(o), *log_, registry_, *alerts_, clock_);
    processor_->start();
    return *processor_;
  }

  template <typename... Readings>
  std::uint64_t append_all(const Readings&... readings) {
    return append(*log_, {item(readings)...});
  }

  void wait_for_position(std::uint64_t seq) {
    ASSERT_TRUE(wait_until([&] { return processor_->stats().position >= seq; }))
        << "position " << processor_->stats().position << ", want " << seq;
    EXPECT_EQ(processor_->stats().position, seq);
  }

  std::vector<alerts::Alert> alerts_of(const std::string& patient, const std::string& rule = "") {
    alerts::AlertFilter filter;
    filter.patient_id = patient;
    filter.limit = alerts::kMaxPageSize;
    auto page = alerts_->list(filter);
    std::vector<alerts::Alert> out;
    for (auto& a : alerts::testing::alerts_of(page)) {
      if (rule.empty() || a.rule_id == rule) out.push_back(std::move(a));
    }
    return out;
  }
  std::size_t alert_count() {
    alerts::AlertFilter filter;
    filter.limit = alerts::kMaxPageSize;
    auto page = alerts_->list(filter);
    EXPECT_FALSE(page.next_cursor);
    return page.documents.size();
  }

  testing::TempDir dir_;
  ManualClock clock_{kT0};
  registry::MemoryRegistry registry_{testing::trial()};
  testing::Readings readings_;
  std::unique_ptr<log::SqliteLog> log_;
  std::unique_ptr<alerts::AlertService> alerts_;
  std::unique_ptr<Processor> processor_;  // declared last: stopped before the stores close
};

TEST_F(ProcessorTest, ReadingPastThresholdOpensAlertWithContextAndAdvancesPosition) {
  const auto high = readings_.pulse(patient_id(1), 135, kT0);
  const auto last =
      append_all(readings_.pulse(patient_id(1), 80, kT0 - 1min), high,
                 readings_.pulse(patient_id(2), 70, kT0), readings_.pain(patient_id(3), 9, kT0));
  ASSERT_EQ(last, 4u);
  clock_.advance(1500ms);  // the records were appended at kT0: the latency below is exact

  std::mutex mu;
  std::vector<RoundInfo> rounds;
  auto o = options();
  o.on_round = [&](const RoundInfo& info) {
    std::lock_guard lock(mu);
    rounds.push_back(info);
  };
  start(std::move(o));
  wait_for_position(4);

  const auto alerts = alerts_of(patient_id(1), kHeartRateRule);
  ASSERT_EQ(alerts.size(), 1u);
  const auto& alert = alerts.front();
  EXPECT_EQ(alert.trial_id, "T1");
  EXPECT_EQ(alert.site_id, "S02");
  EXPECT_EQ(alert.patient_id, patient_id(1));
  EXPECT_EQ(alert.protocol_version, testing::kProtocolVersion);
  EXPECT_EQ(alert.severity, domain::Severity::high);
  EXPECT_EQ(alert.status, alerts::AlertStatus::open);
  EXPECT_THAT(alert.observation_ids, ElementsAre(high.id));
  EXPECT_EQ(alert.opened_at, clock_.now());
  // A questionnaire response goes through the rules too.
  EXPECT_EQ(alerts_of(patient_id(3), "epro:pain").size(), 1u);
  EXPECT_TRUE(alerts_of(patient_id(2)).empty());

  EXPECT_EQ(alerts_->consumer_position("pipeline"), 4u);
  const auto stats = processor_->stats();
  EXPECT_EQ(stats.records_processed, 4u);
  EXPECT_EQ(stats.records_skipped, 0u);
  EXPECT_EQ(stats.lag, 0u);
  EXPECT_GE(stats.rounds, 1u);
  EXPECT_GE(stats.findings, 3u);  // heart rate and NEWS2 (a pulse of 135 scores 3) for P-001, pain for P-003
  EXPECT_EQ(stats.last_latency_ms, 1500);
  EXPECT_EQ(stats.max_latency_ms, 1500);

  std::lock_guard lock(mu);
  ASSERT_FALSE(rounds.empty());
  EXPECT_EQ(rounds.back().kind, RoundInfo::Kind::records);
  EXPECT_EQ(rounds.back().last_seq, 4u);
  EXPECT_EQ(rounds.back().latency, 1500ms);
}

// Run by both ways a round is evaluated (processor.h, Small rounds): by the workers' threads, and
// on the consumer's thread against the same workers' state.
class RoundModeTest : public ProcessorTest, public ::testing::WithParamInterface<std::size_t> {};

INSTANTIATE_TEST_SUITE_P(RoundModes, RoundModeTest, ::testing::Values(std::size_t{0}, std::size_t{1000}),
                         [](const auto& info) { return info.param == 0 ? "OnWorkers" : "OnConsumer"; });

TEST_P(RoundModeTest, EachPatientIsSeenByOneWorkerInLogOrder) {
  constexpr int kPerPatient = 20;
  std::vector<log::AppendItem> items;
  std::map<std::string, std::vector<std::string>> ids;  // per patient, in log order
  for (int r = 0; r < kPerPatient; ++r) {
    for (int p = 0; p < testing::kPatients; ++p) {
      // Every reading is over the threshold, so each is merged into the patient's alert in the
      // order the findings were applied.
      const auto o = readings_.pulse(patient_id(p), 131 + r, kT0 + r * 1min + p * 1ms);
      ids[o.patient_id].push_back(o.id);
      items.push_back(item(o));
    }
  }
  const auto last = append(*log_, std::move(items));

  std::mutex mu;
  std::map<std::string, std::vector<std::pair<std::size_t, std::uint64_t>>> seen;  // (worker, seq)
  auto o = options();
  o.workers = 4;
  o.batch = 16;        // many rounds
  o.worker_queue = 4;  // and (on the workers) a consumer that keeps meeting full queues
  o.inline_round_records = GetParam();
  o.on_record_for_test = [&](std::size_t worker, const log::Record& record) {
    std::lock_guard lock(mu);
    seen[record.patient_id].emplace_back(worker, record.seq);
  };
  start(std::move(o));
  wait_for_position(last);

  std::lock_guard lock(mu);
  ASSERT_EQ(seen.size(), static_cast<std::size_t>(testing::kPatients));
  std::set<std::size_t> workers_used;
  for (const auto& [patient, visits] : seen) {
    ASSERT_EQ(visits.size(), static_cast<std::size_t>(kPerPatient)) << patient;
    for (std::size_t i = 0; i < visits.size(); ++i) {
      EXPECT_EQ(visits[i].first, visits[0].first) << patient << " moved to another worker";
      if (i > 0) {
        EXPECT_LT(visits[i - 1].second, visits[i].second) << patient << " out of log order";
      }
    }
    workers_used.insert(visits[0].first);
  }
  EXPECT_EQ(workers_used.size(), 4u);

  for (const auto& [patient, in_log_order] : ids) {
    const auto alerts = alerts_of(patient, kHeartRateRule);
    ASSERT_EQ(alerts.size(), 1u) << patient;
    EXPECT_THAT(alerts.front().observation_ids, ElementsAreArray(in_log_order)) << patient;
    EXPECT_EQ(alerts.front().count, static_cast<std::uint64_t>(kPerPatient));
  }
  EXPECT_EQ(processor_->stats().records_processed, last);
}

// Before the restart P-001 scores NEWS2 4 (RR 22 -> 2, pulse 115 -> 2: no alert); after it, SpO2 93
// (-> 2) makes 6, a medium alert, but only if the earlier readings were restored into the state.
class RestartTest : public ProcessorTest {
 protected:
  void run_before_restart() {
    p2_high_ = readings_.pulse(patient_id(2), 135, kT0);
    rr_ = readings_.respiration(patient_id(1), 22, kT0);
    pulse_ = readings_.pulse(patient_id(1), 115, kT0 + 1min);
    ASSERT_EQ(append_all(p2_high_, rr_, pulse_), 3u);
    start();
    wait_for_position(3);
    ASSERT_EQ(alerts_of(patient_id(2), kHeartRateRule).size(), 1u);
    ASSERT_TRUE(alerts_of(patient_id(1)).empty());
    events_before_ = alerts_->last_event_id();
    alerts_before_ = alert_count();
    restart_stores();
  }

  domain::Observation p2_high_, rr_, pulse_;
  std::uint64_t events_before_ = 0;
  std::size_t alerts_before_ = 0;
};

TEST_F(RestartTest, ContinuesFromThePositionWithRestoredStateAndNoDuplicates) {
  run_before_restart();
  const auto spo2 = readings_.spo2(patient_id(1), 93, kT0 + 2min);
  ASSERT_EQ(append_all(spo2), 4u);
  auto& processor = start();
  wait_for_position(4);

  const auto stats = processor.stats();
  EXPECT_EQ(stats.warmup_records, 3u);
  EXPECT_EQ(stats.records_processed, 1u);  // only the new record was processed live
  EXPECT_EQ(alerts_->consumer_position("pipeline"), 4u);

  const auto news2 = alerts_of(patient_id(1), "news2");
  ASSERT_EQ(news2.size(), 1u);
  EXPECT_EQ(news2.front().severity, domain::Severity::medium);
  EXPECT_THAT(news2.front().observation_ids, UnorderedElementsAre(rr_.id, spo2.id, pulse_.id));
  // Nothing from before the restart was raised again.
  const auto p2 = alerts_of(patient_id(2), kHeartRateRule);
  ASSERT_EQ(p2.size(), 1u);
  EXPECT_EQ(p2.front().count, 1u);
  EXPECT_EQ(alert_count(), alerts_before_ + 1);
  // One new event; its id is past the ids the first run reserved (see AlertStore::Durability).
  const auto events = alerts_->events_after(events_before_, 10);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events.front().kind, alerts::AlertEventKind::opened);
}

TEST_F(RestartTest, WarmupReplaysOnlyTheNewestCommittedRecords) {
  run_before_restart();
  // Only the pulse (seq 3) is replayed: without the respiration rate NEWS2 is 4 and raises nothing.
  const auto spo2 = readings_.spo2(patient_id(1), 93, kT0 + 2min);
  ASSERT_EQ(append_all(spo2), 4u);
  auto o = options();
  o.warmup_records = 1;
  auto& processor = start(std::move(o));
  wait_for_position(4);
  EXPECT_EQ(processor.stats().warmup_records, 1u);
  EXPECT_TRUE(alerts_of(patient_id(1), "news2").empty());
}

TEST_F(RestartTest, WithoutWarmupTheSameReadingRaisesNothing) {
  run_before_restart();
  ASSERT_EQ(append_all(readings_.spo2(patient_id(1), 93, kT0 + 2min)), 4u);
  auto o = options();
  o.warmup_records = 0;
  auto& processor = start(std::move(o));
  wait_for_position(4);
  EXPECT_EQ(processor.stats().warmup_records, 0u);
  EXPECT_TRUE(alerts_of(patient_id(1), "news2").empty());
}

TEST_F(ProcessorTest, ReplayingCommittedRecordsOpensNoSecondAlert) {
  const auto high = readings_.pulse(patient_id(5), 140, kT0);
  const auto last =
      append_all(readings_.pulse(patient_id(5), 90, kT0 - 1min), high, readings_.pain(patient_id(6), 9, kT0),
                 readings_.pulse(patient_id(7), 60, kT0));
  start();
  wait_for_position(last);
  const auto before = alerts_of(patient_id(5), kHeartRateRule);
  ASSERT_EQ(before.size(), 1u);
  const auto events = alerts_->last_event_id();
  const auto total = alert_count();

  // A crash after the effects were stored and before the position was: the position goes back.
  restart_stores();
  alerts_->apply({}, std::make_pair(std::string("pipeline"), std::uint64_t{0}), clock_.now());
  ASSERT_EQ(alerts_->consumer_position("pipeline"), 0u);
  clock_.advance(1h);
  auto& processor = start();
  wait_for_position(last);

  EXPECT_EQ(processor.stats().records_processed, last);  // every record was evaluated again
  const auto after = alerts_of(patient_id(5), kHeartRateRule);
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after.front().id, before.front().id);
  EXPECT_EQ(after.front().count, 1u);
  EXPECT_EQ(after.front().updated_at, before.front().updated_at);
  EXPECT_EQ(alert_count(), total);
  EXPECT_EQ(alerts_->last_event_id(), events);
}

TEST_F(ProcessorTest, MissingDataScanFlagsEnrolledPatientsAfterTheGapOnce) {
  auto o = options();
  o.missing_data_scan = 1min;
  auto& processor = start(std::move(o));
  ASSERT_EQ(append_all(readings_.pulse(patient_id(1), 80, kT0), readings_.pulse(patient_id(2), 80, kT0),
                       readings_.pulse("P-W", 80, kT0)),
            3u);
  wait_for_position(3);

  auto scan = [&](Duration by) {
    const auto scans = processor.stats().missing_data_scans;
    clock_.advance(by);
    ASSERT_TRUE(wait_until([&] { return processor.stats().missing_data_scans > scans; }));
  };
  scan(23h);  // within the 24 h gap
  EXPECT_EQ(alert_count(), 0u);

  ASSERT_EQ(append_all(readings_.pulse(patient_id(2), 80, kT0 + 23h)), 4u);
  wait_for_position(4);
  scan(1h + 1min);  // 24 h 1 min since P-001's reading, 1 h 1 min since P-002's

  const auto missing = alerts_of(patient_id(1), "missing-data");
  ASSERT_EQ(missing.size(), 1u);
  EXPECT_EQ(missing.front().severity, domain::Severity::low);
  EXPECT_EQ(missing.front().site_id, "S02");
  EXPECT_EQ(missing.front().protocol_version, testing::kProtocolVersion);
  EXPECT_EQ(missing.front().observed_at, kT0);
  EXPECT_TRUE(alerts_of(patient_id(2)).empty());
  EXPECT_TRUE(alerts_of("P-W").empty());  // withdrawn: no longer expected to send
  // Never sent anything: enrolled 30 days before the processor started, so silent since its start.
  const auto never = alerts_of(patient_id(3), "missing-data");
  ASSERT_EQ(never.size(), 1u);
  EXPECT_EQ(never.front().reason, "no reading since enrolment: none in 24 h (protocol allows 24 h)");
  EXPECT_EQ(never.front().observed_at, kT0);
  EXPECT_EQ(alerts_->consumer_position("pipeline"), 4u);

  // The same silence is not flagged again on every scan.
  const auto events = alerts_->last_event_id();
  scan(1min);
  EXPECT_EQ(alerts_->last_event_id(), events);
  EXPECT_EQ(alerts_of(patient_id(1), "missing-data").front().count, 1u);
  EXPECT_EQ(alerts_of(patient_id(3), "missing-data").front().count, 1u);
}

TEST_F(ProcessorTest, MissingDataScanJudgesPatientsWithoutStateOnTheirNewestStoredReading) {
  // P-001 sent once; the processor restarts without warm-up, so no worker holds its state.
  ASSERT_EQ(append_all(readings_.pulse(patient_id(1), 80, kT0)), 1u);
  {
    auto& first = start();
    (void)first;
    wait_for_position(1);
  }
  restart_stores();
  auto o = options();
  o.missing_data_scan = 1min;
  o.warmup_records = 0;
  std::vector<std::string> asked;
  std::mutex asked_mu;
  o.last_reading = [this, &asked, &asked_mu](std::string_view patient) -> std::optional<TimePoint> {
    {
      std::lock_guard lock(asked_mu);
      asked.emplace_back(patient);
    }
    const auto newest = log_->latest(patient, "", TimePoint{}, 1);
    if (newest.empty()) return std::nullopt;
    return newest.front().effective_time;
  };
  clock_.advance(2h);  // the processor starts two hours after the reading
  auto& processor = start(std::move(o));
  wait_for_position(1);  // the consumer runs, and has scheduled its first scan from this clock time
  auto scan = [&](Duration by) {
    const auto scans = processor.stats().missing_data_scans;
    clock_.advance(by);
    ASSERT_TRUE(wait_until([&] { return processor.stats().missing_data_scans > scans; }));
  };
  scan(22h + 1min);  // 24 h 1 min after P-001's reading, 22 h 1 min after the start
  const auto missing = alerts_of(patient_id(1), "missing-data");
  ASSERT_EQ(missing.size(), 1u);
  EXPECT_EQ(missing.front().reason, "no reading for 24 h (protocol allows 24 h)");
  EXPECT_EQ(missing.front().observed_at, kT0);
  EXPECT_TRUE(alerts_of(patient_id(2)).empty()) << "never sent: its 24 h run from the start, not yet";
  {
    std::lock_guard lock(asked_mu);
    EXPECT_NE(std::find(asked.begin(), asked.end(), patient_id(1)), asked.end());
    EXPECT_EQ(std::find(asked.begin(), asked.end(), "P-W"), asked.end())
        << "withdrawn patients are not asked";
  }
  scan(2h);  // 24 h 1 min after the start: now the patients who never sent
  EXPECT_EQ(alerts_of(patient_id(2), "missing-data").size(), 1u);
  EXPECT_EQ(alerts_of(patient_id(1), "missing-data").front().count, 1u) << "flagged once per silence";
}

TEST_F(ProcessorTest, SkipsAndCountsUnknownPatientsAndUndecodableRecords) {
  const auto high = readings_.pulse(patient_id(1), 135, kT0);
  auto garbage = item(readings_.pulse(patient_id(1), 70, kT0));
  garbage.payload = "{not json";
  auto other_patient = item(readings_.pulse(patient_id(2), 150, kT0));  // payload names P-002
  other_patient.patient_id = patient_id(1);
  const auto last =
      append(*log_, {item(readings_.pulse("P-NOBODY", 150, kT0)), garbage, other_patient, item(high)});
  ASSERT_EQ(last, 4u);

  auto& processor = start();
  wait_for_position(4);
  const auto stats = processor.stats();
  EXPECT_EQ(stats.unknown_patient, 1u);
  EXPECT_EQ(stats.undecodable, 2u);
  EXPECT_EQ(stats.records_skipped, 3u);
  EXPECT_EQ(stats.records_processed, 1u);
  EXPECT_TRUE(alerts_of("P-NOBODY").empty());
  EXPECT_TRUE(alerts_of(patient_id(2)).empty());
  const auto alerts = alerts_of(patient_id(1), kHeartRateRule);
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_THAT(alerts.front().observation_ids, ElementsAre(high.id));
}

TEST_F(ProcessorTest, RetriesARoundWhoseCommitFailsUntilItIsStored) {
  // Another connection holds the alert store's write lock, so commits fail (SQLITE_BUSY after the
  // store's busy timeout) until it lets go.
  sqlite3* locker = nullptr;
  ASSERT_EQ(sqlite3_open(dir_.file("alerts.db").c_str(), &locker), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(locker, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);

  std::atomic<std::size_t> attempts{0};
  auto o = options();
  o.on_round = [&](const RoundInfo& info) { attempts = info.store_attempts; };
  auto& processor = start(std::move(o));
  const auto high = readings_.pulse(patient_id(1), 135, kT0);
  ASSERT_EQ(append_all(high), 1u);
  const bool failed = wait_until([&] { return processor.stats().store_failures > 0; });
  EXPECT_EQ(alerts_->consumer_position("pipeline"), 0u);
  EXPECT_TRUE(alerts_of(patient_id(1)).empty());
  EXPECT_EQ(processor.stats().position, 0u);
  sqlite3_exec(locker, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(locker);
  ASSERT_TRUE(failed);

  wait_for_position(1);
  EXPECT_GE(attempts.load(), 2u);
  const auto alerts = alerts_of(patient_id(1), kHeartRateRule);
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_THAT(alerts.front().observation_ids, ElementsAre(high.id));
  EXPECT_EQ(alerts_->consumer_position("pipeline"), 1u);
}

TEST_F(ProcessorTest, StopIsIdempotentAndStartAfterStopDoesNothing) {
  Processor never_started(options(), *log_, registry_, *alerts_, clock_);
  never_started.stop();
  never_started.stop();

  auto& processor = start();
  ASSERT_EQ(append_all(readings_.pulse(patient_id(1), 80, kT0)), 1u);
  wait_for_position(1);
  processor.stop();
  processor.stop();
  processor.start();
  ASSERT_EQ(append_all(readings_.pulse(patient_id(1), 81, kT0 + 1min)), 2u);
  EXPECT_EQ(processor.stats().position, 1u);
  EXPECT_EQ(processor.stats().lag, 1u);
}

TEST_F(ProcessorTest, RejectsEmptyPools) {
  auto o = options();
  o.workers = 0;
  EXPECT_THROW({ Processor p(o, *log_, registry_, *alerts_, clock_); }, std::invalid_argument);
  o = options();
  o.batch = 0;
  EXPECT_THROW({ Processor p(o, *log_, registry_, *alerts_, clock_); }, std::invalid_argument);
  o = options();
  o.worker_queue = 0;
  EXPECT_THROW({ Processor p(o, *log_, registry_, *alerts_, clock_); }, std::invalid_argument);
  o = options();
  o.position_commit_records = 0;
  EXPECT_THROW({ Processor p(o, *log_, registry_, *alerts_, clock_); }, std::invalid_argument);
}

TEST_F(ProcessorTest, QuietRoundsStoreTheirPositionAfterEnoughRecordsWithAFindingAndOnStop) {
  auto o = options();
  o.position_commit_records = 3;
  o.position_flush_wait = std::chrono::hours(1);  // the log never stays quiet that long here
  auto& processor = start(std::move(o));
  ASSERT_EQ(append_all(readings_.pulse(patient_id(1), 70, kT0 - 3min)), 1u);
  ASSERT_EQ(append_all(readings_.pulse(patient_id(2), 72, kT0 - 2min)), 2u);
  ASSERT_TRUE(wait_until([&] { return processor.stats().records_processed == 2; }));
  // Two records that raised nothing: processed, their position not stored yet.
  EXPECT_EQ(processor.stats().position, 0u);
  EXPECT_EQ(processor.stats().lag, 2u);
  EXPECT_EQ(alerts_->consumer_position("pipeline"), 0u);

  ASSERT_EQ(append_all(readings_.pulse(patient_id(3), 74, kT0 - 1min)), 3u);  // three uncommitted
  wait_for_position(3);
  EXPECT_EQ(alerts_->consumer_position("pipeline"), 3u);

  // A round with a finding commits at once, with the position.
  ASSERT_EQ(append_all(readings_.pulse(patient_id(1), 135, kT0)), 4u);
  wait_for_position(4);
  EXPECT_EQ(alerts_of(patient_id(1), kHeartRateRule).size(), 1u);

  // stop() stores a deferred position: a restart replays nothing.
  ASSERT_EQ(append_all(readings_.pulse(patient_id(2), 75, kT0)), 5u);
  ASSERT_TRUE(wait_until([&] { return processor.stats().records_processed == 5; }));
  EXPECT_EQ(processor.stats().position, 4u);
  processor.stop();
  EXPECT_EQ(alerts_->consumer_position("pipeline"), 5u);
  EXPECT_EQ(processor.stats().position, 5u);
}

// Commit linger (processor.h): findings within the linger of the previous commit wait for it, and
// the rounds in between go into one transaction; stop() stores them.
TEST_F(ProcessorTest, FindingsWithinTheLingerOfTheLastCommitShareOneTransaction) {
  std::mutex mu;
  std::vector<RoundInfo> rounds;
  auto o = options();
  o.commit_linger = std::chrono::hours(1);  // never over here: only stop() ends it
  o.position_commit_records = 1000;
  o.on_round = [&](const RoundInfo& info) {
    std::lock_guard lock(mu);
    rounds.push_back(info);
  };
  auto& processor = start(std::move(o));
  // The first commit is not within a linger: it is stored at once.
  ASSERT_EQ(append_all(readings_.pulse(patient_id(1), 135, kT0 - 2min)), 1u);
  wait_for_position(1);
  // Two more alerting rounds: processed, held.
  ASSERT_EQ(append_all(readings_.pulse(patient_id(2), 140, kT0 - 1min)), 2u);
  ASSERT_TRUE(wait_until([&] { return processor.stats().records_processed == 2; }));
  ASSERT_EQ(append_all(readings_.pulse(patient_id(3), 150, kT0)), 3u);
  ASSERT_TRUE(wait_until([&] { return processor.stats().records_processed == 3; }));
  EXPECT_EQ(processor.stats().position, 1u);
  EXPECT_TRUE(alerts_of(patient_id(3), kHeartRateRule).empty());

  processor.stop();
  EXPECT_EQ(alerts_->consumer_position("pipeline"), 3u);
  EXPECT_EQ(alerts_of(patient_id(2), kHeartRateRule).size(), 1u);
  EXPECT_EQ(alerts_of(patient_id(3), kHeartRateRule).size(), 1u);
  std::lock_guard lock(mu);
  ASSERT_EQ(rounds.size(), 2u);  // not three: the held rounds were one transaction
  EXPECT_EQ(rounds[0].last_seq, 1u);
  EXPECT_EQ(rounds[1].first_seq, 2u);
  EXPECT_EQ(rounds[1].last_seq, 3u);
  EXPECT_GE(rounds[1].findings, 2u);  // each patient's heart rate (and NEWS2)
}

TEST_F(ProcessorTest, WithoutALingerEveryRoundWithFindingsCommitsAtOnce) {
  std::atomic<int> commits{0};
  auto o = options();
  o.commit_linger = 0ms;
  o.position_commit_records = 1000;
  o.position_flush_wait = std::chrono::hours(1);
  o.on_round = [&](const RoundInfo&) { ++commits; };
  start(std::move(o));
  for (int i = 1; i <= 3; ++i) {
    ASSERT_EQ(append_all(readings_.pulse(patient_id(i), 135, kT0 - std::chrono::minutes(3 - i))),
              static_cast<std::uint64_t>(i));
    wait_for_position(static_cast<std::uint64_t>(i));
    EXPECT_EQ(alerts_of(patient_id(i), kHeartRateRule).size(), 1u);
  }
  EXPECT_EQ(commits.load(), 3);
}

TEST_F(ProcessorTest, AQuietLogGetsTheDeferredPositionStored) {
  auto o = options();
  o.position_commit_records = 1000;
  o.position_flush_wait = 1ms;
  start(std::move(o));
  ASSERT_EQ(append_all(readings_.pulse(patient_id(1), 70, kT0), readings_.pulse(patient_id(2), 72, kT0)), 2u);
  wait_for_position(2);
  EXPECT_EQ(alerts_->consumer_position("pipeline"), 2u);
}

}  // namespace
}  // namespace vigil::pipeline
