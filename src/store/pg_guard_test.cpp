// The PostgreSQL store under pressure and attack: append-only triggers, tampering behind dropped
// triggers, pool exhaustion, lost connections and two processes appending to one chain.
#include <atomic>
#include <chrono>
#include <thread>

#include "store/pg_registry_store.h"
#include "store/pg_test_support.h"

namespace vigil::store::testing {
namespace {

using namespace std::chrono_literals;

class PostgresGuardTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!test_server()) GTEST_SKIP() << "VIGIL_TEST_PG is not set; run under scripts/with-postgres.sh";
    schema_ = make_test_schema();
  }

  // Five records: trial, site, patient P1 (seq 3), patient P2, the enrolment of P1.
  static void populate(RegistryStore& s) {
    const ChangeContext c{"alice", "setup"};
    s.create_trial(registry::Trial{"T1", "n", "1", registry::TrialStatus::recruiting}, c);
    s.create_site(registry::Site{"S1", "T1", "n", "GB", "Europe/London", "pi"}, c);
    for (const char* id : {"P1", "P2"}) {
      registry::Patient p;
      p.id = id;
      p.trial_id = "T1";
      p.site_id = "S1";
      p.status = registry::PatientStatus::screened;
      s.create_patient(p, c);
    }
    s.enrol_patient("P1", Enrolment{"A", std::nullopt}, c);
  }

  // Polls `sql` until it returns `expected`, for at most a generous deadline.
  static bool eventually(RawPg& raw, const std::string& sql, const std::string& expected) {
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    while (std::chrono::steady_clock::now() < deadline) {
      if (raw.value(sql) == expected) return true;
      std::this_thread::sleep_for(5ms);
    }
    return false;
  }

  ManualClock clock_{TimePoint(Duration(1'780'000'000'000))};
  TestSchema schema_;
};

TEST_F(PostgresGuardTest, TriggersRefuseUpdateDeleteAndTruncateEvenToASuperuser) {
  auto store = open_pg_store(schema_, clock_);
  populate(*store);
  RawPg raw(schema_.conninfo);
  EXPECT_EQ(raw.exec("UPDATE audit_log SET actor = 'mallory' WHERE seq = 3"), "42501");
  EXPECT_EQ(raw.exec("DELETE FROM audit_log WHERE seq = 3"), "42501");
  EXPECT_EQ(raw.exec("TRUNCATE audit_log"), "42501");
  EXPECT_EQ(raw.value("SELECT COUNT(*) FROM audit_log"), "5");
  EXPECT_TRUE(store->verify_audit().ok);
}

TEST_F(PostgresGuardTest, TamperingBehindADroppedTriggerIsReportedAtItsSeq) {
  auto store = open_pg_store(schema_, clock_);
  populate(*store);
  RawPg raw(schema_.conninfo);
  ASSERT_EQ(raw.exec("DROP TRIGGER audit_log_no_update ON audit_log"), "");
  ASSERT_EQ(
      raw.exec("UPDATE audit_log SET new_value = replace(new_value, 'screened', 'enrolled') WHERE seq = 3"),
      "");
  const auto result = store->verify_audit();
  EXPECT_FALSE(result.ok);
  EXPECT_EQ(result.broken_seq, 3);
  EXPECT_EQ(result.problem, VerifyResult::Problem::hash_mismatch);
  EXPECT_EQ(result.checked, 2);
  EXPECT_NE(result.detail.find("3"), std::string::npos);
}

TEST_F(PostgresGuardTest, DeletingAMiddleRowIsReportedAsAGap) {
  auto store = open_pg_store(schema_, clock_);
  populate(*store);
  RawPg raw(schema_.conninfo);
  ASSERT_EQ(raw.exec("DROP TRIGGER audit_log_no_delete ON audit_log"), "");
  ASSERT_EQ(raw.exec("DELETE FROM audit_log WHERE seq = 4"), "");
  const auto result = store->verify_audit();
  EXPECT_FALSE(result.ok);
  EXPECT_EQ(result.broken_seq, 4);
  EXPECT_EQ(result.problem, VerifyResult::Problem::seq_gap);
}

TEST_F(PostgresGuardTest, AnExhaustedPoolAnswersUnavailableAfterTheAcquireTimeout) {
  constexpr auto kAcquire = 200ms;
  auto store = open_pg_store(schema_, clock_, 1, kAcquire);
  // Hold the audit lock from outside, so that an append parks the store's only connection.
  RawPg raw(schema_.conninfo);
  ASSERT_EQ(raw.exec("SELECT pg_advisory_lock(1447642946, 'audit_log'::regclass::oid::integer)"), "");
  std::atomic<bool> appended{false};
  std::thread holder([&] {
    store->append_audit(AuditEntry{"a", "export.create", "export", "E1", std::nullopt, std::nullopt, ""});
    appended = true;
  });
  ASSERT_TRUE(eventually(raw,
                         "SELECT COUNT(*) FROM pg_stat_activity WHERE application_name = '" + schema_.name +
                             "' AND wait_event_type = 'Lock'",
                         "1"));
  const auto start = std::chrono::steady_clock::now();
  try {
    (void)store->get_trial("T1");
    ADD_FAILURE() << "got a connection from an exhausted pool";
  } catch (const StoreError& e) {
    EXPECT_EQ(e.code(), StoreError::Code::unavailable);
    EXPECT_NE(std::string(e.what()).find("busy"), std::string::npos) << e.what();
  }
  const auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_GE(waited, kAcquire);
  EXPECT_LT(waited, 30s) << "the wait must end at its deadline, not when the holder finishes";
  EXPECT_FALSE(appended.load());
  ASSERT_EQ(raw.exec("SELECT pg_advisory_unlock(1447642946, 'audit_log'::regclass::oid::integer)"), "");
  holder.join();
  EXPECT_TRUE(appended.load());
  EXPECT_FALSE(store->get_trial("T1"));  // the connection came back to the pool
  EXPECT_EQ(store->verify_audit().checked, 1);
}

TEST_F(PostgresGuardTest, ALostConnectionIsUnavailableOnceThenReplaced) {
  auto store = open_pg_store(schema_, clock_, 1);
  populate(*store);
  RawPg raw(*test_server());
  ASSERT_EQ(
      raw.value("SELECT COUNT(*) FROM pg_stat_activity WHERE application_name = '" + schema_.name + "'"),
      "1");
  ASSERT_EQ(raw.value("SELECT bool_and(pg_terminate_backend(pid, 10000)) FROM pg_stat_activity "
                      "WHERE application_name = '" +
                      schema_.name + "'"),
            "t");
  try {
    (void)store->get_trial("T1");
    ADD_FAILURE() << "a terminated connection answered";
  } catch (const StoreError& e) {
    EXPECT_EQ(e.code(), StoreError::Code::unavailable);
  }
  EXPECT_TRUE(store->get_trial("T1"));
  EXPECT_TRUE(store->verify_audit().ok);
}

TEST_F(PostgresGuardTest, TwoStoresOnOneDatabaseKeepOneGapFreeChain) {
  auto a = open_pg_store(schema_, clock_);
  auto b = open_pg_store(schema_, clock_);
  constexpr int kThreads = 4;
  constexpr int kEach = 25;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 2 * kThreads; ++t) {
    threads.emplace_back([&, t] {
      RegistryStore& s = t % 2 == 0 ? *a : *b;
      for (int i = 0; i < kEach; ++i) {
        try {
          s.append_audit(AuditEntry{"t" + std::to_string(t), "export.create", "export", std::to_string(i),
                                    std::nullopt, "{}", ""});
        } catch (const StoreError&) {
          ++failures;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  const auto result = b->verify_audit();
  EXPECT_TRUE(result.ok) << result.detail;
  EXPECT_EQ(result.checked, 2 * kThreads * kEach);
}

}  // namespace
}  // namespace vigil::store::testing
