#include "middleware/http_metrics.h"

#include <cstdint>
#include <functional>
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
    // The route's address and its pattern's hash: a router's routes never move, and the hash keeps a
    // route that reuses a freed one's address (tests build their own) from taking its children.
    const auto route_key = reinterpret_cast<std::uintptr_t>(ctx.route);
    const std::uint64_t pattern_hash = std::hash<std::string_view>{}(route);
    const unsigned status = res ? res->result_int() : 200U;
    const auto verb = ctx.request.method();
    // An unknown verb's label is its own text, so it is not memoised under the shared enum value.
    const bool memo = verb != http::bhttp::verb::unknown;
    const decltype(request_children_)::Key key{route_key, pattern_hash,
                                               (static_cast<std::uint64_t>(verb) << 32U) | status};
    observability::Counter* requests = memo ? request_children_.find(key) : nullptr;
    if (requests == nullptr) {
      requests =
          &requests_.with({route, std::string_view(ctx.request.method_string()), std::to_string(status)});
      if (memo) request_children_.remember(key, *requests);
    }
    requests->inc();
    if (status == 504) deadline_refusals_.inc();
    if (ctx.route != nullptr && ctx.route->options.streaming) return;  // a stream's life is not latency
    const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - ctx.received_at;
    observability::Histogram* latency = latency_children_.find({route_key, pattern_hash, 0});
    if (latency == nullptr) {
      latency = &latency_.with({route});
      latency_children_.remember({route_key, pattern_hash, 0}, *latency);
    }
    latency->observe(elapsed.count());
  } catch (...) {  // metrics must never fail a request
  }
}

}  // namespace vigil::middleware
