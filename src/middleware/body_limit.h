#pragma once
// Link 9, "body-limit": a route's own body limit (RouteOptions::max_body_bytes), tighter than the
// server-wide limit the parser already enforced while reading (server.max_body_bytes), answered
// with 413. It runs after authentication so that an anonymous client learns nothing about routes.
#include "http/middleware.h"
#include "middleware/refusal.h"

namespace vigil::middleware {

class BodyLimitLink final : public http::Middleware {
 public:
  explicit BodyLimitLink(RefusalCounters& refused) : refused_(refused) {}
  [[nodiscard]] std::string_view name() const override { return "body-limit"; }
  http::asio::awaitable<http::Verdict> on_request(http::RequestContext& ctx) override;

 private:
  RefusalCounters& refused_;
};

}  // namespace vigil::middleware
