// SqliteRegistryStore: patients and their status changes.
#include <fmt/format.h>

#include "store/entity_json.h"
#include "store/pagination.h"
#include "store/rules.h"
#include "store/sqlite_registry_store.h"

namespace vigil::store {
namespace {

using registry::Patient;
using registry::PatientStatus;

constexpr const char* kSelectPatient =
    "SELECT id, trial_id, site_id, arm, status, enrolled_at_ms, spo2_scale FROM patients WHERE id = ?1";

Patient read_patient(const sqlite::Query& q) {
  Patient p;
  p.id = q.text(0);
  p.trial_id = q.text(1);
  p.site_id = q.text(2);
  p.arm = q.text(3);
  const auto status = registry::parse_patient_status(q.text(4));
  if (!status) {
    throw StoreError(StoreError::Code::unavailable, "the registry database holds an unknown patient status");
  }
  p.status = *status;
  p.enrolled_at = q.is_null(5) ? TimePoint{} : TimePoint(Duration(q.integer(5)));
  p.settings.spo2_scale = static_cast<int>(q.integer(6));
  return p;
}

void bind_enrolled_at(sqlite::Query& q, int index, TimePoint t) {
  if (t == TimePoint{}) {
    q.bind_null(index);
  } else {
    q.bind(index, static_cast<std::int64_t>(t.time_since_epoch().count()));
  }
}

}  // namespace

std::optional<Patient> SqliteRegistryStore::find_patient_locked(std::string_view id) {
  auto q = db_.query(kSelectPatient);
  q.bind(1, id);
  if (!q.step()) return std::nullopt;
  return read_patient(q);
}

Patient SqliteRegistryStore::patient_locked(std::string_view id) {
  auto p = find_patient_locked(id);
  if (!p) throw StoreError(StoreError::Code::not_found, fmt::format("patient '{}' not found", id));
  return *p;
}

Patient SqliteRegistryStore::create_patient(const Patient& patient, const ChangeContext& ctx) {
  validate(ctx);
  validate(patient);
  if (patient.status == PatientStatus::screened && patient.enrolled_at != TimePoint{}) {
    throw StoreError(StoreError::Code::invalid_argument,
                     fmt::format("patient '{}' is screened and cannot have an enrolment date", patient.id));
  }
  return write([&] {
    check_trial_accepts_patients(trial_locked(patient.trial_id));
    const auto site = site_locked(patient.site_id);
    if (site.trial_id != patient.trial_id) {
      throw StoreError(StoreError::Code::invalid_argument,
                       fmt::format("site '{}' does not belong to trial '{}'", site.id, patient.trial_id));
    }
    Patient stored = patient;
    if (stored.status == PatientStatus::enrolled && stored.enrolled_at == TimePoint{}) {
      stored.enrolled_at = clock_.now();
    }
    auto q = db_.query(
        "INSERT INTO patients (id, trial_id, site_id, arm, status, enrolled_at_ms, spo2_scale) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    q.bind(1, stored.id).bind(2, stored.trial_id).bind(3, stored.site_id).bind(4, stored.arm);
    q.bind(5, registry::to_string(stored.status));
    bind_enrolled_at(q, 6, stored.enrolled_at);
    q.bind(7, std::int64_t{stored.settings.spo2_scale});
    q.run(fmt::format("patient '{}' already exists", stored.id));
    audit_locked(ctx, "patient.create", "patient", stored.id, std::nullopt, to_json(stored));
    return stored;
  });
}

std::optional<Patient> SqliteRegistryStore::get_patient(std::string_view id) {
  return read([&] { return find_patient_locked(id); });
}

Page<Patient> SqliteRegistryStore::list_patients(const PatientFilter& filter, const PageRequest& page) {
  validate(page);
  return read([&] {
    auto q = db_.query(
        "SELECT id, trial_id, site_id, arm, status, enrolled_at_ms, spo2_scale FROM patients "
        "WHERE (?1 IS NULL OR trial_id = ?1) AND (?2 IS NULL OR site_id = ?2) AND (?3 IS NULL OR status = "
        "?3) "
        "AND id > ?4 ORDER BY id LIMIT ?5");
    q.bind_optional(1, filter.trial_id).bind_optional(2, filter.site_id);
    if (filter.status) {
      q.bind(3, registry::to_string(*filter.status));
    } else {
      q.bind_null(3);
    }
    q.bind(4, page.cursor).bind(5, static_cast<std::int64_t>(page.limit + 1));
    std::vector<Patient> rows;
    while (q.step()) rows.push_back(read_patient(q));
    return finish_page(std::move(rows), page.limit, [](const Patient& p) { return p.id; });
  });
}

Patient SqliteRegistryStore::transition_patient_locked(const Patient& before, Patient after,
                                                       std::string_view action, const ChangeContext& ctx) {
  check_patient_transition(before.id, before.status, after.status);
  auto q = db_.query("UPDATE patients SET status = ?2, arm = ?3, enrolled_at_ms = ?4 WHERE id = ?1");
  q.bind(1, after.id).bind(2, registry::to_string(after.status)).bind(3, after.arm);
  bind_enrolled_at(q, 4, after.enrolled_at);
  q.run();
  audit_locked(ctx, action, "patient", after.id, to_json(before), to_json(after));
  return after;
}

Patient SqliteRegistryStore::enrol_patient(std::string_view id, const Enrolment& enrolment,
                                           const ChangeContext& ctx) {
  validate(ctx);
  check_text("arm", enrolment.arm);
  return write([&] {
    const Patient before = patient_locked(id);
    check_patient_transition(id, before.status, PatientStatus::enrolled);
    check_trial_accepts_patients(trial_locked(before.trial_id));
    Patient after = before;
    after.status = PatientStatus::enrolled;
    after.arm = enrolment.arm;
    after.enrolled_at = enrolment.enrolled_at.value_or(clock_.now());
    return transition_patient_locked(before, std::move(after), "patient.enrol", ctx);
  });
}

Patient SqliteRegistryStore::set_patient_status(std::string_view id, PatientStatus to,
                                                const ChangeContext& ctx) {
  if (to == PatientStatus::enrolled) {
    const auto current = get_patient(id);
    return enrol_patient(id, Enrolment{current ? current->arm : std::string(), std::nullopt}, ctx);
  }
  validate(ctx);
  return write([&] {
    const Patient before = patient_locked(id);
    Patient after = before;
    after.status = to;
    const char* action = to == PatientStatus::withdrawn   ? "patient.withdraw"
                         : to == PatientStatus::completed ? "patient.complete"
                                                          : "patient.set_status";
    return transition_patient_locked(before, std::move(after), action, ctx);
  });
}

Patient SqliteRegistryStore::update_patient_settings(std::string_view id,
                                                     const rules::PatientSettings& settings,
                                                     const ChangeContext& ctx) {
  validate(ctx);
  validate(settings);
  return write([&] {
    const Patient before = patient_locked(id);
    Patient after = before;
    after.settings = settings;
    db_.query("UPDATE patients SET spo2_scale = ?2 WHERE id = ?1")
        .bind(1, id)
        .bind(2, std::int64_t{settings.spo2_scale})
        .run();
    audit_locked(ctx, "patient.update_settings", "patient", id, to_json(before), to_json(after));
    return after;
  });
}

}  // namespace vigil::store
