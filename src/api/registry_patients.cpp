// POST/GET /v1/patients, GET /v1/patients/{id}, PATCH /v1/patients/{id}/settings and
// PUT /v1/patients/{id}/identity. Status changes (enrol, withdraw, complete) are in
// registry_patient_status.cpp.
#include <fmt/format.h>

#include "api/access.h"
#include "api/registry_common.h"
#include "api/registry_json.h"
#include "http/problem.h"

namespace vigil::api::detail {
namespace {

using Reply = boost::asio::awaitable<std::optional<http::Response>>;
namespace json = boost::json;
using registry::PatientStatus;

Reply create_patient(const RegistryRoutes& r, http::RequestContext& ctx) {
  if (auto denied = authorize(r.deps, ctx, "patient.create", "patient", auth::may_manage)) co_return denied;
  BodyReader body(ctx.request);
  if (body.failure()) co_return std::move(*body.failure());
  registry::Patient patient;
  patient.id = body.id("id", Need::required).value_or("");
  patient.trial_id = body.id("trial_id", Need::required).value_or("");
  patient.site_id = body.id("site_id", Need::required).value_or("");
  patient.arm = body.text("arm", Need::optional, kMaxNameBytes).value_or("");
  patient.status = PatientStatus::screened;
  if (auto s = body.text("status", Need::optional, 32)) {
    if (*s == "enrolled") {
      patient.status = PatientStatus::enrolled;
    } else if (*s != "screened") {
      body.add_error("status", "must be screened or enrolled (later statuses are reached by their routes)");
    }
  }
  const auto enrolled_at = body.time("enrolled_at", Need::optional);
  if (enrolled_at && patient.status != PatientStatus::enrolled) {
    body.add_error("enrolled_at", "only for a patient created as enrolled");
  }
  patient.enrolled_at = enrolled_at.value_or(TimePoint{});  // the epoch: the store's now
  patient.settings.spo2_scale =
      static_cast<int>(body.integer("spo2_scale", Need::optional, 1, 2).value_or(1));
  store::ChangeContext change{actor_of(ctx),
                              body.text("reason", Need::optional, kMaxReasonBytes).value_or("")};
  body.reject_unknown();
  if (!body.errors().empty()) co_return invalid_fields("invalid-patient", "Invalid patient", body.errors());
  auto work = [store = r.deps.store, patient, change] { return store->create_patient(patient, change); };
  auto outcome = co_await store_call(r, ctx, CallKind::write, std::move(work));
  if (outcome.problem) co_return std::move(outcome.problem);
  co_return created(to_json(*outcome.value), "/v1/patients/" + segment(outcome.value->id));
}

Reply list_patients(const RegistryRoutes& r, http::RequestContext& ctx) {
  QueryParams q(ctx.query);
  q.reject_unknown({"trial", "site", "status", "cursor", "limit"});
  store::PatientFilter filter;
  filter.trial_id = q.non_empty("trial");
  filter.site_id = q.non_empty("site");
  if (auto s = q.text("status")) {
    filter.status = registry::parse_patient_status(*s);
    if (!filter.status) q.add_error("status", "must be screened, enrolled, withdrawn or completed");
  }
  const auto page = page_of(q);
  // Site staff list one of their sites; with a single site, it is implied.
  const auto* p = principal_of(ctx);
  const bool site_staff = p != nullptr && (p->role == auth::Role::investigator || p->role == auth::Role::cra);
  if (site_staff && !filter.site_id) {
    if (p->sites.empty()) {
      co_return deny_unless(r.deps, ctx,
                            auth::Decision{false, fmt::format("{} works at no site", p->subject)},
                            "patient.list", "site/*");
    }
    if (p->sites.size() == 1) {
      filter.site_id = p->sites.front();
    } else {
      q.add_error("site", "is required for investigators and CRAs who work at several sites");
    }
  }
  if (!q.errors().empty()) co_return invalid_query(q);
  if (p != nullptr && p->role == auth::Role::data_manager && !p->trial_id.empty() && !filter.trial_id) {
    filter.trial_id = p->trial_id;
  }
  const std::string entity =
      filter.site_id ? "site/" + *filter.site_id : "trial/" + filter.trial_id.value_or("*");
  if (auto denied = authorize(r.deps, ctx, "patient.list", entity, [&](const auth::Principal& pr) {
        if (site_staff) return auth::may_read_site(pr, filter.trial_id.value_or(""), *filter.site_id);
        return may_read_trial_totals(pr, filter.trial_id.value_or(""));
      })) {
    co_return denied;
  }
  auto work = [store = r.deps.store, filter, page] { return store->list_patients(filter, page); };
  auto outcome = co_await store_call(r, ctx, CallKind::read, std::move(work));
  if (outcome.problem) co_return std::move(outcome.problem);
  co_return page_response("patients", *outcome.value,
                          [](const auto& patient) { return to_json(patient); });
}

Reply get_patient(const RegistryRoutes& r, http::RequestContext& ctx) {
  const auto id = path_param(ctx, "id");
  if (!id) co_return not_found("patient-not-found", "malformed patient id in the path");
  auto load = [store = r.deps.store, id = *id] { return store->get_patient(id); };
  auto loaded = co_await store_call(r, ctx, CallKind::read, std::move(load));
  if (loaded.problem) co_return std::move(loaded.problem);
  const auto& patient = *loaded.value;
  if (!patient) co_return not_found("patient-not-found", fmt::format("no patient '{}'", *id));
  if (auto denied = authorize(r.deps, ctx, "patient.read", "patient/" + *id, [&](const auth::Principal& p) {
        return auth::may_read_site(p, patient->trial_id, patient->site_id);
      })) {
    co_return denied;
  }
  // The identity is read only once the caller may see the patient (and then only masked).
  auto identity = [store = r.deps.store, id = *id] { return store->masked_patient_identity(id); };
  auto masked = co_await store_call(r, ctx, CallKind::read, std::move(identity));
  if (masked.problem) co_return std::move(masked.problem);
  auto body = to_json(*patient);
  body["identity"] = to_json(*masked.value);
  co_return http::json_response(http::Status::ok, body);
}

Reply update_settings(const RegistryRoutes& r, http::RequestContext& ctx) {
  const auto id = path_param(ctx, "id");
  if (!id) co_return not_found("patient-not-found", "malformed patient id in the path");
  if (auto denied = authorize(r.deps, ctx, "patient.settings", "patient/" + *id, auth::may_manage))
    co_return denied;
  BodyReader body(ctx.request);
  if (body.failure()) co_return std::move(*body.failure());
  rules::PatientSettings settings;
  settings.spo2_scale = static_cast<int>(body.integer("spo2_scale", Need::required, 1, 2).value_or(1));
  store::ChangeContext change{actor_of(ctx),
                              body.text("reason", Need::optional, kMaxReasonBytes).value_or("")};
  body.reject_unknown();
  if (!body.errors().empty()) co_return invalid_fields("invalid-settings", "Invalid settings", body.errors());
  auto work = [store = r.deps.store, id = *id, settings, change] {
    return store->update_patient_settings(id, settings, change);
  };
  auto outcome = co_await store_call(r, ctx, CallKind::write, std::move(work));
  if (outcome.problem) co_return std::move(outcome.problem);
  co_return http::json_response(http::Status::ok, to_json(*outcome.value));
}

Reply set_identity(const RegistryRoutes& r, http::RequestContext& ctx) {
  const auto id = path_param(ctx, "id");
  if (!id) co_return not_found("patient-not-found", "malformed patient id in the path");
  if (auto denied = authorize(r.deps, ctx, "patient.identity", "patient/" + *id, auth::may_manage))
    co_return denied;
  BodyReader body(ctx.request);
  if (body.failure()) co_return std::move(*body.failure());
  store::PatientIdentity identity;
  identity.full_name = body.text("name", Need::required, kMaxNameBytes).value_or("");
  identity.national_id = body.text("national_id", Need::required, kMaxNameBytes).value_or("");
  store::ChangeContext change{actor_of(ctx),
                              body.text("reason", Need::optional, kMaxReasonBytes).value_or("")};
  body.reject_unknown();
  if (!body.errors().empty()) co_return invalid_fields("invalid-identity", "Invalid identity", body.errors());
  auto work = [store = r.deps.store, id = *id, identity, change] {
    store->set_patient_identity(id, identity, change);
    return store->masked_patient_identity(id);
  };
  auto outcome = co_await store_call(r, ctx, CallKind::write, std::move(work));
  if (outcome.problem) co_return std::move(outcome.problem);
  co_return http::json_response(http::Status::ok,
                                json::object{{"patient_id", *id}, {"identity", to_json(*outcome.value)}});
}

}  // namespace

void add_patient_registry_routes(http::Router& router, const RegistryRoutes& r) {
  router.add(
      http::Verb::post, "/v1/patients", [r](http::RequestContext& ctx) { return create_patient(r, ctx); },
      kWriteRoute);
  router.add(
      http::Verb::get, "/v1/patients", [r](http::RequestContext& ctx) { return list_patients(r, ctx); },
      kReadRoute);
  router.add(
      http::Verb::get, "/v1/patients/{id}", [r](http::RequestContext& ctx) { return get_patient(r, ctx); },
      kReadRoute);
  router.add(
      http::Verb::patch, "/v1/patients/{id}/settings",
      [r](http::RequestContext& ctx) { return update_settings(r, ctx); }, kWriteRoute);
  router.add(
      http::Verb::put, "/v1/patients/{id}/identity",
      [r](http::RequestContext& ctx) { return set_identity(r, ctx); }, kWriteRoute);
  add_patient_status_routes(router, r);
}

}  // namespace vigil::api::detail
