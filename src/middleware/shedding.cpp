#include "middleware/shedding.h"

#include <memory>

namespace vigil::middleware {

using Ticket = resilience::AdaptiveShedder::Ticket;

SheddingLink::SheddingLink(resilience::AdaptiveShedder& shedder, std::chrono::milliseconds retry_after,
                           RefusalCounters& refused)
    : shedder_(shedder), retry_after_(retry_after), refused_(refused) {}

http::asio::awaitable<http::Verdict> SheddingLink::on_request(http::RequestContext& ctx) {
  // Streams: their lifetime is not latency. Health checks: a shed probe would make an orchestrator
  // restart a node that is merely busy.
  if (ctx.route != nullptr && (ctx.route->options.streaming || ctx.route->options.open)) {
    co_return http::Verdict::proceed();
  }
  const bool intake = ctx.route != nullptr && ctx.route->options.priority == http::RoutePriority::high;
  auto ticket = shedder_.allow(intake ? resilience::Priority::high : resilience::Priority::low);
  if (!ticket) {
    refused_.shed.inc();
    co_return http::Verdict::stop(service_unavailable(
        "overloaded", "Server overloaded", "the server is shedding load to protect observation intake; retry later",
        retry_after_));
  }
  ctx.admission = std::make_shared<Ticket>(std::move(*ticket));
  co_return http::Verdict::proceed();
}

void SheddingLink::on_response(http::RequestContext& ctx, std::optional<http::Response>& res) noexcept {
  if (!ctx.admission) return;
  auto* ticket = static_cast<Ticket*>(ctx.admission.get());
  if (!res || res->result_int() < 500) {
    ticket->pass();
  } else {
    ticket->fail();
  }
  ctx.admission.reset();
}

}  // namespace vigil::middleware
