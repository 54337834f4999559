// SqliteRegistryStore: encrypted patient identities.
#include <fmt/format.h>

#include "store/entity_json.h"
#include "store/rules.h"
#include "store/sqlite_registry_store.h"

namespace vigil::store {
namespace {

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

}  // namespace

void SqliteRegistryStore::set_patient_identity(std::string_view patient_id, const PatientIdentity& identity,
                                               const ChangeContext& ctx) {
  validate(ctx);
  check_text("full name", identity.full_name);
  check_text("national id", identity.national_id);
  if (!cipher_) {
    throw StoreError(StoreError::Code::unavailable,
                     "patient identities cannot be stored: no encryption key is configured");
  }
  write([&] {
    patient_locked(patient_id);
    std::optional<std::string> old_json;
    {
      auto q = db_.query("SELECT full_name, national_id FROM patient_identities WHERE patient_id = ?1");
      q.bind(1, patient_id);
      if (q.step()) {
        PatientIdentity old;
        old.full_name = mask(open_or_throw(*cipher_, q.text(0), patient_id, "full_name"));
        old.national_id = mask(open_or_throw(*cipher_, q.text(1), patient_id, "national_id"));
        old_json = to_json(patient_id, old);
      }
    }
    db_.query(
           "INSERT INTO patient_identities (patient_id, full_name, national_id) VALUES (?1, ?2, ?3) "
           "ON CONFLICT (patient_id) DO UPDATE SET full_name = excluded.full_name, "
           "national_id = excluded.national_id")
        .bind(1, patient_id)
        .bind_blob(2, cipher_->seal(identity.full_name, associated_data(patient_id, "full_name")))
        .bind_blob(3, cipher_->seal(identity.national_id, associated_data(patient_id, "national_id")))
        .run();
    const PatientIdentity masked{mask(identity.full_name), mask(identity.national_id)};
    audit_locked(ctx, "patient.set_identity", "patient", patient_id, std::move(old_json),
                 to_json(patient_id, masked));
  });
}

std::optional<PatientIdentity> SqliteRegistryStore::masked_patient_identity(std::string_view patient_id) {
  return read([&]() -> std::optional<PatientIdentity> {
    patient_locked(patient_id);
    auto q = db_.query("SELECT full_name, national_id FROM patient_identities WHERE patient_id = ?1");
    q.bind(1, patient_id);
    if (!q.step()) return std::nullopt;
    if (!cipher_) {
      throw StoreError(StoreError::Code::unavailable,
                       "patient identities cannot be read: no encryption key is configured");
    }
    PatientIdentity masked;
    masked.full_name = mask(open_or_throw(*cipher_, q.text(0), patient_id, "full_name"));
    masked.national_id = mask(open_or_throw(*cipher_, q.text(1), patient_id, "national_id"));
    return masked;
  });
}

}  // namespace vigil::store
