// POST/GET /v1/users, GET/PUT/DELETE /v1/users/{subject}: staff accounts (the identity provider's
// subject, a role and site memberships). PUT replaces display name, role and sites together.
#include <fmt/format.h>

#include "api/access.h"
#include "api/registry_common.h"
#include "api/registry_json.h"
#include "http/problem.h"

namespace vigil::api::detail {
namespace {

using Reply = boost::asio::awaitable<std::optional<http::Response>>;
namespace json = boost::json;

// display_name, role and site_ids: all required (create and replace alike).
void read_user_fields(BodyReader& body, store::User& user) {
  user.display_name = body.text("display_name", Need::required, kMaxNameBytes).value_or("");
  if (auto role = body.text("role", Need::required, 32)) {
    if (auto parsed = store::parse_role(*role)) {
      user.role = *parsed;
    } else {
      body.add_error("role", "must be investigator, cra, data-manager or admin");
    }
  }
  user.site_ids = body.id_list("site_ids", Need::required).value_or(std::vector<std::string>{});
}

std::optional<std::string> subject_of(const http::RequestContext& ctx) {
  return path_param(ctx, "subject");
}

Reply create_user(const RegistryRoutes& r, http::RequestContext& ctx) {
  if (auto denied = authorize(r.deps, ctx, "user.create", "user", auth::may_manage)) co_return denied;
  BodyReader body(ctx.request);
  if (body.failure()) co_return std::move(*body.failure());
  store::User user;
  user.subject = body.id("subject", Need::required).value_or("");
  read_user_fields(body, user);
  store::ChangeContext change{actor_of(ctx),
                              body.text("reason", Need::optional, kMaxReasonBytes).value_or("")};
  body.reject_unknown();
  if (!body.errors().empty()) co_return invalid_fields("invalid-user", "Invalid user", body.errors());
  auto work = [store = r.deps.store, user, change] { return store->create_user(user, change); };
  auto outcome = co_await store_call(r, ctx, CallKind::write, std::move(work));
  if (outcome.problem) co_return std::move(outcome.problem);
  co_return created(to_json(*outcome.value), "/v1/users/" + segment(outcome.value->subject));
}

Reply list_users(const RegistryRoutes& r, http::RequestContext& ctx) {
  if (auto denied = authorize(r.deps, ctx, "user.list", "user", may_read_records)) co_return denied;
  QueryParams q(ctx.query);
  q.reject_unknown({"site", "cursor", "limit"});
  store::UserFilter filter;
  filter.site_id = q.non_empty("site");
  const auto page = page_of(q);
  if (!q.errors().empty()) co_return invalid_query(q);
  auto work = [store = r.deps.store, filter, page] { return store->list_users(filter, page); };
  auto outcome = co_await store_call(r, ctx, CallKind::read, std::move(work));
  if (outcome.problem) co_return std::move(outcome.problem);
  co_return page_response("users", *outcome.value,
                          [](const auto& u) { return to_json(u); });
}

Reply get_user(const RegistryRoutes& r, http::RequestContext& ctx) {
  const auto subject = subject_of(ctx);
  if (!subject) co_return not_found("user-not-found", "malformed user subject in the path");
  if (auto denied = authorize(r.deps, ctx, "user.read", "user/" + *subject, may_read_records))
    co_return denied;
  auto work = [store = r.deps.store, subject = *subject] { return store->get_user(subject); };
  auto outcome = co_await store_call(r, ctx, CallKind::read, std::move(work));
  if (outcome.problem) co_return std::move(outcome.problem);
  if (!*outcome.value) co_return not_found("user-not-found", fmt::format("no user '{}'", *subject));
  co_return http::json_response(http::Status::ok, to_json(**outcome.value));
}

Reply replace_user(const RegistryRoutes& r, http::RequestContext& ctx) {
  const auto subject = subject_of(ctx);
  if (!subject) co_return not_found("user-not-found", "malformed user subject in the path");
  if (auto denied = authorize(r.deps, ctx, "user.update", "user/" + *subject, auth::may_manage))
    co_return denied;
  BodyReader body(ctx.request);
  if (body.failure()) co_return std::move(*body.failure());
  store::User user;
  user.subject = *subject;
  read_user_fields(body, user);
  if (auto s = body.text("subject", Need::optional, kMaxIdBytes); s && *s != *subject) {
    body.add_error("subject", "must match the subject in the path (a subject cannot change)");
  }
  store::ChangeContext change{actor_of(ctx),
                              body.text("reason", Need::optional, kMaxReasonBytes).value_or("")};
  body.reject_unknown();
  if (!body.errors().empty()) co_return invalid_fields("invalid-user", "Invalid user", body.errors());
  auto work = [store = r.deps.store, user, change] { return store->update_user(user, change); };
  auto outcome = co_await store_call(r, ctx, CallKind::write, std::move(work));
  if (outcome.problem) co_return std::move(outcome.problem);
  co_return http::json_response(http::Status::ok, to_json(*outcome.value));
}

Reply delete_user(const RegistryRoutes& r, http::RequestContext& ctx) {
  const auto subject = subject_of(ctx);
  if (!subject) co_return not_found("user-not-found", "malformed user subject in the path");
  if (auto denied = authorize(r.deps, ctx, "user.delete", "user/" + *subject, auth::may_manage))
    co_return denied;
  BodyReader body(ctx.request);
  if (body.failure()) co_return std::move(*body.failure());
  store::ChangeContext change{actor_of(ctx),
                              body.text("reason", Need::optional, kMaxReasonBytes).value_or("")};
  body.reject_unknown();
  if (!body.errors().empty()) co_return invalid_fields("invalid-user", "Invalid user", body.errors());
  auto work = [store = r.deps.store, subject = *subject, change] {
    store->delete_user(subject, change);
    return true;
  };
  auto outcome = co_await store_call(r, ctx, CallKind::write, std::move(work));
  if (outcome.problem) co_return std::move(outcome.problem);
  http::Response res{http::Status::no_content, 11};
  res.prepare_payload();
  co_return res;
}

}  // namespace

void add_user_routes(http::Router& router, const RegistryRoutes& r) {
  router.add(
      http::Verb::post, "/v1/users", [r](http::RequestContext& ctx) { return create_user(r, ctx); },
      kWriteRoute);
  router.add(
      http::Verb::get, "/v1/users", [r](http::RequestContext& ctx) { return list_users(r, ctx); },
      kReadRoute);
  router.add(
      http::Verb::get, "/v1/users/{subject}", [r](http::RequestContext& ctx) { return get_user(r, ctx); },
      kReadRoute);
  router.add(
      http::Verb::put, "/v1/users/{subject}", [r](http::RequestContext& ctx) { return replace_user(r, ctx); },
      kWriteRoute);
  router.add(
      http::Verb::delete_, "/v1/users/{subject}",
      [r](http::RequestContext& ctx) { return delete_user(r, ctx); }, kWriteRoute);
}

}  // namespace vigil::api::detail
