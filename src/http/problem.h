#pragma once
// RFC 9457 problem details (application/problem+json): every error Vigil returns over HTTP.
// The type URI is "/problems/<slug>" (a relative reference, documented per slug in docs/api.md).
#include <boost/json/object.hpp>
#include <string>
#include <string_view>

#include "http/types.h"

namespace vigil::http {

// A problem+json response. `extra` members (e.g. "errors": [...]) are merged into the body.
Response problem(Status status, std::string_view slug, std::string_view title, std::string_view detail,
                 boost::json::object extra = {});

// A JSON response with the given status.
Response json_response(Status status, const boost::json::value& body);
// A JSON response whose body is already serialised JSON text (the caller vouches for it), moved in.
Response json_response(Status status, std::string body);

}  // namespace vigil::http
