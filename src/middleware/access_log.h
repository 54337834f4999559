#pragma once
// Link 2, "access-log": one structured line per request at info level, written when the response
// leaves: method, route pattern (never the query string, which may carry filters), status,
// latency, request and trace ids, client address. Never bodies, headers or credentials.
//
// With a SpanSink (tracing export on), it also records one SERVER span per sampled request: this
// hop's span of the trace the request-id link set up, its parent the caller's span when the request
// continued an incoming traceparent. Name "<METHOD> <route pattern>" (just the method when no route
// matched), attributes http.request.method, http.route, http.response.status_code and
// vigil.request_id; status error for 5xx. Span times come from the SpanClock (wall time): the end is
// "now", the start is the end minus the request's measured latency.
//
// Ownership: the sink and clock are borrowed and must outlive the link.
#include "http/middleware.h"
#include "observability/span.h"

namespace vigil::middleware {

class AccessLogLink final : public http::Middleware {
 public:
  explicit AccessLogLink(
      observability::SpanSink* spans = nullptr,
      const observability::SpanClock& span_clock = observability::SystemSpanClock::instance())
      : spans_(spans), span_clock_(span_clock) {}
  [[nodiscard]] std::string_view name() const override { return "access-log"; }
  http::asio::awaitable<http::Verdict> on_request(http::RequestContext&) override {
    co_return http::Verdict::proceed();
  }
  void on_response(http::RequestContext& ctx, std::optional<http::Response>& res) noexcept override;

 private:
  void record_span(const http::RequestContext& ctx, unsigned status, std::chrono::nanoseconds latency) const;

  observability::SpanSink* const spans_;  // null: no spans
  const observability::SpanClock& span_clock_;
};

}  // namespace vigil::middleware
