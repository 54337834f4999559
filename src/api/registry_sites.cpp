// POST/GET /v1/trials/{id}/sites (a site belongs to one trial for life), GET/PATCH /v1/sites/{id}.
#include <fmt/format.h>

#include "api/access.h"
#include "api/registry_common.h"
#include "api/registry_json.h"
#include "http/problem.h"

namespace vigil::api::detail {
namespace {

using Reply = boost::asio::awaitable<std::optional<http::Response>>;
namespace json = boost::json;

// The editable fields; `need` is required on create and optional on PATCH.
void read_site_fields(BodyReader& body, Need need, registry::Site& site) {
  auto text = [&](std::string_view key, std::string& out) {
    if (auto v = body.text(key, need, kMaxNameBytes)) {
      if (v->empty()) body.add_error(std::string(key), "must not be empty");
      out = std::move(*v);
    }
  };
  text("name", site.name);
  text("timezone", site.timezone);
  text("principal_investigator", site.principal_investigator);
  if (auto c = body.text("country", need, 2)) {
    if (c->size() != 2 || (*c)[0] < 'A' || (*c)[0] > 'Z' || (*c)[1] < 'A' || (*c)[1] > 'Z') {
      body.add_error("country", "must be an ISO 3166-1 alpha-2 code such as GB");
    }
    site.country = std::move(*c);
  }
}

Reply create_site(const RegistryRoutes& r, http::RequestContext& ctx) {
  const auto trial_id = path_param(ctx, "id");
  if (!trial_id) co_return not_found("trial-not-found", "malformed trial id in the path");
  if (auto denied = authorize(r.deps, ctx, "site.create", "trial/" + *trial_id, auth::may_manage))
    co_return denied;
  BodyReader body(ctx.request);
  if (body.failure()) co_return std::move(*body.failure());
  registry::Site site;
  site.trial_id = *trial_id;
  site.id = body.id("id", Need::required).value_or("");
  read_site_fields(body, Need::required, site);
  store::ChangeContext change{actor_of(ctx),
                              body.text("reason", Need::optional, kMaxReasonBytes).value_or("")};
  body.forbid("trial_id", "the trial is the one in the path");
  body.reject_unknown();
  if (!body.errors().empty()) co_return invalid_fields("invalid-site", "Invalid site", body.errors());
  auto work = [store = r.deps.store, site, change] { return store->create_site(site, change); };
  auto outcome = co_await store_call(r, ctx, CallKind::write, std::move(work));
  if (outcome.problem) co_return std::move(outcome.problem);
  co_return created(to_json(*outcome.value), "/v1/sites/" + segment(outcome.value->id));
}

Reply list_sites(const RegistryRoutes& r, http::RequestContext& ctx) {
  const auto trial_id = path_param(ctx, "id");
  if (!trial_id) co_return not_found("trial-not-found", "malformed trial id in the path");
  QueryParams q(ctx.query);
  q.reject_unknown({"cursor", "limit"});
  const auto page = page_of(q);
  if (!q.errors().empty()) co_return invalid_query(q);
  // Investigators and CRAs get their own sites of the trial; trial-wide readers page through all.
  const auto* p = principal_of(ctx);
  const bool site_staff = p != nullptr && (p->role == auth::Role::investigator || p->role == auth::Role::cra);
  if (!site_staff) {
    if (auto denied =
            authorize(r.deps, ctx, "site.list", "trial/" + *trial_id,
                      [&](const auth::Principal& pr) { return may_read_trial_totals(pr, *trial_id); })) {
      co_return denied;
    }
  }
  auto work = [store = r.deps.store, trial_id = *trial_id, site_staff, sites = sites_of(ctx), page] {
    if (!store->get_trial(trial_id)) {
      throw store::StoreError(store::StoreError::Code::not_found, fmt::format("no trial '{}'", trial_id));
    }
    if (!site_staff) return store->list_sites(store::SiteFilter{trial_id}, page);
    store::Page<registry::Site> out;
    for (const auto& id : sites) {
      auto site = store->get_site(id);
      if (site && site->trial_id == trial_id) out.items.push_back(std::move(*site));
    }
    return out;
  };
  auto outcome = co_await store_call(r, ctx, CallKind::read, std::move(work));
  if (outcome.problem) co_return std::move(outcome.problem);
  co_return page_response("sites", *outcome.value,
                          [](const auto& s) { return to_json(s); });
}

Reply get_site(const RegistryRoutes& r, http::RequestContext& ctx) {
  const auto id = path_param(ctx, "id");
  if (!id) co_return not_found("site-not-found", "malformed site id in the path");
  auto work = [store = r.deps.store, id = *id] { return store->get_site(id); };
  auto outcome = co_await store_call(r, ctx, CallKind::read, std::move(work));
  if (outcome.problem) co_return std::move(outcome.problem);
  const auto& site = *outcome.value;
  if (!site) co_return not_found("site-not-found", fmt::format("no site '{}'", *id));
  if (auto denied = authorize(r.deps, ctx, "site.read", "site/" + *id, [&](const auth::Principal& p) {
        return auth::may_read_site(p, site->trial_id, site->id);
      })) {
    co_return denied;
  }
  co_return http::json_response(http::Status::ok, to_json(*site));
}

Reply update_site(const RegistryRoutes& r, http::RequestContext& ctx) {
  const auto id = path_param(ctx, "id");
  if (!id) co_return not_found("site-not-found", "malformed site id in the path");
  if (auto denied = authorize(r.deps, ctx, "site.update", "site/" + *id, auth::may_manage)) co_return denied;
  BodyReader body(ctx.request);
  if (body.failure()) co_return std::move(*body.failure());
  // Read into a blank site, then apply only the fields that were sent.
  registry::Site patch;
  read_site_fields(body, Need::optional, patch);
  const bool name = body.has("name"), timezone = body.has("timezone"),
             pi = body.has("principal_investigator"), country = body.has("country");
  store::ChangeContext change{actor_of(ctx),
                              body.text("reason", Need::optional, kMaxReasonBytes).value_or("")};
  body.forbid("id", "a site's id cannot change");
  body.forbid("trial_id", "a site's trial cannot change");
  body.reject_unknown();
  if (!body.errors().empty()) co_return invalid_fields("invalid-site", "Invalid site", body.errors());
  auto work = [store = r.deps.store, id = *id, patch, name, timezone, pi, country, change] {
    auto site = store->get_site(id);
    if (!site) throw store::StoreError(store::StoreError::Code::not_found, fmt::format("no site '{}'", id));
    if (name) site->name = patch.name;
    if (timezone) site->timezone = patch.timezone;
    if (pi) site->principal_investigator = patch.principal_investigator;
    if (country) site->country = patch.country;
    return store->update_site(*site, change);
  };
  auto outcome = co_await store_call(r, ctx, CallKind::write, std::move(work));
  if (outcome.problem) co_return std::move(outcome.problem);
  co_return http::json_response(http::Status::ok, to_json(*outcome.value));
}

}  // namespace

void add_site_routes(http::Router& router, const RegistryRoutes& r) {
  router.add(
      http::Verb::post, "/v1/trials/{id}/sites",
      [r](http::RequestContext& ctx) { return create_site(r, ctx); }, kWriteRoute);
  router.add(
      http::Verb::get, "/v1/trials/{id}/sites", [r](http::RequestContext& ctx) { return list_sites(r, ctx); },
      kReadRoute);
  router.add(
      http::Verb::get, "/v1/sites/{id}", [r](http::RequestContext& ctx) { return get_site(r, ctx); },
      kReadRoute);
  router.add(
      http::Verb::patch, "/v1/sites/{id}", [r](http::RequestContext& ctx) { return update_site(r, ctx); },
      kWriteRoute);
}

}  // namespace vigil::api::detail
