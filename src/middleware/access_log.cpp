#include "middleware/access_log.h"

#include <spdlog/spdlog.h>

namespace vigil::middleware {

void AccessLogLink::on_response(http::RequestContext& ctx, std::optional<http::Response>& res) noexcept {
  if (!spdlog::should_log(spdlog::level::info)) return;
  try {
    const auto us =
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - ctx.received_at);
    const std::string_view route = ctx.route != nullptr ? std::string_view(ctx.route->pattern) : "(none)";
    spdlog::info("http {} {} status={} latency_us={} request_id={} trace_id={} remote={}",
                 std::string_view(ctx.request.method_string()), route, res ? res->result_int() : 200U, us.count(),
                 ctx.request_id, ctx.trace_id, ctx.remote_address);
  } catch (...) {  // logging must never fail a request
  }
}

}  // namespace vigil::middleware
