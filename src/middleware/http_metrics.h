#pragma once
// Link 3, "metrics": request counts by route, method and status class, latency histograms by
// route, and the in-flight gauge. Routes are labelled by pattern ("/v1/alerts/{id}"), never by
// path, so label cardinality stays bounded; unmatched paths share the label "(none)".
//
// Hot path: the children for a route are looked up once per request in the family's map (a short
// mutex inside Family::with); counting and observing are relaxed atomics.
#include "http/middleware.h"
#include "observability/metrics.h"

namespace vigil::middleware {

class MetricsLink final : public http::Middleware {
 public:
  explicit MetricsLink(observability::MetricsRegistry& metrics);
  [[nodiscard]] std::string_view name() const override { return "metrics"; }
  http::asio::awaitable<http::Verdict> on_request(http::RequestContext& ctx) override;
  void on_response(http::RequestContext& ctx, std::optional<http::Response>& res) noexcept override;

 private:
  observability::Family<observability::Counter>& requests_;
  observability::Family<observability::Histogram>& latency_;
  observability::Gauge& in_flight_;
  observability::Counter& deadline_refusals_;
};

}  // namespace vigil::middleware
