#pragma once
// RegistryStore on one SQLite file (WAL, synchronous=FULL, foreign keys on). The schema is migrated
// at construction (store/migrations_sqlite.h).
//
// Thread safety: all methods may be called concurrently. They share ONE connection guarded by a
// mutex, so calls run one at a time: registry traffic is small (management API, intake lookups
// are cached above this), and one connection makes every read a consistent snapshot without a pool.
// verify_audit() holds the connection for its whole walk (one snapshot), delaying other calls.
// Writes use BEGIN IMMEDIATE so that another process on the same file waits (busy timeout) instead
// of failing half-way. Calls block on disk I/O: use a blocking pool.
// Ownership: the Clock must outlive the store.
// Errors: StoreError (registry_store.h); the constructor throws unavailable when the file cannot be
// opened or its schema is newer than this build.
#include <filesystem>
#include <mutex>
#include <optional>
#include <type_traits>

#include "common/clock.h"
#include "store/field_cipher.h"
#include "store/registry_store.h"
#include "store/sqlite_db.h"

namespace vigil::store {

struct SqliteStoreOptions {
  std::filesystem::path path;
  std::optional<FieldCipher> cipher;  // without it set_patient_identity throws unavailable
  int busy_timeout_ms = 5000;
};

class SqliteRegistryStore final : public RegistryStore {
 public:
  SqliteRegistryStore(SqliteStoreOptions options, const Clock& clock);

  registry::Trial create_trial(const registry::Trial& trial, const ChangeContext& ctx) override;
  std::optional<registry::Trial> get_trial(std::string_view id) override;
  Page<registry::Trial> list_trials(const TrialFilter& filter, const PageRequest& page) override;
  registry::Trial update_trial(const registry::Trial& trial, const ChangeContext& ctx) override;
  registry::Trial set_trial_status(std::string_view id, registry::TrialStatus to,
                                   const ChangeContext& ctx) override;
  TrialCounts counts(std::string_view trial_id) override;

  registry::Site create_site(const registry::Site& site, const ChangeContext& ctx) override;
  std::optional<registry::Site> get_site(std::string_view id) override;
  Page<registry::Site> list_sites(const SiteFilter& filter, const PageRequest& page) override;
  registry::Site update_site(const registry::Site& site, const ChangeContext& ctx) override;

  registry::Patient create_patient(const registry::Patient& patient, const ChangeContext& ctx) override;
  std::optional<registry::Patient> get_patient(std::string_view id) override;
  Page<registry::Patient> list_patients(const PatientFilter& filter, const PageRequest& page) override;
  registry::Patient enrol_patient(std::string_view id, const Enrolment& enrolment,
                                  const ChangeContext& ctx) override;
  registry::Patient set_patient_status(std::string_view id, registry::PatientStatus to,
                                       const ChangeContext& ctx) override;
  registry::Patient update_patient_settings(std::string_view id, const rules::PatientSettings& settings,
                                            const ChangeContext& ctx) override;
  void set_patient_identity(std::string_view patient_id, const PatientIdentity& identity,
                            const ChangeContext& ctx) override;
  std::optional<PatientIdentity> masked_patient_identity(std::string_view patient_id) override;

  Device create_device(const Device& device, const ChangeContext& ctx) override;
  std::optional<Device> get_device(std::string_view serial) override;
  Page<Device> list_devices(const DeviceFilter& filter, const PageRequest& page) override;
  Device bind_device(std::string_view serial, std::string_view patient_id, const ChangeContext& ctx) override;
  Device revoke_device(std::string_view serial, const ChangeContext& ctx) override;
  std::optional<Device> find_device_by_key_hash(std::string_view api_key_hash) override;

  User create_user(const User& user, const ChangeContext& ctx) override;
  std::optional<User> get_user(std::string_view subject) override;
  Page<User> list_users(const UserFilter& filter, const PageRequest& page) override;
  User update_user(const User& user, const ChangeContext& ctx) override;
  void delete_user(std::string_view subject, const ChangeContext& ctx) override;

  ProtocolVersion add_protocol_version(std::string_view trial_id, std::string_view document,
                                       const ChangeContext& ctx) override;
  std::optional<ProtocolVersion> get_protocol_version(std::string_view trial_id,
                                                      std::int64_t version) override;
  std::optional<ProtocolVersion> latest_protocol_version(std::string_view trial_id) override;
  Page<ProtocolVersion> list_protocol_versions(std::string_view trial_id, const PageRequest& page) override;

  AuditRecord append_audit(const AuditEntry& entry) override;
  Page<AuditRecord> list_audit(const AuditFilter& filter, const PageRequest& page) override;
  VerifyResult verify_audit() override;

 private:
  // Runs fn() inside one transaction under the mutex; commits when it returns, rolls back when it
  // throws.
  template <typename Fn>
  auto in_transaction(bool write, Fn&& fn) {
    std::lock_guard lock(mutex_);
    sqlite::Transaction tx(db_, write);
    if constexpr (std::is_void_v<decltype(fn())>) {
      fn();
      tx.commit();
    } else {
      auto result = fn();
      tx.commit();
      return result;
    }
  }
  template <typename Fn>
  auto write(Fn&& fn) {
    return in_transaction(true, std::forward<Fn>(fn));
  }
  template <typename Fn>
  auto read(Fn&& fn) {
    return in_transaction(false, std::forward<Fn>(fn));
  }

  void migrate();
  // Inside a write transaction: appends one chained record stamped with the clock's now.
  AuditRecord audit_locked(const AuditEntry& entry);
  AuditRecord audit_locked(const ChangeContext& ctx, std::string_view action, std::string_view entity_type,
                           std::string_view entity_id, std::optional<std::string> old_value,
                           std::optional<std::string> new_value);
  // Inside a transaction: loads or throws not_found.
  registry::Trial trial_locked(std::string_view id);
  registry::Site site_locked(std::string_view id);
  registry::Patient patient_locked(std::string_view id);
  Device device_locked(std::string_view serial);
  std::optional<Device> find_device_locked(const char* sql, std::string_view key);
  std::optional<User> user_locked(std::string_view subject);
  std::optional<registry::Patient> find_patient_locked(std::string_view id);
  registry::Patient transition_patient_locked(const registry::Patient& before, registry::Patient after,
                                              std::string_view action, const ChangeContext& ctx);

  const Clock& clock_;
  const std::optional<FieldCipher> cipher_;
  std::mutex mutex_;
  sqlite::Db db_;  // guarded by mutex_
};

}  // namespace vigil::store
