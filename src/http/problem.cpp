#include "http/problem.h"

#include <boost/json/serialize.hpp>

namespace vigil::http {

Response problem(Status status, std::string_view slug, std::string_view title, std::string_view detail,
                 boost::json::object extra) {
  boost::json::object body;
  body["type"] = std::string("/problems/") + std::string(slug);
  body["title"] = title;
  body["status"] = static_cast<int>(status);
  if (!detail.empty()) body["detail"] = detail;
  for (auto& kv : extra) body[kv.key()] = std::move(kv.value());
  Response res{status, 11};
  res.set(bhttp::field::content_type, "application/problem+json");
  res.body() = boost::json::serialize(body);
  res.prepare_payload();
  return res;
}

Response json_response(Status status, const boost::json::value& body) {
  return json_response(status, boost::json::serialize(body));
}

Response json_response(Status status, std::string body) {
  Response res{status, 11};
  res.set(bhttp::field::content_type, "application/json");
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

}  // namespace vigil::http

#include "http/deadline.h"
#include "http/middleware.h"

#include <spdlog/spdlog.h>

namespace vigil::http {

Response link_failed(std::string_view link, const std::string& cause) {
  spdlog::error("middleware link {} failed: {}", link, cause);
  return problem(Status::internal_server_error, "internal", "Internal server error",
                 "the server failed to handle this request; it has been logged");
}

Response deadline_exceeded() {
  return problem(Status::gateway_timeout, "deadline-exceeded", "Deadline exceeded",
                 "the request was not completed within its deadline; it may be retried (intake is idempotent "
                 "by observation id)");
}

}  // namespace vigil::http
