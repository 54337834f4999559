// POST /v1/patients/{id}/enrol, /withdraw and /complete: the patient status changes. A change the
// rules refuse is 409 invalid-transition with the patient's status at the time ("from") and the
// requested one ("to"), and changes nothing.
#include <fmt/format.h>

#include "api/access.h"
#include "api/registry_common.h"
#include "api/registry_json.h"
#include "http/problem.h"

namespace vigil::api::detail {
namespace {

using Reply = boost::asio::awaitable<std::optional<http::Response>>;
using registry::PatientStatus;

// Runs `change` on the pool as a status change towards `to`.
template <typename Change>
auto patient_transition(store::RegistryStore* store, std::string id, PatientStatus to, Change change) {
  return [store, id = std::move(id), to, change = std::move(change)] {
    auto run = [&] { return change(*store, id); };
    auto status_now = [&] {
      auto p = store->get_patient(id);
      return p ? std::string(registry::to_string(p->status)) : std::string();
    };
    return transition(run, status_now, std::string(registry::to_string(to)));
  };
}

Reply enrol(const RegistryRoutes& r, http::RequestContext& ctx) {
  const auto id = path_param(ctx, "id");
  if (!id) co_return not_found("patient-not-found", "malformed patient id in the path");
  if (auto denied = authorize(r.deps, ctx, "patient.enrol", "patient/" + *id, auth::may_manage))
    co_return denied;
  BodyReader body(ctx.request);
  if (body.failure()) co_return std::move(*body.failure());
  store::Enrolment enrolment;
  enrolment.arm = body.text("arm", Need::required, kMaxNameBytes).value_or("");
  enrolment.enrolled_at = body.time("enrolled_at", Need::optional);
  store::ChangeContext change{actor_of(ctx),
                              body.text("reason", Need::optional, kMaxReasonBytes).value_or("")};
  body.reject_unknown();
  if (!body.errors().empty())
    co_return invalid_fields("invalid-enrolment", "Invalid enrolment", body.errors());
  auto work = patient_transition(r.deps.store, *id, PatientStatus::enrolled,
                                 [enrolment, change](store::RegistryStore& s, const std::string& pid) {
                                   return s.enrol_patient(pid, enrolment, change);
                                 });
  auto outcome = co_await store_call(r, ctx, CallKind::write, std::move(work));
  if (outcome.problem) co_return std::move(outcome.problem);
  co_return http::json_response(http::Status::ok, to_json(*outcome.value));
}

// withdraw and complete: a reason is required, as it is what a monitor asks first.
Reply end_participation(const RegistryRoutes& r, PatientStatus to, http::RequestContext& ctx) {
  const auto id = path_param(ctx, "id");
  if (!id) co_return not_found("patient-not-found", "malformed patient id in the path");
  const auto action = to == PatientStatus::withdrawn ? "patient.withdraw" : "patient.complete";
  if (auto denied = authorize(r.deps, ctx, action, "patient/" + *id, auth::may_manage)) co_return denied;
  BodyReader body(ctx.request);
  if (body.failure()) co_return std::move(*body.failure());
  store::ChangeContext change{actor_of(ctx),
                              body.text("reason", Need::required, kMaxReasonBytes).value_or("")};
  body.reject_unknown();
  if (!body.errors().empty())
    co_return invalid_fields("invalid-status-change", "Invalid status change", body.errors());
  auto work = patient_transition(r.deps.store, *id, to,
                                 [to, change](store::RegistryStore& s, const std::string& pid) {
                                   return s.set_patient_status(pid, to, change);
                                 });
  auto outcome = co_await store_call(r, ctx, CallKind::write, std::move(work));
  if (outcome.problem) co_return std::move(outcome.problem);
  co_return http::json_response(http::Status::ok, to_json(*outcome.value));
}

}  // namespace

void add_patient_status_routes(http::Router& router, const RegistryRoutes& r) {
  router.add(
      http::Verb::post, "/v1/patients/{id}/enrol", [r](http::RequestContext& ctx) { return enrol(r, ctx); },
      kWriteRoute);
  router.add(
      http::Verb::post, "/v1/patients/{id}/withdraw",
      [r](http::RequestContext& ctx) { return end_participation(r, PatientStatus::withdrawn, ctx); },
      kWriteRoute);
  router.add(
      http::Verb::post, "/v1/patients/{id}/complete",
      [r](http::RequestContext& ctx) { return end_participation(r, PatientStatus::completed, ctx); },
      kWriteRoute);
}

}  // namespace vigil::api::detail
