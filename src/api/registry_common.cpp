#include "api/registry_common.h"

#include <fmt/format.h>

#include <boost/url/encode.hpp>
#include <boost/url/pct_string_view.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include "api/routes.h"
#include "http/problem.h"
#include "observability/trace.h"

namespace vigil::api::detail {

http::Response store_refused(std::string_view why, const ApiOptions& options) {
  return unavailable("store-unavailable", "Registry store unavailable", why, options.retry_after);
}

http::Response store_problem(const store::StoreError& e, const ApiOptions& options, CallKind kind) {
  using Code = store::StoreError::Code;
  using http::Status;
  switch (e.code()) {
    case Code::not_found:
      return http::problem(Status::not_found, "not-found", "Not found", e.what());
    case Code::conflict:
      return http::problem(Status::conflict, "conflict", "Conflict", e.what());
    case Code::invalid_transition: {
      boost::json::object extra;
      if (const auto* t = dynamic_cast<const TransitionRefused*>(&e)) {
        extra["from"] = t->from;
        extra["to"] = t->to;
      }
      return http::problem(Status::conflict, "invalid-transition", "Invalid transition", e.what(),
                           std::move(extra));
    }
    case Code::invalid_argument:
      if (kind == CallKind::read) {
        return http::problem(
            Status::bad_request, "invalid-query", "Invalid query parameters", e.what(),
            {{"errors", boost::json::array{boost::json::object{{"path", "cursor"}, {"message", e.what()}}}}});
      }
      return http::problem(
          Status::unprocessable_entity, "invalid-request", "Invalid request", e.what(),
          {{"errors", boost::json::array{boost::json::object{{"path", ""}, {"message", e.what()}}}}});
    case Code::unavailable:
      break;
  }
  return unavailable("registry-unavailable", "Registry unavailable", e.what(), options.retry_after);
}

std::optional<std::string> path_param(const http::RequestContext& ctx, std::string_view name) {
  auto encoded = boost::urls::make_pct_string_view(ctx.params.get(name));
  if (!encoded) return std::nullopt;
  auto decoded = encoded->decode();
  if (decoded.empty() || decoded.size() > 1024) return std::nullopt;
  return decoded;
}

http::Response not_found(std::string_view slug, std::string_view what) {
  return http::problem(http::Status::not_found, slug, "Not found", what);
}

store::PageRequest page_of(QueryParams& q) {
  store::PageRequest page;
  page.cursor = q.non_empty("cursor").value_or("");
  page.limit = q.count("limit", 1, store::kMaxPageLimit).value_or(page.limit);
  return page;
}

http::Response created(const boost::json::value& body, const std::string& location) {
  auto res = http::json_response(http::Status::created, body);
  res.set(http::bhttp::field::location, location);
  return res;
}

std::string segment(std::string_view id) {
  return boost::urls::encode(id, boost::urls::unreserved_chars);
}

std::string actor_of(const http::RequestContext& ctx) {
  return ctx.principal != nullptr ? ctx.principal->subject : std::string();
}

std::vector<std::string> sites_of(const http::RequestContext& ctx) {
  return ctx.principal != nullptr ? ctx.principal->sites : std::vector<std::string>{};
}

auth::Decision may_read_records(const auth::Principal& p) {
  if (p.role == auth::Role::admin || p.role == auth::Role::data_manager) {
    return {true, fmt::format("{} reads registry records", auth::to_string(p.role))};
  }
  return {false, fmt::format("only admins and data managers read devices and users; {} is {}", p.subject,
                             auth::to_string(p.role))};
}

auth::Decision may_read_trial(const auth::Principal& p, std::string_view trial_id, bool works_in_trial) {
  if ((p.role == auth::Role::investigator || p.role == auth::Role::cra) && works_in_trial) {
    return {true, fmt::format("{} works at a site of trial {}", auth::to_string(p.role), trial_id)};
  }
  return may_read_trial_totals(p, trial_id);
}

auth::Decision may_read_trial_totals(const auth::Principal& p, std::string_view trial_id) {
  if (p.role == auth::Role::admin || p.role == auth::Role::data_manager) {
    // For these roles the site does not matter: the policy decides by trial scope.
    return auth::may_read_site(p, trial_id, "");
  }
  return {false, fmt::format("{} {} may not read trial {} as a whole", auth::to_string(p.role), p.subject,
                             trial_id)};
}

bool works_in_trial(store::RegistryStore& store, const std::vector<std::string>& sites,
                    std::string_view trial_id) {
  for (const auto& id : sites) {
    const auto site = store.get_site(id);
    if (site && site->trial_id == trial_id) return true;
  }
  return false;
}

StoreSpan::StoreSpan(const ApiDeps& deps, const http::RequestContext& ctx, CallKind kind) {
  if (deps.spans == nullptr) return;
  const auto server = observability::span_named_by(ctx.traceparent);  // the request's SERVER span
  if (!server || !server->sampled()) return;
  sink_ = deps.spans;
  clock_ = deps.span_clock != nullptr ? deps.span_clock : &observability::SystemSpanClock::instance();
  span_.context = observability::child(*server);
  span_.kind = observability::SpanKind::client;
  span_.name = kind == CallKind::write ? "registry-store write" : "registry-store read";
  span_.start_unix_nanos = clock_->now_unix_nanos();
  span_.attribute("vigil.request_id", ctx.request_id);
}

void StoreSpan::finish(bool failed) noexcept {
  if (sink_ == nullptr) return;
  try {
    span_.end_unix_nanos = clock_->now_unix_nanos();
    span_.error = failed;
    sink_->record(std::move(span_));
  } catch (...) {  // tracing must never fail a request
  }
  sink_ = nullptr;
}

}  // namespace vigil::api::detail
