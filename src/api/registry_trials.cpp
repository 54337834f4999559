// POST/GET /v1/trials, GET/PATCH /v1/trials/{id}, POST /v1/trials/{id}/status and
// GET /v1/trials/{id}/counts.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <set>

#include "api/access.h"
#include "api/registry_common.h"
#include "api/registry_json.h"
#include "http/problem.h"

namespace vigil::api::detail {
namespace {

using Reply = boost::asio::awaitable<std::optional<http::Response>>;
namespace json = boost::json;

constexpr std::array<std::string_view, 6> kPhases{"1", "1/2", "2", "2/3", "3", "4"};

std::optional<std::string> read_phase(BodyReader& body, Need need) {
  auto phase = body.text("phase", need, 8);
  if (phase && std::find(kPhases.begin(), kPhases.end(), *phase) == kPhases.end()) {
    body.add_error("phase", "must be one of 1, 1/2, 2, 2/3, 3, 4");
    return std::nullopt;
  }
  return phase;
}

std::optional<registry::TrialStatus> read_status(BodyReader& body, Need need) {
  auto text = body.text("status", need, 32);
  if (!text) return std::nullopt;
  auto status = registry::parse_trial_status(*text);
  if (!status)
    body.add_error("status", "must be planned, recruiting, active, suspended, completed or terminated");
  return status;
}

Reply create_trial(const RegistryRoutes& r, http::RequestContext& ctx) {
  if (auto denied = authorize(r.deps, ctx, "trial.create", "trial", auth::may_manage)) co_return denied;
  BodyReader body(ctx.request);
  if (body.failure()) co_return std::move(*body.failure());
  registry::Trial trial;
  trial.id = body.id("id", Need::required).value_or("");
  trial.name = body.text("name", Need::required, kMaxNameBytes).value_or("");
  trial.phase = read_phase(body, Need::required).value_or("");
  trial.status = read_status(body, Need::optional).value_or(registry::TrialStatus::planned);
  store::ChangeContext change{actor_of(ctx),
                              body.text("reason", Need::optional, kMaxReasonBytes).value_or("")};
  body.reject_unknown();
  if (!body.errors().empty()) co_return invalid_fields("invalid-trial", "Invalid trial", body.errors());
  auto work = [store = r.deps.store, trial, change] { return store->create_trial(trial, change); };
  auto outcome = co_await store_call(r, ctx, CallKind::write, std::move(work));
  if (outcome.problem) co_return std::move(outcome.problem);
  co_return created(to_json(*outcome.value), "/v1/trials/" + segment(outcome.value->id));
}

Reply list_trials(const RegistryRoutes& r, http::RequestContext& ctx) {
  // Everyone but devices and patients gets a (possibly empty) list of what they may see.
  if (auto denied = authorize(r.deps, ctx, "trial.list", "trial", [](const auth::Principal& p) {
        return auth::Decision{p.role != auth::Role::device && p.role != auth::Role::patient,
                              "staff lists trials"};
      })) {
    co_return denied;
  }
  QueryParams q(ctx.query);
  q.reject_unknown({"status", "cursor", "limit"});
  store::TrialFilter filter;
  if (auto s = q.text("status")) {
    filter.status = registry::parse_trial_status(*s);
    if (!filter.status)
      q.add_error("status", "must be planned, recruiting, active, suspended, completed or terminated");
  }
  const auto page = page_of(q);
  if (!q.errors().empty()) co_return invalid_query(q);
  const auth::Principal p = *ctx.principal;
  const bool everything =
      p.role == auth::Role::admin || (p.role == auth::Role::data_manager && p.trial_id.empty());
  auto work = [store = r.deps.store, p, everything, filter, page] {
    if (everything) return store->list_trials(filter, page);
    // Scoped callers see the few trials they work in, on one page.
    std::set<std::string> ids;
    if (p.role == auth::Role::data_manager) ids.insert(p.trial_id);
    for (const auto& site_id : p.sites) {
      if (auto site = store->get_site(site_id)) ids.insert(site->trial_id);
    }
    store::Page<registry::Trial> out;
    for (const auto& id : ids) {
      auto trial = store->get_trial(id);
      if (trial && (!filter.status || trial->status == *filter.status))
        out.items.push_back(std::move(*trial));
    }
    return out;
  };
  auto outcome = co_await store_call(r, ctx, CallKind::read, std::move(work));
  if (outcome.problem) co_return std::move(outcome.problem);
  co_return page_response("trials", *outcome.value,
                          [](const auto& t) { return to_json(t); });
}

Reply get_trial(const RegistryRoutes& r, http::RequestContext& ctx) {
  const auto id = path_param(ctx, "id");
  if (!id) co_return not_found("trial-not-found", "malformed trial id in the path");
  auto work = [store = r.deps.store, id = *id, sites = sites_of(ctx)] {
    auto trial = store->get_trial(id);
    const bool member = trial && works_in_trial(*store, sites, id);
    return std::make_pair(std::move(trial), member);
  };
  auto outcome = co_await store_call(r, ctx, CallKind::read, std::move(work));
  if (outcome.problem) co_return std::move(outcome.problem);
  auto& [trial, member] = *outcome.value;
  if (!trial) co_return not_found("trial-not-found", fmt::format("no trial '{}'", *id));
  if (auto denied = authorize(
          r.deps, ctx, "trial.read", "trial/" + *id,
          [&, member = member](const auth::Principal& p) { return may_read_trial(p, *id, member); })) {
    co_return denied;
  }
  co_return http::json_response(http::Status::ok, to_json(*trial));
}

Reply update_trial(const RegistryRoutes& r, http::RequestContext& ctx) {
  const auto id = path_param(ctx, "id");
  if (!id) co_return not_found("trial-not-found", "malformed trial id in the path");
  if (auto denied = authorize(r.deps, ctx, "trial.update", "trial/" + *id, auth::may_manage))
    co_return denied;
  BodyReader body(ctx.request);
  if (body.failure()) co_return std::move(*body.failure());
  auto name = body.text("name", Need::optional, kMaxNameBytes);
  if (name && name->empty()) body.add_error("name", "must not be empty");
  auto phase = read_phase(body, Need::optional);
  store::ChangeContext change{actor_of(ctx),
                              body.text("reason", Need::optional, kMaxReasonBytes).value_or("")};
  body.forbid("id", "a trial's id cannot change");
  body.forbid("status", "change the status with POST /v1/trials/{id}/status");
  body.reject_unknown();
  if (!body.errors().empty()) co_return invalid_fields("invalid-trial", "Invalid trial", body.errors());
  auto work = [store = r.deps.store, id = *id, name, phase, change] {
    auto trial = store->get_trial(id);
    if (!trial) throw store::StoreError(store::StoreError::Code::not_found, fmt::format("no trial '{}'", id));
    if (name) trial->name = *name;
    if (phase) trial->phase = *phase;
    return store->update_trial(*trial, change);
  };
  auto outcome = co_await store_call(r, ctx, CallKind::write, std::move(work));
  if (outcome.problem) co_return std::move(outcome.problem);
  co_return http::json_response(http::Status::ok, to_json(*outcome.value));
}

Reply set_trial_status(const RegistryRoutes& r, http::RequestContext& ctx) {
  const auto id = path_param(ctx, "id");
  if (!id) co_return not_found("trial-not-found", "malformed trial id in the path");
  if (auto denied = authorize(r.deps, ctx, "trial.status", "trial/" + *id, auth::may_manage))
    co_return denied;
  BodyReader body(ctx.request);
  if (body.failure()) co_return std::move(*body.failure());
  const auto to = read_status(body, Need::required);
  store::ChangeContext change{actor_of(ctx),
                              body.text("reason", Need::required, kMaxReasonBytes).value_or("")};
  body.reject_unknown();
  if (!body.errors().empty())
    co_return invalid_fields("invalid-status-change", "Invalid status change", body.errors());
  auto work = [store = r.deps.store, id = *id, to = *to, change] {
    auto change_status = [&] { return store->set_trial_status(id, to, change); };
    auto status_now = [&] {
      auto t = store->get_trial(id);
      return t ? std::string(registry::to_string(t->status)) : std::string();
    };
    return transition(change_status, status_now, std::string(registry::to_string(to)));
  };
  auto outcome = co_await store_call(r, ctx, CallKind::write, std::move(work));
  if (outcome.problem) co_return std::move(outcome.problem);
  co_return http::json_response(http::Status::ok, to_json(*outcome.value));
}

Reply trial_counts(const RegistryRoutes& r, http::RequestContext& ctx) {
  const auto id = path_param(ctx, "id");
  if (!id) co_return not_found("trial-not-found", "malformed trial id in the path");
  if (auto denied = authorize(r.deps, ctx, "trial.counts", "trial/" + *id,
                              [&](const auth::Principal& p) { return may_read_trial_totals(p, *id); })) {
    co_return denied;
  }
  auto work = [store = r.deps.store, id = *id] {
    if (!store->get_trial(id)) {
      throw store::StoreError(store::StoreError::Code::not_found, fmt::format("no trial '{}'", id));
    }
    return store->counts(id);
  };
  auto outcome = co_await store_call(r, ctx, CallKind::read, std::move(work));
  if (outcome.problem) co_return std::move(outcome.problem);
  co_return http::json_response(http::Status::ok, to_json(*outcome.value));
}

}  // namespace

void add_trial_routes(http::Router& router, const RegistryRoutes& r) {
  router.add(
      http::Verb::post, "/v1/trials", [r](http::RequestContext& ctx) { return create_trial(r, ctx); },
      kWriteRoute);
  router.add(
      http::Verb::get, "/v1/trials", [r](http::RequestContext& ctx) { return list_trials(r, ctx); },
      kReadRoute);
  router.add(
      http::Verb::get, "/v1/trials/{id}", [r](http::RequestContext& ctx) { return get_trial(r, ctx); },
      kReadRoute);
  router.add(
      http::Verb::patch, "/v1/trials/{id}", [r](http::RequestContext& ctx) { return update_trial(r, ctx); },
      kWriteRoute);
  router.add(
      http::Verb::post, "/v1/trials/{id}/status",
      [r](http::RequestContext& ctx) { return set_trial_status(r, ctx); }, kWriteRoute);
  router.add(
      http::Verb::get, "/v1/trials/{id}/counts",
      [r](http::RequestContext& ctx) { return trial_counts(r, ctx); }, kReadRoute);
}

}  // namespace vigil::api::detail
