#pragma once
// Internal to the api module: one registration function per route family (one file each), and the
// small helpers they share.
#include <boost/json/array.hpp>
#include <string_view>
#include <vector>

#include "api/api.h"
#include "api/query.h"
#include "domain/field_error.h"
#include "http/types.h"

namespace vigil::api::detail {

void add_intake_routes(http::Router& router, const ApiDeps& deps, const ApiOptions& options);
void add_alert_routes(http::Router& router, const ApiDeps& deps, const ApiOptions& options);
void add_alert_stream_route(http::Router& router, const ApiDeps& deps, const ApiOptions& options);
void add_patient_routes(http::Router& router, const ApiDeps& deps, const ApiOptions& options);
void add_health_routes(http::Router& router, const ApiDeps& deps);
void add_ops_routes(http::Router& router, const ApiDeps& deps);
void add_registry_routes(http::Router& router, const ApiDeps& deps, const ApiOptions& options);

// True when the request declares a JSON body ("application/json", parameters allowed).
bool has_json_body(const http::Request& request);
// 415 problem for a request body that is not JSON.
http::Response unsupported_media_type(const http::Request& request);
// [{"path": ..., "message": ...}, ...]
boost::json::array to_json(const std::vector<domain::FieldError>& errors);
// 400 invalid-query listing the query's errors (at least one).
http::Response invalid_query(const QueryParams& q);
// 503 with Retry-After.
http::Response unavailable(std::string_view slug, std::string_view title, std::string_view detail,
                           std::chrono::seconds retry_after);

}  // namespace vigil::api::detail
