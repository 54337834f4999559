// PgRegistryStore: encrypted patient identities.
#include <fmt/format.h>

#include "store/entity_json.h"
#include "store/pg_registry_store.h"
#include "store/rules.h"

namespace vigil::store {
namespace {

constexpr pg::Statement kGet{"identity.get",
                             "SELECT full_name, national_id FROM patient_identities WHERE patient_id = $1"};
constexpr pg::Statement kUpsert{"identity.upsert",
                                "INSERT INTO patient_identities (patient_id, full_name, national_id) "
                                "VALUES ($1, $2, $3) ON CONFLICT (patient_id) DO UPDATE SET "
                                "full_name = EXCLUDED.full_name, national_id = EXCLUDED.national_id"};

std::string associated_data(std::string_view patient_id, std::string_view field) {
  return fmt::format("patient/{}/{}", patient_id, field);
}

std::string open_or_throw(const FieldCipher& cipher, const std::string& sealed, std::string_view patient_id,
                          std::string_view field) {
  auto plain = cipher.open(sealed, associated_data(patient_id, field));
  if (!plain) {
    throw StoreError(StoreError::Code::unavailable,
                     "a stored patient identity cannot be decrypted with the configured key");
  }
  return *plain;
}

PatientIdentity masked(const FieldCipher& cipher, const pg::Result& r, std::string_view patient_id) {
  return PatientIdentity{mask(open_or_throw(cipher, r.bytes(0, 0), patient_id, "full_name")),
                         mask(open_or_throw(cipher, r.bytes(0, 1), patient_id, "national_id"))};
}

}  // namespace

void PgRegistryStore::set_patient_identity(std::string_view patient_id, const PatientIdentity& identity,
                                           const ChangeContext& ctx) {
  validate(ctx);
  check_text("full name", identity.full_name);
  check_text("national id", identity.national_id);
  if (!cipher_) {
    throw StoreError(StoreError::Code::unavailable,
                     "patient identities cannot be stored: no encryption key is configured");
  }
  write([&](Conn& conn) {
    // The patient row lock orders concurrent replacements, so each audit record's old value is the
    // identity it actually replaced.
    patient_locked(conn, patient_id, Lock::update);
    std::optional<std::string> old_json;
    if (const auto q = conn.exec(kGet, {patient_id}); !q.empty()) {
      old_json = to_json(patient_id, masked(*cipher_, q, patient_id));
    }
    conn.exec(
        kUpsert,
        {patient_id,
         pg::Param::bytea(cipher_->seal(identity.full_name, associated_data(patient_id, "full_name"))),
         pg::Param::bytea(cipher_->seal(identity.national_id, associated_data(patient_id, "national_id")))});
    const PatientIdentity masked_now{mask(identity.full_name), mask(identity.national_id)};
    audit_locked(conn, ctx, "patient.set_identity", "patient", patient_id, std::move(old_json),
                 to_json(patient_id, masked_now));
  });
}

std::optional<PatientIdentity> PgRegistryStore::masked_patient_identity(std::string_view patient_id) {
  // Patient and identity from one snapshot.
  return snapshot([&](Conn& conn) -> std::optional<PatientIdentity> {
    patient_locked(conn, patient_id, Lock::none);
    const auto q = conn.exec(kGet, {patient_id});
    if (q.empty()) return std::nullopt;
    if (!cipher_) {
      throw StoreError(StoreError::Code::unavailable,
                       "patient identities cannot be read: no encryption key is configured");
    }
    return masked(*cipher_, q, patient_id);
  });
}

}  // namespace vigil::store
