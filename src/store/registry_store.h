#pragma once
// RegistryStore: durable storage of the trial registry (trials, sites, patients, devices, staff
// users, versioned monitoring protocols) and of the 21 CFR Part 11 style audit trail.
//
// Every mutating call validates its input and the status rules (store/rules.h), makes the
// change and appends the matching audit record (old and new value as JSON, see store/entity_json.h)
// in ONE transaction: either both are durable or neither is. The audit trail is a SHA-256 hash chain
// (store/audit_chain.h); there is no method that changes or deletes an audit record.
//
// Implementations: SqliteRegistryStore (store/sqlite_registry_store.h); a PostgreSQL one must pass
// the same conformance suite (store/conformance_test.h).
//
// Thread safety: every method may be called from any number of threads concurrently. Calls block on
// disk or network I/O: call them from a blocking pool, never from an I/O thread.
// Errors: every failure throws StoreError (store/store_error.h); lookups by id that find nothing
// return std::nullopt instead. Listings are ordered by id (audit: by seq).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "registry/registry.h"
#include "rules/protocol.h"
#include "store/entities.h"
#include "store/store_error.h"

namespace vigil::store {

// The result of walking the audit chain from seq 1.
struct VerifyResult {
  enum class Problem { none, hash_mismatch, prev_hash_mismatch, seq_gap };
  bool ok = true;
  std::int64_t checked = 0;     // records that verified before the first problem (all when ok)
  std::int64_t broken_seq = 0;  // the first record that does not verify; 0 when ok
  Problem problem = Problem::none;
  std::string detail;  // one sentence, e.g. "record 7: stored hash does not match its fields"
};

class RegistryStore {
 public:
  virtual ~RegistryStore() = default;

  // --- trials. Creation accepts planned, recruiting, active or suspended (imports of running
  // trials); later changes go through set_trial_status. update_trial changes name and phase only.
  virtual registry::Trial create_trial(const registry::Trial& trial, const ChangeContext& ctx) = 0;
  [[nodiscard]] virtual std::optional<registry::Trial> get_trial(std::string_view id) = 0;
  [[nodiscard]] virtual Page<registry::Trial> list_trials(const TrialFilter& filter,
                                                          const PageRequest& page) = 0;
  virtual registry::Trial update_trial(const registry::Trial& trial, const ChangeContext& ctx) = 0;
  virtual registry::Trial set_trial_status(std::string_view id, registry::TrialStatus to,
                                           const ChangeContext& ctx) = 0;
  // Patients by status for the trial and each of its sites, from one consistent snapshot.
  [[nodiscard]] virtual TrialCounts counts(std::string_view trial_id) = 0;

  // --- sites. The trial may not change after creation.
  virtual registry::Site create_site(const registry::Site& site, const ChangeContext& ctx) = 0;
  [[nodiscard]] virtual std::optional<registry::Site> get_site(std::string_view id) = 0;
  [[nodiscard]] virtual Page<registry::Site> list_sites(const SiteFilter& filter,
                                                        const PageRequest& page) = 0;
  virtual registry::Site update_site(const registry::Site& site, const ChangeContext& ctx) = 0;

  // --- patients. create_patient screens a patient (status screened) or, for imports, registers
  // one already enrolled (status enrolled; enrolled_at of the epoch means "now"). New patients and
  // enrolments need the trial to be recruiting or active; the site must belong to the trial.
  virtual registry::Patient create_patient(const registry::Patient& patient, const ChangeContext& ctx) = 0;
  [[nodiscard]] virtual std::optional<registry::Patient> get_patient(std::string_view id) = 0;
  [[nodiscard]] virtual Page<registry::Patient> list_patients(const PatientFilter& filter,
                                                              const PageRequest& page) = 0;
  virtual registry::Patient enrol_patient(std::string_view id, const Enrolment& enrolment,
                                          const ChangeContext& ctx) = 0;
  // to: withdrawn or completed (enrolled only through enrol_patient).
  virtual registry::Patient set_patient_status(std::string_view id, registry::PatientStatus to,
                                               const ChangeContext& ctx) = 0;
  virtual registry::Patient update_patient_settings(std::string_view id,
                                                    const rules::PatientSettings& settings,
                                                    const ChangeContext& ctx) = 0;
  // Encrypts and stores (replaces) the patient's identity. Throws unavailable when the store has no
  // field key configured. The audit record holds the masked values only.
  virtual void set_patient_identity(std::string_view patient_id, const PatientIdentity& identity,
                                    const ChangeContext& ctx) = 0;
  // The identity with every field masked (field_cipher.h mask()); nullopt when none is stored.
  // Throws not_found for an unknown patient.
  [[nodiscard]] virtual std::optional<PatientIdentity> masked_patient_identity(
      std::string_view patient_id) = 0;

  // --- devices. api_key_hash is unique across all devices (conflict otherwise).
  virtual Device create_device(const Device& device, const ChangeContext& ctx) = 0;
  [[nodiscard]] virtual std::optional<Device> get_device(std::string_view serial) = 0;
  [[nodiscard]] virtual Page<Device> list_devices(const DeviceFilter& filter, const PageRequest& page) = 0;
  // Binds to a patient, or unbinds with an empty id. A revoked device cannot be bound.
  virtual Device bind_device(std::string_view serial, std::string_view patient_id,
                             const ChangeContext& ctx) = 0;
  // Permanent; revoking twice is invalid_transition.
  virtual Device revoke_device(std::string_view serial, const ChangeContext& ctx) = 0;
  // The device holding this key hash, revoked or not (the caller refuses revoked ones and can say
  // why); nullopt when no device has it.
  [[nodiscard]] virtual std::optional<Device> find_device_by_key_hash(std::string_view api_key_hash) = 0;

  // --- staff users. update_user replaces display name, role and site memberships.
  virtual User create_user(const User& user, const ChangeContext& ctx) = 0;
  [[nodiscard]] virtual std::optional<User> get_user(std::string_view subject) = 0;
  [[nodiscard]] virtual Page<User> list_users(const UserFilter& filter, const PageRequest& page) = 0;
  virtual User update_user(const User& user, const ChangeContext& ctx) = 0;
  virtual void delete_user(std::string_view subject, const ChangeContext& ctx) = 0;

  // --- monitoring protocols: each upload is a new version (max + 1) with author = ctx.actor.
  virtual ProtocolVersion add_protocol_version(std::string_view trial_id, std::string_view document,
                                               const ChangeContext& ctx) = 0;
  [[nodiscard]] virtual std::optional<ProtocolVersion> get_protocol_version(std::string_view trial_id,
                                                                            std::int64_t version) = 0;
  [[nodiscard]] virtual std::optional<ProtocolVersion> latest_protocol_version(std::string_view trial_id) = 0;
  // In increasing version order; the cursor is the last version number.
  [[nodiscard]] virtual Page<ProtocolVersion> list_protocol_versions(std::string_view trial_id,
                                                                     const PageRequest& page) = 0;

  // --- audit trail.
  // Appends an event that happened outside the registry (alert state change, export, failed
  // authorisation); returns the stored record with seq, time and hashes.
  virtual AuditRecord append_audit(const AuditEntry& entry) = 0;
  [[nodiscard]] virtual Page<AuditRecord> list_audit(const AuditFilter& filter, const PageRequest& page) = 0;
  // Walks the whole chain; reports the first record that does not verify.
  [[nodiscard]] virtual VerifyResult verify_audit() = 0;
};

}  // namespace vigil::store
