#include "middleware/request_id.h"

#include "observability/trace.h"

namespace vigil::middleware {

bool acceptable_request_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (const char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

http::asio::awaitable<http::Verdict> RequestIdLink::on_request(http::RequestContext& ctx) {
  const std::string_view given = ctx.request["X-Request-Id"];
  ctx.request_id = acceptable_request_id(given) ? std::string(given) : observability::new_request_id();
  const auto incoming = observability::parse_traceparent(ctx.request["traceparent"]);
  const auto trace = incoming ? *incoming : observability::new_trace();
  ctx.traceparent = trace.traceparent();
  ctx.trace_id = std::string_view(ctx.traceparent).substr(3, 32);  // "00-" trace-id "-" ...
  co_return http::Verdict::proceed();
}

void RequestIdLink::on_response(http::RequestContext& ctx, std::optional<http::Response>& res) noexcept {
  if (!res) return;
  try {
    res->set("X-Request-Id", ctx.request_id);
    res->set("traceparent", ctx.traceparent);
  } catch (...) {  // allocation failure: the response goes out without the ids
  }
}

}  // namespace vigil::middleware
