// The SQLite store: the conformance suite, plus what only SQLite can show (tampering through a raw
// connection, migrations, reopening).
#include "store/sqlite_registry_store.h"

#include <sqlite3.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <mutex>

#include "store/conformance_test.h"

namespace vigil::store::testing {
namespace {

namespace fs = std::filesystem;
const std::string kKeyHex(64, 'a');

// Temporary directories removed when the test program ends (after every store is gone).
class TempDirs : public ::testing::Environment {
 public:
  static fs::path make() {
    std::string pattern = (fs::temp_directory_path() / "vigil-store-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    std::lock_guard lock(mutex_);
    dirs_.emplace_back(pattern);
    return dirs_.back();
  }
  void TearDown() override {
    std::lock_guard lock(mutex_);
    for (const auto& d : dirs_) fs::remove_all(d);
  }

 private:
  static inline std::mutex mutex_;
  static inline std::vector<fs::path> dirs_;
};
[[maybe_unused]] auto* const kTempDirs = ::testing::AddGlobalTestEnvironment(new TempDirs);

const Clock& sqlite_test_clock() {
  static ManualClock clock(TimePoint(Duration(1'780'000'000'000)));
  return clock;
}

std::unique_ptr<RegistryStore> make_sqlite_store() {
  SqliteStoreOptions options;
  options.path = TempDirs::make() / "registry.db";
  options.cipher = FieldCipher::from_hex(kKeyHex);
  return std::make_unique<SqliteRegistryStore>(std::move(options), sqlite_test_clock());
}

INSTANTIATE_TEST_SUITE_P(Sqlite, RegistryStoreConformance,
                         ::testing::Values(StoreFactory{"sqlite", make_sqlite_store}),
                         [](const auto& info) { return info.param.name; });

// A second connection that bypasses the store, as someone with file access would.
class RawDb {
 public:
  explicit RawDb(const fs::path& path) { sqlite3_open(path.c_str(), &db_); }
  ~RawDb() { sqlite3_close(db_); }
  int exec(const std::string& sql) { return sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr); }

 private:
  sqlite3* db_ = nullptr;
};

class SqliteStoreTest : public ::testing::Test {
 protected:
  std::unique_ptr<SqliteRegistryStore> open(
      std::optional<FieldCipher> cipher = FieldCipher::from_hex(kKeyHex)) {
    SqliteStoreOptions options;
    options.path = path_;
    options.cipher = std::move(cipher);
    return std::make_unique<SqliteRegistryStore>(std::move(options), clock_);
  }

  // Five records: trial, site, two patients, one enrolment.
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

  ManualClock clock_{TimePoint(Duration(1'780'000'000'000))};
  fs::path path_ = TempDirs::make() / "registry.db";
};

TEST_F(SqliteStoreTest, AuditRowsCannotBeChangedWithoutDroppingTheGuardTriggers) {
  auto store = open();
  populate(*store);
  RawDb raw(path_);
  EXPECT_NE(raw.exec("UPDATE audit_log SET actor = 'mallory' WHERE seq = 3"), SQLITE_OK);
  EXPECT_NE(raw.exec("DELETE FROM audit_log WHERE seq = 3"), SQLITE_OK);
  EXPECT_TRUE(store->verify_audit().ok);
}

TEST_F(SqliteStoreTest, TamperingWithAFieldIsReportedAtItsSeq) {
  auto store = open();
  populate(*store);
  RawDb raw(path_);
  ASSERT_EQ(raw.exec("DROP TRIGGER audit_log_no_update"), SQLITE_OK);
  ASSERT_EQ(
      raw.exec("UPDATE audit_log SET new_value = replace(new_value, 'screened', 'enrolled') WHERE seq = 3"),
      SQLITE_OK);
  const auto result = store->verify_audit();
  EXPECT_FALSE(result.ok);
  EXPECT_EQ(result.broken_seq, 3);
  EXPECT_EQ(result.problem, VerifyResult::Problem::hash_mismatch);
  EXPECT_EQ(result.checked, 2);
  EXPECT_NE(result.detail.find("3"), std::string::npos);
}

TEST_F(SqliteStoreTest, RecomputingTheTamperedHashBreaksTheNextLink) {
  auto store = open();
  populate(*store);
  RawDb raw(path_);
  ASSERT_EQ(raw.exec("DROP TRIGGER audit_log_no_update"), SQLITE_OK);
  // A forger who rewrites record 2's hash (as if recomputed) still breaks record 3's prev_hash.
  ASSERT_EQ(raw.exec("UPDATE audit_log SET hash = '" + std::string(64, 'f') + "' WHERE seq = 2"), SQLITE_OK);
  const auto result = store->verify_audit();
  EXPECT_FALSE(result.ok);
  EXPECT_EQ(result.broken_seq, 2);
  EXPECT_EQ(result.problem, VerifyResult::Problem::hash_mismatch);
}

TEST_F(SqliteStoreTest, DeletingAMiddleRowIsReportedAsAGap) {
  auto store = open();
  populate(*store);
  RawDb raw(path_);
  ASSERT_EQ(raw.exec("DROP TRIGGER audit_log_no_delete"), SQLITE_OK);
  ASSERT_EQ(raw.exec("DELETE FROM audit_log WHERE seq = 4"), SQLITE_OK);
  const auto result = store->verify_audit();
  EXPECT_FALSE(result.ok);
  EXPECT_EQ(result.broken_seq, 4);
  EXPECT_EQ(result.problem, VerifyResult::Problem::seq_gap);
}

TEST_F(SqliteStoreTest, MigrationsAreRecordedOnceAndDataSurvivesReopening) {
  { populate(*open()); }
  auto store = open();
  EXPECT_EQ(store->get_patient("P1")->status, registry::PatientStatus::enrolled);
  EXPECT_TRUE(store->verify_audit().ok);
  store->append_audit(AuditEntry{"a", "export.create", "export", "E1", std::nullopt, std::nullopt, ""});
  EXPECT_EQ(store->list_audit({}, {"", 100}).items.size(), 6u);

  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(
      sqlite3_prepare_v2(db, "SELECT COUNT(*), MAX(version) FROM schema_migrations", -1, &stmt, nullptr),
      SQLITE_OK);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(stmt, 0), 2);
  EXPECT_EQ(sqlite3_column_int(stmt, 1), 2);
  sqlite3_finalize(stmt);
  sqlite3_close(db);
}

TEST_F(SqliteStoreTest, ANewerSchemaIsRefused) {
  { open(); }
  RawDb(path_).exec("INSERT INTO schema_migrations (version, applied_at) VALUES (99, 'x')");
  try {
    open();
    FAIL() << "opened a database with a newer schema";
  } catch (const StoreError& e) {
    EXPECT_EQ(e.code(), StoreError::Code::unavailable);
    EXPECT_NE(std::string(e.what()).find("99"), std::string::npos);
  }
}

TEST_F(SqliteStoreTest, IdentitiesAreEncryptedAtRestAndNeedTheKey) {
  {
    auto store = open();
    populate(*store);
    store->set_patient_identity("P1", PatientIdentity{"Jane Plaintext", "NATID-0123456789"},
                                {"alice", "consent"});
  }
  // The plaintext appears nowhere in the file (main database and WAL).
  for (const auto& entry : fs::directory_iterator(path_.parent_path())) {
    std::ifstream in(entry.path(), std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(bytes.find("Plaintext"), std::string::npos) << entry.path();
    EXPECT_EQ(bytes.find("0123456789"), std::string::npos) << entry.path();
  }
  auto without_key = open(std::nullopt);
  EXPECT_THROW((void)without_key->masked_patient_identity("P1"), StoreError);
  EXPECT_THROW(without_key->set_patient_identity("P2", {"a", "b"}, {"alice", ""}), StoreError);
  without_key.reset();
  auto wrong_key = open(FieldCipher::from_hex(std::string(64, 'b')));
  try {
    (void)wrong_key->masked_patient_identity("P1");
    FAIL() << "decrypted with the wrong key";
  } catch (const StoreError& e) {
    EXPECT_EQ(e.code(), StoreError::Code::unavailable);
  }
  wrong_key.reset();
  EXPECT_EQ(open()->masked_patient_identity("P1")->national_id, "NATI********6789");
}

}  // namespace
}  // namespace vigil::store::testing
