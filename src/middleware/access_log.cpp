#include "middleware/access_log.h"

#include <spdlog/spdlog.h>

#include "observability/log_context.h"
#include "observability/trace.h"

namespace vigil::middleware {
namespace {

// This hop's span as the request-id link laid it out: ctx.traceparent names this hop's span id
// (what parse_traceparent reads as the parent), and the caller's span is the parent named by the
// incoming header, when the request continued that trace.
std::optional<observability::TraceContext> server_span_context(const http::RequestContext& ctx) {
  auto span = observability::span_named_by(ctx.traceparent);
  if (!span) return std::nullopt;
  const auto incoming = observability::parse_traceparent(ctx.request["traceparent"]);
  if (incoming && incoming->trace_id == span->trace_id) span->parent_span_id = incoming->parent_span_id;
  return span;
}

}  // namespace

void AccessLogLink::on_response(http::RequestContext& ctx, std::optional<http::Response>& res) noexcept {
  const bool log = spdlog::should_log(spdlog::level::info);
  if (!log && spans_ == nullptr) return;
  try {
    const auto latency = std::chrono::steady_clock::now() - ctx.received_at;
    const unsigned status = res ? res->result_int() : 200U;
    if (spans_ != nullptr) record_span(ctx, status, latency);
    if (!log) return;
    const std::string_view route = ctx.route != nullptr ? std::string_view(ctx.route->pattern) : "(none)";
    const observability::LogScope ids(ctx.request_id, ctx.trace_id);
    spdlog::info("http {} {} status={} latency_us={} remote={}",
                 std::string_view(ctx.request.method_string()), route, status,
                 std::chrono::duration_cast<std::chrono::microseconds>(latency).count(), ctx.remote_address);
  } catch (...) {  // logging and tracing must never fail a request
  }
}

void AccessLogLink::record_span(const http::RequestContext& ctx, unsigned status,
                                std::chrono::nanoseconds latency) const {
  const auto context = server_span_context(ctx);
  if (!context || !context->sampled()) return;  // the caller asked for this trace not to be recorded
  const std::string method(ctx.request.method_string());
  observability::Span span;
  span.context = *context;
  span.kind = observability::SpanKind::server;
  span.name = ctx.route != nullptr ? method + " " + ctx.route->pattern : method;
  span.end_unix_nanos = span_clock_.now_unix_nanos();
  span.start_unix_nanos = span.end_unix_nanos - latency.count();
  span.attribute("http.request.method", method);
  if (ctx.route != nullptr) span.attribute("http.route", ctx.route->pattern);
  span.attribute("http.response.status_code", static_cast<std::int64_t>(status))
      .attribute("vigil.request_id", ctx.request_id);
  span.error = status >= 500;
  spans_->record(std::move(span));
}

}  // namespace vigil::middleware
