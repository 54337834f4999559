// GET /v1/alerts, GET /v1/alerts/{id}, POST /v1/alerts/{id}/acknowledge and /resolve.
// Every AlertService call blocks on SQLite, so it runs on the blocking pool.
#include <fmt/format.h>

#include <boost/json/parse.hpp>
#include <string>

#include "alerts/alert_store.h"
#include "api/query.h"
#include "api/routes.h"
#include "domain/severity.h"
#include "http/blocking.h"
#include "http/problem.h"

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

  auto page = co_await http::run_blocking(deps.blocking, [&] { return deps.alerts.list(filter); });
  json::array items;
  items.reserve(page.alerts.size());
  for (const auto& a : page.alerts) items.push_back(alerts::to_json(a));
  json::object body{{"alerts", std::move(items)}};
  body["next_cursor"] = page.next_cursor ? json::value(*page.next_cursor) : json::value(nullptr);
  co_return http::json_response(Status::ok, body);
}

boost::asio::awaitable<std::optional<http::Response>> get_alert(const ApiDeps& deps,
                                                                http::RequestContext& ctx) {
  const std::string id(ctx.params.get("id"));
  auto alert = co_await http::run_blocking(deps.blocking, [&] { return deps.alerts.get(id); });
  if (!alert) co_return alert_not_found(id);
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
  if (actor.empty() && errors.empty()) errors.push_back({"actor", "is required: who is acting on the alert"});
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
  auto result = co_await http::run_blocking(deps.blocking, [&] {
    const auto now = deps.clock.now();
    return action == Action::acknowledge ? deps.alerts.acknowledge(id, actor, note, now)
                                         : deps.alerts.resolve(id, actor, note, now);
  });
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
  router.add(http::Verb::get, "/v1/alerts",
             [deps](http::RequestContext& ctx) { return list_alerts(deps, ctx); });
  router.add(http::Verb::get, "/v1/alerts/{id}",
             [deps](http::RequestContext& ctx) { return get_alert(deps, ctx); });
  router.add(http::Verb::post, "/v1/alerts/{id}/acknowledge",
             [deps](http::RequestContext& ctx) { return change_alert(deps, Action::acknowledge, ctx); });
  router.add(http::Verb::post, "/v1/alerts/{id}/resolve",
             [deps](http::RequestContext& ctx) { return change_alert(deps, Action::resolve, ctx); });
}

}  // namespace vigil::api::detail
