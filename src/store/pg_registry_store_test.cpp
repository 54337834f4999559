// The PostgreSQL store: the conformance suite on a fresh schema per test, plus migrations,
// encryption at rest and connection failures. Without VIGIL_TEST_PG every test here skips; run them
// with scripts/with-postgres.sh (ctest entry vigil_store_pg_test).
#include "store/pg_registry_store.h"

#include "store/conformance_test.h"
#include "store/pg_test_support.h"

namespace vigil::store::testing {
namespace {

const Clock& pg_test_clock() {
  static ManualClock clock(TimePoint(Duration(1'780'000'000'000)));
  return clock;
}

std::unique_ptr<RegistryStore> make_pg_store() {
  if (!test_server()) return nullptr;
  return open_pg_store(make_test_schema(), pg_test_clock());
}

INSTANTIATE_TEST_SUITE_P(Postgres, RegistryStoreConformance,
                         ::testing::Values(StoreFactory{"postgres", make_pg_store}),
                         [](const auto& info) { return info.param.name; });

class PostgresStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!test_server()) GTEST_SKIP() << "VIGIL_TEST_PG is not set; run under scripts/with-postgres.sh";
    schema_ = make_test_schema();
  }

  std::unique_ptr<PgRegistryStore> open() { return open_pg_store(schema_, clock_); }

  ManualClock clock_{TimePoint(Duration(1'780'000'000'000))};
  TestSchema schema_;
};

void populate(RegistryStore& s) {
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

TEST_F(PostgresStoreTest, MigrationsAreRecordedOnceAndDataSurvivesReopening) {
  { populate(*open()); }
  auto store = open();
  EXPECT_EQ(store->get_patient("P1")->status, registry::PatientStatus::enrolled);
  EXPECT_TRUE(store->verify_audit().ok);
  RawPg raw(schema_.conninfo);
  EXPECT_EQ(raw.value("SELECT COUNT(*) || '/' || MAX(version) FROM schema_migrations"), "2/2");
  EXPECT_EQ(raw.value("SELECT to_char(MIN(applied_at) AT TIME ZONE 'UTC', 'YYYY') FROM schema_migrations"),
            "2026");
}

TEST_F(PostgresStoreTest, ANewerSchemaIsRefused) {
  { open(); }
  RawPg(schema_.conninfo).exec("INSERT INTO schema_migrations (version, applied_at) VALUES (99, now())");
  try {
    open();
    FAIL() << "opened a database with a newer schema";
  } catch (const StoreError& e) {
    EXPECT_EQ(e.code(), StoreError::Code::unavailable);
    EXPECT_NE(std::string(e.what()).find("99"), std::string::npos);
  }
}

TEST_F(PostgresStoreTest, IdentitiesAreEncryptedAtRestAndNeedTheKey) {
  auto store = open();
  populate(*store);
  store->set_patient_identity("P1", PatientIdentity{"Jane Plaintext", "NATID-0123456789"},
                              {"alice", "consent"});
  RawPg raw(schema_.conninfo);
  EXPECT_EQ(
      raw.value("SELECT COUNT(*) FROM patient_identities WHERE position('Plaintext'::bytea IN full_name) "
                "> 0 OR position('0123456789'::bytea IN national_id) > 0"),
      "0");
  EXPECT_EQ(raw.value("SELECT length(national_id) FROM patient_identities"),
            std::to_string(FieldCipher::kNonceSize + 16 + FieldCipher::kTagSize));

  PgOptions options;
  options.conninfo = schema_.conninfo;
  PgRegistryStore without_key(options, clock_);
  EXPECT_THROW((void)without_key.masked_patient_identity("P1"), StoreError);
  EXPECT_THROW(without_key.set_patient_identity("P2", {"a", "b"}, {"alice", ""}), StoreError);
  options.cipher = FieldCipher::from_hex(std::string(64, 'b'));
  PgRegistryStore wrong_key(options, clock_);
  try {
    (void)wrong_key.masked_patient_identity("P1");
    FAIL() << "decrypted with the wrong key";
  } catch (const StoreError& e) {
    EXPECT_EQ(e.code(), StoreError::Code::unavailable);
  }
  EXPECT_EQ(store->masked_patient_identity("P1")->national_id, "NATI********6789");
}

TEST_F(PostgresStoreTest, ErrorsNeverCarrySqlOrServerText) {
  auto store = open();
  populate(*store);
  std::string message;
  try {
    store->create_trial(registry::Trial{"T1", "n", "1", registry::TrialStatus::planned}, {"alice", ""});
  } catch (const StoreError& e) {
    EXPECT_EQ(e.code(), StoreError::Code::conflict);
    message = e.what();
  }
  EXPECT_EQ(message, "trial 'T1' already exists");
  // Invalid UTF-8 is refused by the server as a data exception: invalid_argument, no server text.
  try {
    (void)store->get_trial("\xff\xfe");
    FAIL() << "invalid UTF-8 accepted";
  } catch (const StoreError& e) {
    EXPECT_EQ(e.code(), StoreError::Code::invalid_argument);
    EXPECT_EQ(std::string(e.what()).find("SELECT"), std::string::npos);
  }
  EXPECT_TRUE(store->get_trial("T1"));  // the connection survived the error
}

TEST(PostgresUnreachable, ConstructionFailsAsUnavailable) {
  ManualClock clock(TimePoint{});
  PgOptions options;
  options.conninfo = "host=127.0.0.1 port=1 user=vigil dbname=postgres";  // nothing listens on port 1
  options.connect_timeout = std::chrono::seconds(2);
  try {
    PgRegistryStore store(options, clock);
    FAIL() << "connected to a closed port";
  } catch (const StoreError& e) {
    EXPECT_EQ(e.code(), StoreError::Code::unavailable);
    EXPECT_EQ(std::string(e.what()).find("127.0.0.1"), std::string::npos) << "no connection details";
  }
}

}  // namespace
}  // namespace vigil::store::testing
