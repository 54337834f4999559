#include "middleware/deadline.h"

#include <fmt/format.h>

#include <stdexcept>

#include "http/problem.h"
#include "resilience/deadline.h"

namespace vigil::middleware {

DeadlineLink::DeadlineLink(std::map<std::string, std::chrono::milliseconds> groups)
    : groups_(groups.begin(), groups.end()) {
  const auto it = groups_.find("default");
  if (it == groups_.end()) throw std::invalid_argument("deadlines need a 'default' group");
  default_ = it->second;
}

http::asio::awaitable<http::Verdict> DeadlineLink::on_request(http::RequestContext& ctx) {
  if (ctx.route != nullptr && ctx.route->options.streaming) co_return http::Verdict::proceed();
  auto route_default = default_;
  if (ctx.route != nullptr) {
    const auto it = groups_.find(ctx.route->options.group);
    route_default = it != groups_.end() ? it->second : ctx.route->options.timeout;
  }
  std::optional<std::chrono::milliseconds> client;
  for (const auto& [header, parse] :
       {std::pair{std::string_view("X-Request-Timeout-Ms"), &resilience::parse_request_timeout_ms},
        std::pair{std::string_view("grpc-timeout"), &resilience::parse_grpc_timeout}}) {
    const std::string_view value = ctx.request[header];
    if (value.empty()) continue;
    const auto parsed = parse(value);
    if (!parsed.ok()) {
      co_return http::Verdict::stop(http::problem(http::Status::bad_request, "bad-timeout", "Malformed timeout header",
                                                  fmt::format("{}: {}", header, parsed.error),
                                                  {{"errors", {{{"path", header}, {"message", parsed.error}}}}}));
    }
    client = client ? std::min(*client, *parsed.value) : *parsed.value;
  }
  ctx.deadline = ctx.received_at + resilience::effective_timeout(route_default, client);
  co_return http::Verdict::proceed();
}

}  // namespace vigil::middleware
