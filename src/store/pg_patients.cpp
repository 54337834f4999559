// PgRegistryStore: patients and their status changes.
#include <fmt/format.h>

#include "store/entity_json.h"
#include "store/pagination.h"
#include "store/pg_registry_store.h"
#include "store/rules.h"

namespace vigil::store {
namespace {

using registry::Patient;
using registry::PatientStatus;

#define VIGIL_PATIENT_SELECT \
  "SELECT id, trial_id, site_id, arm, status, enrolled_at_ms, spo2_scale FROM patients "

constexpr pg::Statement kGet{"patient.get", VIGIL_PATIENT_SELECT "WHERE id = $1"};
constexpr pg::Statement kGetUpdate{"patient.get_update",
                                   VIGIL_PATIENT_SELECT "WHERE id = $1 FOR NO KEY UPDATE"};
constexpr pg::Statement kInsert{"patient.insert",
                                "INSERT INTO patients (id, trial_id, site_id, arm, status, enrolled_at_ms, "
                                "spo2_scale) VALUES ($1, $2, $3, $4, $5, $6, $7)"};
constexpr pg::Statement kList{
    "patient.list", VIGIL_PATIENT_SELECT
    "WHERE ($1::text IS NULL OR trial_id = $1) AND ($2::text IS NULL OR site_id = $2) "
    "AND ($3::text IS NULL OR status = $3) AND id > $4 ORDER BY id LIMIT $5"};
constexpr pg::Statement kTransition{
    "patient.transition", "UPDATE patients SET status = $2, arm = $3, enrolled_at_ms = $4 WHERE id = $1"};
constexpr pg::Statement kSettings{"patient.settings", "UPDATE patients SET spo2_scale = $2 WHERE id = $1"};

Patient read_patient(const pg::Result& r, int row) {
  Patient p;
  p.id = r.text(row, 0);
  p.trial_id = r.text(row, 1);
  p.site_id = r.text(row, 2);
  p.arm = r.text(row, 3);
  const auto status = registry::parse_patient_status(r.text(row, 4));
  if (!status) {
    throw StoreError(StoreError::Code::unavailable, "the registry database holds an unknown patient status");
  }
  p.status = *status;
  p.enrolled_at = r.is_null(row, 5) ? TimePoint{} : TimePoint(Duration(r.integer(row, 5)));
  p.settings.spo2_scale = static_cast<int>(r.integer(row, 6));
  return p;
}

// The epoch means "never enrolled" and is stored as NULL.
pg::Param enrolled_at(TimePoint t) {
  if (t == TimePoint{}) return nullptr;
  return std::int64_t{t.time_since_epoch().count()};
}

std::optional<std::string> status_param(const std::optional<PatientStatus>& status) {
  if (!status) return std::nullopt;
  return std::string(registry::to_string(*status));
}

}  // namespace

std::optional<Patient> PgRegistryStore::find_patient(Conn& conn, std::string_view id, Lock lock) {
  const auto q = conn.exec(lock == Lock::none ? kGet : kGetUpdate, {id});
  if (q.empty()) return std::nullopt;
  return read_patient(q, 0);
}

Patient PgRegistryStore::patient_locked(Conn& conn, std::string_view id, Lock lock) {
  auto p = find_patient(conn, id, lock);
  if (!p) throw StoreError(StoreError::Code::not_found, fmt::format("patient '{}' not found", id));
  return *p;
}

Patient PgRegistryStore::create_patient(const Patient& patient, const ChangeContext& ctx) {
  validate(ctx);
  validate(patient);
  if (patient.status == PatientStatus::screened && patient.enrolled_at != TimePoint{}) {
    throw StoreError(StoreError::Code::invalid_argument,
                     fmt::format("patient '{}' is screened and cannot have an enrolment date", patient.id));
  }
  return write([&](Conn& conn) {
    check_trial_accepts_patients(trial_locked(conn, patient.trial_id, Lock::share));
    const auto site = site_locked(conn, patient.site_id, Lock::none);
    if (site.trial_id != patient.trial_id) {
      throw StoreError(StoreError::Code::invalid_argument,
                       fmt::format("site '{}' does not belong to trial '{}'", site.id, patient.trial_id));
    }
    Patient stored = patient;
    if (stored.status == PatientStatus::enrolled && stored.enrolled_at == TimePoint{}) {
      stored.enrolled_at = clock_.now();
    }
    conn.exec(kInsert,
              {stored.id, stored.trial_id, stored.site_id, stored.arm, registry::to_string(stored.status),
               enrolled_at(stored.enrolled_at), std::int64_t{stored.settings.spo2_scale}},
              fmt::format("patient '{}' already exists", stored.id));
    audit_locked(conn, ctx, "patient.create", "patient", stored.id, std::nullopt, to_json(stored));
    return stored;
  });
}

std::optional<Patient> PgRegistryStore::get_patient(std::string_view id) {
  return read([&](Conn& conn) { return find_patient(conn, id, Lock::none); });
}

Page<Patient> PgRegistryStore::list_patients(const PatientFilter& filter, const PageRequest& page) {
  validate(page);
  return read([&](Conn& conn) {
    const auto q = conn.exec(kList, {filter.trial_id, filter.site_id, status_param(filter.status),
                                     page.cursor, static_cast<std::int64_t>(page.limit + 1)});
    std::vector<Patient> rows;
    for (int i = 0; i < q.rows(); ++i) rows.push_back(read_patient(q, i));
    return finish_page(std::move(rows), page.limit, [](const Patient& p) { return p.id; });
  });
}

Patient PgRegistryStore::transition_patient_locked(Conn& conn, const Patient& before, Patient after,
                                                   std::string_view action, const ChangeContext& ctx) {
  check_patient_transition(before.id, before.status, after.status);
  conn.exec(kTransition,
            {after.id, registry::to_string(after.status), after.arm, enrolled_at(after.enrolled_at)});
  audit_locked(conn, ctx, action, "patient", after.id, to_json(before), to_json(after));
  return after;
}

Patient PgRegistryStore::enrol_patient(std::string_view id, const Enrolment& enrolment,
                                       const ChangeContext& ctx) {
  validate(ctx);
  check_text("arm", enrolment.arm);
  return write([&](Conn& conn) {
    const Patient before = patient_locked(conn, id, Lock::update);
    check_patient_transition(id, before.status, PatientStatus::enrolled);
    check_trial_accepts_patients(trial_locked(conn, before.trial_id, Lock::share));
    Patient after = before;
    after.status = PatientStatus::enrolled;
    after.arm = enrolment.arm;
    after.enrolled_at = enrolment.enrolled_at.value_or(clock_.now());
    return transition_patient_locked(conn, before, std::move(after), "patient.enrol", ctx);
  });
}

Patient PgRegistryStore::set_patient_status(std::string_view id, PatientStatus to, const ChangeContext& ctx) {
  if (to == PatientStatus::enrolled) {
    const auto current = get_patient(id);
    return enrol_patient(id, Enrolment{current ? current->arm : std::string(), std::nullopt}, ctx);
  }
  validate(ctx);
  return write([&](Conn& conn) {
    const Patient before = patient_locked(conn, id, Lock::update);
    Patient after = before;
    after.status = to;
    const char* action = to == PatientStatus::withdrawn   ? "patient.withdraw"
                         : to == PatientStatus::completed ? "patient.complete"
                                                          : "patient.set_status";
    return transition_patient_locked(conn, before, std::move(after), action, ctx);
  });
}

Patient PgRegistryStore::update_patient_settings(std::string_view id, const rules::PatientSettings& settings,
                                                 const ChangeContext& ctx) {
  validate(ctx);
  validate(settings);
  return write([&](Conn& conn) {
    const Patient before = patient_locked(conn, id, Lock::update);
    Patient after = before;
    after.settings = settings;
    conn.exec(kSettings, {id, std::int64_t{settings.spo2_scale}});
    audit_locked(conn, ctx, "patient.update_settings", "patient", id, to_json(before), to_json(after));
    return after;
  });
}

}  // namespace vigil::store
