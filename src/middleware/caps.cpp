#include "middleware/caps.h"

#include <fmt/format.h>

namespace vigil::middleware {

CapsLink::CapsLink(CapsOptions options, std::function<std::size_t()> open_connections, RefusalCounters& refused)
    : options_(options), open_connections_(std::move(open_connections)), refused_(refused) {}

http::asio::awaitable<http::Verdict> CapsLink::on_request(http::RequestContext& ctx) {
  if (ctx.request_on_connection == 1 && open_connections_ && open_connections_() > options_.max_connections) {
    refused_.connection_cap.inc();
    ctx.close_connection = true;
    co_return http::Verdict::stop(service_unavailable(
        "too-many-connections", "Too many connections",
        fmt::format("the server holds its maximum of {} open connections", options_.max_connections),
        options_.retry_after));
  }
  if (counted(ctx) && in_flight_.fetch_add(1, std::memory_order_relaxed) >= options_.max_in_flight) {
    in_flight_.fetch_sub(1, std::memory_order_relaxed);
    refused_.in_flight_cap.inc();
    co_return http::Verdict::stop(service_unavailable(
        "too-many-requests-in-flight", "Server busy",
        fmt::format("the server is handling its maximum of {} requests", options_.max_in_flight),
        options_.retry_after));
  }
  co_return http::Verdict::proceed();
}

void CapsLink::on_response(http::RequestContext& ctx, std::optional<http::Response>&) noexcept {
  if (counted(ctx)) in_flight_.fetch_sub(1, std::memory_order_relaxed);
}

}  // namespace vigil::middleware
