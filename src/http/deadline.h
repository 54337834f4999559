#pragma once
// Request deadlines as handlers see them. The deadline link (middleware) sets
// RequestContext::deadline from the route's default and the client's X-Request-Timeout-Ms or
// grpc-timeout; every wait a handler does (a pool call, a durable append) ends at that point at the
// latest, and the server answers 504 when a handler throws DeadlineExceeded.
#include <stdexcept>

#include "http/types.h"

namespace vigil::http {

// Thrown where work is abandoned because the request's deadline passed; the server's exception
// guard turns it into 504.
class DeadlineExceeded : public std::runtime_error {
 public:
  DeadlineExceeded() : std::runtime_error("request deadline exceeded") {}
};

// 504 problem+json.
Response deadline_exceeded();

}  // namespace vigil::http
