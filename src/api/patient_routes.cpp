// GET /v1/patients/{id}/observations?code=&since=&limit=: a patient's latest readings, straight from
// the durable log (so it shows exactly what was acknowledged), newest first.
#include <boost/json/parse.hpp>
#include <fmt/format.h>

#include "api/query.h"
#include "api/routes.h"
#include "http/blocking.h"
#include "http/problem.h"

namespace vigil::api::detail {
namespace {

using http::Status;
namespace json = boost::json;

constexpr std::size_t kDefaultLimit = 100;

boost::asio::awaitable<std::optional<http::Response>> list_observations(const ApiDeps& deps,
                                                                        const ApiOptions& options,
                                                                        http::RequestContext& ctx) {
  const std::string patient_id(ctx.params.get("id"));
  if (!deps.registry.patient(patient_id)) {
    co_return http::problem(Status::not_found, "unknown-patient", "Unknown patient",
                            fmt::format("no patient '{}' in the registry", patient_id));
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
  auto records = co_await http::run_blocking(
      deps.blocking, [&] { return deps.observations.latest(patient_id, code, since, limit); });
  json::array items;
  items.reserve(records.size());
  for (const auto& r : records) {
    boost::system::error_code ec;
    auto value = json::parse(r.payload, ec);  // the canonical JSON the intake wrote
    if (ec || !value.is_object()) continue;
    auto& obj = value.as_object();
    obj["seq"] = r.seq;
    obj["stored_at"] = format_rfc3339(r.appended_at);
    items.push_back(std::move(value));
  }
  co_return http::json_response(Status::ok, json::object{{"patient_id", patient_id}, {"observations", std::move(items)}});
}

}  // namespace

void add_patient_routes(http::Router& router, const ApiDeps& deps, const ApiOptions& options) {
  router.add(http::Verb::get, "/v1/patients/{id}/observations",
             [deps, options](http::RequestContext& ctx) { return list_observations(deps, options, ctx); });
}

}  // namespace vigil::api::detail
