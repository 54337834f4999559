#pragma once
// Link 7, "deadline": every request gets a deadline, the route group's default (deadlines in
// etc/vigil.yaml) shortened by the client's X-Request-Timeout-Ms or grpc-timeout if smaller. A
// malformed timeout header is a 400 (the client asked for something we cannot honour). Handlers
// stop waiting at the deadline (http/blocking.h, the durable append) and the server answers 504.
// Streams get no deadline.
#include <map>
#include <string>

#include "http/middleware.h"

namespace vigil::middleware {

class DeadlineLink final : public http::Middleware {
 public:
  // `groups` must contain "default", used for groups without an entry.
  explicit DeadlineLink(std::map<std::string, std::chrono::milliseconds> groups);
  [[nodiscard]] std::string_view name() const override { return "deadline"; }
  http::asio::awaitable<http::Verdict> on_request(http::RequestContext& ctx) override;

 private:
  const std::map<std::string, std::chrono::milliseconds, std::less<>> groups_;
  std::chrono::milliseconds default_;
};

}  // namespace vigil::middleware
