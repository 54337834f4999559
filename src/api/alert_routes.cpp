// GET /v1/alerts, GET /v1/alerts/{id}, POST /v1/alerts/{id}/acknowledge and /resolve.
// Every AlertService call blocks on SQLite, so it runs on the blocking pool.
#include <fmt/format.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <string>

#include "alerts/alert_store.h"
#include "api/access.h"
#include "api/query.h"
#include "api/routes.h"
#include "domain/severity.h"
#include "http/blocking.h"
#include "http/problem.h"
#include "observability/log_context.h"

namespace vigil::api::detail {
namespace {

using http::Status;
namespace json = boost::json;

constexpr std::size_t kMaxActorLength = 128;
constexpr std::size_t kMaxNoteLength = 2000;

http::Response invalid_query(const std::vector<domain::FieldError>& errors) {
  return http::problem(Status::bad_request, "invalid-query", "Invalid query parameters",
                       fmt::format("{}: {}", errors.front().path, errors.front().message),
                       {{"errors", to_json(errors)}});
}

http::Response alert_not_found(std::string_view id) {
  return http::problem(Status::not_found, "alert-not-found", "Alert not found",
                       fmt::format("no alert '{}'", id));
}

// Narrows a list filter to what the caller may see: investigators and CRAs their sites, a data
// manager scoped to a trial that trial; refuses a filter naming something outside it.
std::optional<http::Response> scope_to_caller(const ApiDeps& deps, const http::RequestContext& ctx,
                                              alerts::AlertFilter& filter) {
  const auto* p = principal_of(ctx);
  const std::string entity = fmt::format("alerts?site={}", filter.site_id.value_or("*"));
  if (p != nullptr && (p->role == auth::Role::investigator || p->role == auth::Role::cra) && !filter.site_id) {
    if (p->sites.empty()) {
      return authorize(deps, ctx, "alert.list", entity,
                       [](const auth::Principal&) { return auth::Decision{false, "no site memberships"}; });
    }
    filter.any_site = p->sites;  // all of the caller's sites, and only those
    return std::nullopt;
  }
  if (p != nullptr && p->role == auth::Role::data_manager && !p->trial_id.empty() && !filter.trial_id) {
    filter.trial_id = p->trial_id;
  }
  return authorize(deps, ctx, "alert.list", entity, [&](const auth::Principal& who) {
    if (who.role == auth::Role::admin || (who.role == auth::Role::data_manager && who.trial_id.empty())) {
      return auth::Decision{true, ""};
    }
    if (who.role == auth::Role::data_manager) {
      return auth::Decision{filter.trial_id == who.trial_id, "outside the data manager's trial"};
    }
    return auth::may_read_site(who, filter.trial_id.value_or(""), filter.site_id.value_or(""));
  });
}

// {"alerts": [...], "next_cursor": "..." or null}, the alerts spliced in as stored.
std::string page_body(const alerts::AlertPage& page) {
  std::size_t size = 64;
  for (const auto& doc : page.documents) size += doc.size() + 1;
  std::string body;
  body.reserve(size);
  body += R"({"alerts":[)";
  for (std::size_t i = 0; i < page.documents.size(); ++i) {
    if (i > 0) body += ',';
    body += page.documents[i];
  }
  body += R"(],"next_cursor":)";
  body += page.next_cursor ? json::serialize(json::string(*page.next_cursor)) : std::string("null");
  body += '}';
  return body;
}

boost::asio::awaitable<std::optional<http::Response>> list_alerts(const ApiDeps& deps,
                                                                  http::RequestContext& ctx) {
  QueryParams q(ctx.query);
  q.reject_unknown({"trial", "site", "patient", "status", "min_severity", "since", "cursor", "limit"});
  alerts::AlertFilter filter;
  filter.trial_id = q.non_empty("trial");
  filter.site_id = q.non_empty("site");
  filter.patient_id = q.non_empty("patient");
  if (auto s = q.text("status")) {
    filter.status = alerts::parse_alert_status(*s);
    if (!filter.status) q.add_error("status", "must be open, acknowledged or resolved");
  }
  if (auto s = q.text("min_severity")) {
    filter.min_severity = domain::parse_severity(*s);
    if (!filter.min_severity)
      q.add_error("min_severity", "must be low, low-medium, medium, high or critical");
  }
  filter.since = q.time("since");
  if (auto c = q.text("cursor")) {
    filter.after = alerts::decode_cursor(*c);
    if (!filter.after) q.add_error("cursor", "not a cursor this server issued");
  }
  filter.limit = q.count("limit", 1, alerts::kMaxPageSize).value_or(alerts::kDefaultPageSize);
  if (!q.errors().empty()) co_return invalid_query(q.errors());
  if (auto refused = scope_to_caller(deps, ctx, filter)) co_return refused;

  auto* service = &deps.alerts;
  // The body is assembled on the blocking pool from the alerts' stored documents, which are their
  // API representation already (alerts::AlertPage): a page of 20 busy alerts is about 100 KB that
  // would otherwise be parsed and serialised again on a network thread.
  // Named, then moved: g++ 12 destroys the captures of a temporary in a co_await expression twice
  // (here: an SSO string freed from the finished coroutine's frame), as http/chain_test.cpp notes.
  auto list = [service, filter] { return page_body(service->list(filter)); };
  co_return http::json_response(Status::ok, co_await http::run_blocking(deps.blocking, ctx.deadline, std::move(list)));
}

boost::asio::awaitable<std::optional<http::Response>> get_alert(const ApiDeps& deps,
                                                                http::RequestContext& ctx) {
  const std::string id(ctx.params.get("id"));
  auto* service = &deps.alerts;
  auto get = [service, id] { return service->get(id); };
  auto alert = co_await http::run_blocking(deps.blocking, ctx.deadline, std::move(get));
  if (!alert) co_return alert_not_found(id);
  if (auto denied = authorize(deps, ctx, "alert.read", fmt::format("alert/{}", id), [&](const auth::Principal& p) {
        return auth::may_read_site(p, alert->trial_id, alert->site_id);
      })) {
    co_return denied;
  }
  co_return http::json_response(Status::ok, alerts::to_json(*alert));
}

enum class Action { acknowledge, resolve };

boost::asio::awaitable<std::optional<http::Response>> change_alert(const ApiDeps& deps, Action action,
                                                                   http::RequestContext& ctx) {
  if (!has_json_body(ctx.request)) co_return unsupported_media_type(ctx.request);
  boost::system::error_code ec;
  auto parsed = json::parse(ctx.request.body(), ec);
  if (ec) co_return http::problem(Status::bad_request, "malformed-json", "Malformed JSON", ec.message());
  if (!parsed.is_object()) {
    co_return http::problem(Status::bad_request, "invalid-body", "Body has the wrong shape",
                            "the body must be an object {\"actor\": ..., \"note\": ...}");
  }
  std::vector<domain::FieldError> errors;
  std::string actor;
  std::string note;
  for (const auto& [key, value] : parsed.as_object()) {
    if (key == "actor" && value.is_string()) {
      actor = value.as_string();
    } else if (key == "note" && (value.is_string() || value.is_null())) {
      if (value.is_string()) note = value.as_string();
    } else if (key == "actor" || key == "note") {
      errors.push_back({std::string(key), "must be a string"});
    } else {
      errors.push_back({std::string(key), "unknown field"});
    }
  }
  // The actor is the authenticated caller (21 CFR Part 11: actions are attributable to who signed
  // in). A body "actor" is accepted only when it names that same person.
  const auto* principal = principal_of(ctx);
  const std::string subject = principal != nullptr ? principal->subject : std::string();
  if (!actor.empty() && actor != subject) {
    errors.push_back({"actor", "must be omitted or equal to the authenticated user"});
  }
  actor = subject;
  if (actor.size() > kMaxActorLength)
    errors.push_back({"actor", fmt::format("at most {} characters", kMaxActorLength)});
  if (note.size() > kMaxNoteLength)
    errors.push_back({"note", fmt::format("at most {} characters", kMaxNoteLength)});
  if (!errors.empty()) {
    co_return http::problem(Status::unprocessable_entity, "invalid-alert-action", "Invalid alert action",
                            fmt::format("{}: {}", errors.front().path, errors.front().message),
                            {{"errors", to_json(errors)}});
  }
  const std::string id(ctx.params.get("id"));
  auto* service = &deps.alerts;
  auto get = [service, id] { return service->get(id); };
  const auto current = co_await http::run_blocking(deps.blocking, ctx.deadline, std::move(get));
  if (!current) co_return alert_not_found(id);
  const auto verb = action == Action::acknowledge ? "alert.acknowledge" : "alert.resolve";
  if (auto denied = authorize(deps, ctx, verb, fmt::format("alert/{}", id), [&](const auth::Principal& p) {
        return auth::may_act_on_alert(p, current->site_id);
      })) {
    co_return denied;
  }
  // The change and its audit record (21 CFR Part 11: every alert state change is on the trail) go
  // together on the pool: past the deadline the caller stops waiting (504), and a change that was
  // still queued is never made, but one that was made is always audited.
  auto change = [service, clock = &deps.clock, audit = deps.audit, action, id, actor, note, verb,
                 before = *current, request_id = ctx.request_id, trace_id = ctx.trace_id] {
    const auto now = clock->now();
    auto result = action == Action::acknowledge ? service->acknowledge(id, actor, note, now)
                                                : service->resolve(id, actor, note, now);
    if (result.status == alerts::TransitionStatus::ok && audit) {
      const observability::LogScope ids(request_id, trace_id);  // for the audit sink's log lines
      audit(store::AuditEntry{actor, verb, "alert", id, boost::json::serialize(alerts::to_json(before)),
                              boost::json::serialize(alerts::to_json(*result.alert)), note});
    }
    return result;
  };
  auto result = co_await http::run_blocking(deps.blocking, ctx.deadline, std::move(change));
  switch (result.status) {
    case alerts::TransitionStatus::not_found:
      co_return alert_not_found(id);
    case alerts::TransitionStatus::invalid_transition:
      co_return http::problem(
          Status::conflict, "invalid-transition", "Invalid alert transition",
          fmt::format("alert '{}' is {} and cannot be {}", id, alerts::to_string(result.alert->status),
                      action == Action::acknowledge ? "acknowledged" : "resolved"),
          {{"alert", alerts::to_json(*result.alert)}});
    case alerts::TransitionStatus::ok:
      break;
  }
  co_return http::json_response(Status::ok, alerts::to_json(*result.alert));
}

}  // namespace

void add_alert_routes(http::Router& router, const ApiDeps& deps, const ApiOptions& /*options*/) {
  const http::RouteOptions read{.group = "read"};
  const http::RouteOptions act{.group = "default", .max_body_bytes = 16 * 1024};
  router.add(
      http::Verb::get, "/v1/alerts", [deps](http::RequestContext& ctx) { return list_alerts(deps, ctx); }, read);
  router.add(
      http::Verb::get, "/v1/alerts/{id}", [deps](http::RequestContext& ctx) { return get_alert(deps, ctx); }, read);
  router.add(
      http::Verb::post, "/v1/alerts/{id}/acknowledge",
      [deps](http::RequestContext& ctx) { return change_alert(deps, Action::acknowledge, ctx); }, act);
  router.add(
      http::Verb::post, "/v1/alerts/{id}/resolve",
      [deps](http::RequestContext& ctx) { return change_alert(deps, Action::resolve, ctx); }, act);
}

}  // namespace vigil::api::detail
