#pragma once
// The records a RegistryStore keeps besides registry::Trial, Site and Patient (which it reuses), and
// the small value types of its interface (pages, filters, change context, counts).
//
// All are plain values: copying one never shares state with the store.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "registry/registry.h"

namespace vigil::store {

// Who makes a change and why; every mutating call takes one and it ends up in the audit record.
// `actor` is the authenticated subject (user subject, device serial or "system:<component>").
struct ChangeContext {
  std::string actor;
  std::string reason;
};

// One page of a listing. `next_cursor` is empty on the last page; otherwise pass it back as
// PageRequest::cursor to get the next one. Cursors are opaque to callers.
template <typename T>
struct Page {
  std::vector<T> items;
  std::string next_cursor;
};

struct PageRequest {
  std::string cursor;       // empty: the first page
  std::size_t limit = 100;  // 1 ..= kMaxPageLimit, else StoreError::invalid_argument
};
inline constexpr std::size_t kMaxPageLimit = 1000;

// A wearable or home device that posts observations for one patient.
struct Device {
  std::string serial;
  std::string type;        // e.g. "pulse-oximeter"
  std::string patient_id;  // empty when not bound to a patient
  // The store never sees the API key itself: callers hash it (auth module) and pass the hash.
  std::string api_key_hash;
  bool revoked = false;
  TimePoint created_at{};  // set by the store from its clock; ignored on create
  std::optional<TimePoint> revoked_at;
};

enum class Role { investigator, cra, data_manager, admin };
// "investigator", "cra", "data-manager", "admin".
std::string_view to_string(Role role);
std::optional<Role> parse_role(std::string_view text);

struct User {
  std::string subject;  // the identity provider's stable subject ("sub" claim)
  std::string display_name;
  Role role = Role::investigator;
  std::vector<std::string> site_ids;  // memberships, sorted by the store
};

// One immutable version of a trial's monitoring protocol. Versions count 1, 2, ... per trial.
struct ProtocolVersion {
  std::string trial_id;
  std::int64_t version = 0;
  std::string author;  // ChangeContext::actor of the upload
  std::string reason;
  TimePoint created_at{};
  std::string document;  // the YAML exactly as uploaded
};

// Directly identifying data, kept only when a site must hold it. Stored encrypted
// (store/field_cipher.h); the store only ever returns it masked.
struct PatientIdentity {
  std::string full_name;
  std::string national_id;
};

// What a caller appends to the audit trail; the store adds seq, time and the hash chain.
struct AuditEntry {
  std::string actor;
  std::string action;       // "<entity>.<verb>", e.g. "patient.enrol", "alert.acknowledge"
  std::string entity_type;  // "trial", "site", "patient", "device", "user", "protocol", ...
  std::string entity_id;
  std::optional<std::string> old_value;  // JSON text, or null when the entity did not exist
  std::optional<std::string> new_value;  // JSON text, or null when the entity was deleted
  std::string reason;
};

// One row of the audit trail. `hash` is audit_chain.h's record_hash() over every other field.
struct AuditRecord {
  std::int64_t seq = 0;  // 1, 2, 3, ... without gaps
  std::string actor;
  TimePoint at{};  // server time; serialized as RFC 3339 UTC with milliseconds
  std::string action;
  std::string entity_type;
  std::string entity_id;
  std::optional<std::string> old_value;
  std::optional<std::string> new_value;
  std::string reason;
  std::string prev_hash;  // the previous record's hash; 64 '0' for seq 1
  std::string hash;       // lowercase hex SHA-256
};

// Listing filters: an unset member matches everything.
struct TrialFilter {
  std::optional<registry::TrialStatus> status;
};
struct SiteFilter {
  std::optional<std::string> trial_id;
};
struct PatientFilter {
  std::optional<std::string> trial_id;
  std::optional<std::string> site_id;
  std::optional<registry::PatientStatus> status;
};
struct DeviceFilter {
  std::optional<std::string> patient_id;
};
struct UserFilter {
  std::optional<std::string> site_id;
};
struct AuditFilter {
  std::optional<std::string> entity_type;
  std::optional<std::string> entity_id;
};

// Patients by status. The store computes them from the patient rows in one snapshot, so they
// always agree with a listing taken at the same moment.
struct StatusCounts {
  std::int64_t screened = 0;
  std::int64_t enrolled = 0;
  std::int64_t withdrawn = 0;
  std::int64_t completed = 0;

  [[nodiscard]] std::int64_t total() const { return screened + enrolled + withdrawn + completed; }
  bool operator==(const StatusCounts&) const = default;
};

struct SiteCounts {
  std::string site_id;
  StatusCounts counts;
};

struct TrialCounts {
  std::string trial_id;
  StatusCounts counts;
  std::vector<SiteCounts> sites;  // every site of the trial, by site id, zeros included
};

// Enrolment details; `enrolled_at` defaults to the store clock's now (back-dated entry allowed).
struct Enrolment {
  std::string arm;
  std::optional<TimePoint> enrolled_at;
};

}  // namespace vigil::store
