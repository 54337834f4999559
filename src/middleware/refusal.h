#pragma once
// Internal to the middleware module: the refusals links answer with, and the counter each one
// bumps (vigil_http_refused_total{reason}).
#include <chrono>
#include <string_view>

#include "http/types.h"
#include "observability/metrics.h"

namespace vigil::middleware {

// One counter per refusal reason, created once from the metrics registry.
struct RefusalCounters {
  explicit RefusalCounters(observability::MetricsRegistry& metrics);
  observability::Counter& rate_limit;
  observability::Counter& shed;
  observability::Counter& connection_cap;
  observability::Counter& in_flight_cap;
  observability::Counter& deadline;
  observability::Counter& unauthenticated;
  observability::Counter& body_limit;
};

// 503 problem+json with Retry-After (whole seconds, at least 1).
http::Response service_unavailable(std::string_view slug, std::string_view title, std::string_view detail,
                                   std::chrono::milliseconds retry_after);

}  // namespace vigil::middleware
