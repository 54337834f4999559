#include <fmt/format.h>

#include <boost/beast/core/string.hpp>
#include <string>

#include "api/routes.h"
#include "http/problem.h"

namespace vigil::api {

void register_routes(http::Router& router, const ApiDeps& deps, const ApiOptions& options) {
  detail::add_health_routes(router, deps);
  detail::add_ops_routes(router, deps);
  detail::add_intake_routes(router, deps, options);
  // The stream before /v1/alerts/{id}: the first matching route wins.
  detail::add_alert_stream_route(router, deps, options);
  detail::add_alert_routes(router, deps, options);
  detail::add_patient_routes(router, deps, options);
  if (deps.store != nullptr) detail::add_registry_routes(router, deps, options);
}

namespace detail {

bool has_json_body(const http::Request& request) {
  std::string_view type = request[http::bhttp::field::content_type];
  type = type.substr(0, type.find(';'));
  while (!type.empty() && type.back() == ' ') type.remove_suffix(1);
  return boost::beast::iequals(type, "application/json");
}

http::Response unsupported_media_type(const http::Request& request) {
  const std::string_view type = request[http::bhttp::field::content_type];
  return http::problem(http::Status::unsupported_media_type, "unsupported-media-type",
                       "Unsupported media type",
                       type.empty() ? "the body must be sent with Content-Type: application/json"
                                    : fmt::format("the body must be application/json, not '{}'", type));
}

boost::json::array to_json(const std::vector<domain::FieldError>& errors) {
  boost::json::array out;
  out.reserve(errors.size());
  for (const auto& e : errors) out.push_back(boost::json::object{{"path", e.path}, {"message", e.message}});
  return out;
}

http::Response unavailable(std::string_view slug, std::string_view title, std::string_view detail,
                           std::chrono::seconds retry_after) {
  auto res = http::problem(http::Status::service_unavailable, slug, title, detail);
  res.set(http::bhttp::field::retry_after, std::to_string(retry_after.count()));
  return res;
}

http::Response invalid_query(const QueryParams& q) {
  const auto& errors = q.errors();
  return http::problem(http::Status::bad_request, "invalid-query", "Invalid query parameters",
                       fmt::format("{}: {}", errors.front().path, errors.front().message),
                       {{"errors", to_json(errors)}});
}

}  // namespace detail
}  // namespace vigil::api
