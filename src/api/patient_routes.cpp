// GET /v1/patients/{id}/observations?code=&since=&limit=: a patient's latest readings, straight from
// the durable log (so it shows exactly what was acknowledged), newest first.
#include <fmt/format.h>

#include "api/access.h"
#include "api/query.h"
#include "api/routes.h"
#include "domain/codec.h"
#include "http/blocking.h"
#include "http/problem.h"

namespace vigil::api::detail {
namespace {

using http::Status;

constexpr std::size_t kDefaultLimit = 100;

boost::asio::awaitable<std::optional<http::Response>> list_observations(const ApiDeps& deps,
                                                                        const ApiOptions& options,
                                                                        http::RequestContext& ctx) {
  const std::string patient_id(ctx.params.get("id"));
  const auto patient = deps.registry.patient(patient_id);
  if (!patient) {
    co_return http::problem(Status::not_found, "unknown-patient", "Unknown patient",
                            fmt::format("no patient '{}' in the registry", patient_id));
  }
  if (auto denied = authorize(deps, ctx, "observation.read", fmt::format("patient/{}", patient_id),
                              [&](const auth::Principal& p) {
                                return auth::may_read_site(p, patient->trial_id, patient->site_id);
                              })) {
    co_return denied;
  }
  QueryParams q(ctx.query);
  q.reject_unknown({"code", "since", "limit"});
  const std::string code = q.non_empty("code").value_or("");
  const TimePoint since = q.time("since").value_or(TimePoint{});
  const std::size_t limit = q.count("limit", 1, options.max_observations_limit).value_or(kDefaultLimit);
  if (!q.errors().empty()) {
    co_return http::problem(Status::bad_request, "invalid-query", "Invalid query parameters",
                            fmt::format("{}: {}", q.errors().front().path, q.errors().front().message),
                            {{"errors", to_json(q.errors())}});
  }
  auto* observations = &deps.observations;
  auto latest = [observations, patient_id, code, since, limit] {
    return observations->latest(patient_id, code, since, limit);
  };
  auto records = co_await http::run_blocking(deps.blocking, ctx.deadline, std::move(latest));
  // The payloads are the canonical JSON the intake wrote (domain/codec.h): spliced in as they are,
  // so numbers come back exactly as stored, with the log's seq and store time added.
  std::string body = "{\"patient_id\":";
  domain::write_json_string(patient_id, body);
  body += ",\"observations\":[";
  bool first = true;
  for (const auto& r : records) {
    if (r.payload.size() < 2 || r.payload.front() != '{' || r.payload.back() != '}') continue;
    if (!first) body += ',';
    first = false;
    body.append(r.payload, 0, r.payload.size() - 1);
    fmt::format_to(std::back_inserter(body), R"(,"seq":{},"stored_at":"{}"}})", r.seq,
                   format_rfc3339(r.appended_at));
  }
  body += "]}";
  http::Response res{Status::ok, 11};
  res.set(http::bhttp::field::content_type, "application/json");
  res.body() = std::move(body);
  res.prepare_payload();
  co_return res;
}

}  // namespace

void add_patient_routes(http::Router& router, const ApiDeps& deps, const ApiOptions& options) {
  router.add(
      http::Verb::get, "/v1/patients/{id}/observations",
      [deps, options](http::RequestContext& ctx) { return list_observations(deps, options, ctx); },
      http::RouteOptions{.group = "read"});
}

}  // namespace vigil::api::detail
