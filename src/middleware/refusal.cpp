#include "middleware/refusal.h"

#include <algorithm>
#include <string>

#include "http/problem.h"

namespace vigil::middleware {
namespace {

observability::Counter& refused(observability::MetricsRegistry& m, std::string_view reason) {
  return m.counter("vigil_http_refused_total", "Requests refused before their handler, by reason", {"reason"})
      .with({reason});
}

}  // namespace

RefusalCounters::RefusalCounters(observability::MetricsRegistry& m)
    : rate_limit(refused(m, "rate-limit")),
      shed(refused(m, "shed")),
      connection_cap(refused(m, "connection-cap")),
      in_flight_cap(refused(m, "in-flight-cap")),
      deadline(refused(m, "deadline")),
      unauthenticated(refused(m, "unauthenticated")),
      body_limit(refused(m, "body-limit")) {}

http::Response service_unavailable(std::string_view slug, std::string_view title, std::string_view detail,
                                   std::chrono::milliseconds retry_after) {
  auto res = http::problem(http::Status::service_unavailable, slug, title, detail);
  const auto seconds = std::max<long long>(1, (retry_after.count() + 999) / 1000);
  res.set(http::bhttp::field::retry_after, std::to_string(seconds));
  return res;
}

}  // namespace vigil::middleware
