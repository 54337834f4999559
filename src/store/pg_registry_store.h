#pragma once
// RegistryStore on PostgreSQL through libpq. The schema is migrated at construction
// (store/migrations_pg.h); every statement is prepared once per connection and takes its values as
// parameters (store/pg_conn.h).
//
// Consistency: every write runs in one READ COMMITTED transaction that locks the rows it reads
// before changing them (SELECT ... FOR UPDATE / FOR NO KEY UPDATE; the trial row FOR SHARE while a
// patient joins it) and appends its audit record last, under a transaction-scoped advisory lock
// keyed on the audit table, so that the chain's seq and prev_hash are read and written by one
// transaction at a time and commit in order. Reads that need several statements (counts, the audit
// walk) run in one REPEATABLE READ READ ONLY transaction: one snapshot.
//
// Thread safety: all methods may be called concurrently; each call borrows one connection from a
// bounded pool (PgOptions::pool_size) for its duration. Calls block on the network: use a blocking
// pool, never an I/O thread.
// Ownership: the Clock must outlive the store.
// Errors: StoreError (registry_store.h). A call that finds every connection busy for
// acquire_timeout, or cannot reach the server, throws unavailable. The constructor throws
// unavailable when the server cannot be reached or its schema is newer than this build.
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <type_traits>

#include "common/clock.h"
#include "store/field_cipher.h"
#include "store/pg_pool.h"
#include "store/registry_store.h"

namespace vigil::store {

struct PgOptions {
  // libpq connection string: "host=db.internal port=5432 dbname=vigil user=vigil" or a
  // postgresql:// URI. Put the store in a schema other than public with options='-c search_path=...'.
  std::string conninfo;
  std::size_t pool_size = 4;                        // connections at most; at least 1
  std::chrono::milliseconds connect_timeout{5000};  // per new connection (whole seconds, rounded up)
  std::chrono::milliseconds acquire_timeout{5000};  // a call's wait for a free connection
  std::optional<FieldCipher> cipher;                // without it set_patient_identity throws unavailable
};

class PgRegistryStore final : public RegistryStore {
 public:
  PgRegistryStore(PgOptions options, const Clock& clock);

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
  using Conn = pg::Conn;
  // How a row read inside a write transaction is locked until it commits.
  enum class Lock { none, share, update };

  // fn(Conn&) inside one transaction; commits when it returns, rolls back when it throws.
  template <typename Fn>
  auto in_transaction(pg::Transaction::Mode mode, Fn&& fn) {
    auto conn = pool_.acquire();
    pg::Transaction tx(*conn, mode);
    if constexpr (std::is_void_v<decltype(fn(*conn))>) {
      fn(*conn);
      tx.commit();
    } else {
      auto result = fn(*conn);
      tx.commit();
      return result;
    }
  }
  template <typename Fn>
  auto write(Fn&& fn) {
    return in_transaction(pg::Transaction::Mode::write, std::forward<Fn>(fn));
  }
  template <typename Fn>
  auto snapshot(Fn&& fn) {
    return in_transaction(pg::Transaction::Mode::snapshot, std::forward<Fn>(fn));
  }
  // fn(Conn&) for a read of ONE statement, which sees one snapshot without a transaction block.
  template <typename Fn>
  auto read(Fn&& fn) {
    auto conn = pool_.acquire();
    return fn(*conn);
  }

  void migrate();
  // Inside a write transaction, as its last statement: appends one chained record stamped with the
  // clock's now.
  AuditRecord audit_locked(Conn& conn, const AuditEntry& entry);
  AuditRecord audit_locked(Conn& conn, const ChangeContext& ctx, std::string_view action,
                           std::string_view entity_type, std::string_view entity_id,
                           std::optional<std::string> old_value, std::optional<std::string> new_value);
  // Load or throw not_found.
  registry::Trial trial_locked(Conn& conn, std::string_view id, Lock lock);
  registry::Site site_locked(Conn& conn, std::string_view id, Lock lock);
  registry::Patient patient_locked(Conn& conn, std::string_view id, Lock lock);
  Device device_locked(Conn& conn, std::string_view serial);  // FOR NO KEY UPDATE
  std::optional<registry::Patient> find_patient(Conn& conn, std::string_view id, Lock lock);
  std::optional<User> find_user(Conn& conn, std::string_view subject, Lock lock);
  registry::Patient transition_patient_locked(Conn& conn, const registry::Patient& before,
                                              registry::Patient after, std::string_view action,
                                              const ChangeContext& ctx);

  const Clock& clock_;
  const std::optional<FieldCipher> cipher_;
  pg::Pool pool_;
};

}  // namespace vigil::store
