#pragma once
// Link 3, "metrics": request counts by route, method and status class, latency histograms by
// route, and the in-flight gauge. Routes are labelled by pattern ("/v1/alerts/{id}"), never by
// path, so label cardinality stays bounded; unmatched paths share the label "(none)".
//
// Hot path: lock-free. The children for a (route, method, status) are resolved through the
// family's map (its mutex) the first time that combination is answered, then read from a
// ChildMemo with atomic loads; counting and observing are relaxed atomics.
#include "http/middleware.h"
#include "observability/child_memo.h"
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
  observability::ChildMemo<observability::Counter> request_children_;    // by route, verb, status
  observability::ChildMemo<observability::Histogram> latency_children_;  // by route
};

}  // namespace vigil::middleware
