#include "middleware/http_metrics.h"

#include <string>

namespace vigil::middleware {
MetricsLink::MetricsLink(observability::MetricsRegistry& m)
    : requests_(m.counter("vigil_http_requests_total", "HTTP requests answered, by route, method and status code",
                          {"route", "method", "code"})),
      latency_(m.histogram("vigil_http_request_duration_seconds",
                           "Time from a request's arrival to its response, by route", {"route"},
                           observability::latency_buckets_seconds())),
      in_flight_(m.gauge("vigil_http_in_flight_requests", "Requests being handled now").with({})),
      deadline_refusals_(m.counter("vigil_http_refused_total", "Requests refused before their handler, by reason",
                                   {"reason"})
                             .with({"deadline"})) {}

http::asio::awaitable<http::Verdict> MetricsLink::on_request(http::RequestContext&) {
  in_flight_.add(1);
  co_return http::Verdict::proceed();
}

void MetricsLink::on_response(http::RequestContext& ctx, std::optional<http::Response>& res) noexcept {
  in_flight_.add(-1);
  try {
    const std::string_view route = ctx.route != nullptr ? std::string_view(ctx.route->pattern) : "(none)";
    const unsigned status = res ? res->result_int() : 200U;
    const auto code = std::to_string(status);
    requests_.with({route, std::string_view(ctx.request.method_string()), code}).inc();
    if (status == 504) deadline_refusals_.inc();
    if (ctx.route != nullptr && ctx.route->options.streaming) return;  // a stream's life is not latency
    const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - ctx.received_at;
    latency_.with({route}).observe(elapsed.count());
  } catch (...) {  // metrics must never fail a request
  }
}

}  // namespace vigil::middleware
