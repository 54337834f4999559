#include "middleware/body_limit.h"

#include <fmt/format.h>

#include "http/problem.h"

namespace vigil::middleware {

http::asio::awaitable<http::Verdict> BodyLimitLink::on_request(http::RequestContext& ctx) {
  if (ctx.route == nullptr) co_return http::Verdict::proceed();
  const auto limit = ctx.route->options.max_body_bytes;
  if (limit == 0 || ctx.request.body().size() <= limit) co_return http::Verdict::proceed();
  refused_.body_limit.inc();
  ctx.close_connection = true;
  co_return http::Verdict::stop(http::problem(http::Status::payload_too_large, "body-too-large",
                                              "Request body too large",
                                              fmt::format("{} accepts bodies of at most {} bytes", ctx.route->pattern, limit)));
}

}  // namespace vigil::middleware
