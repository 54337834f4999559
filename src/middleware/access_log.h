#pragma once
// Link 2, "access-log": one structured line per request at info level, written when the response
// leaves: method, route pattern (never the query string, which may carry filters), status,
// latency, request and trace ids, client address. Never bodies, headers or credentials.
#include "http/middleware.h"

namespace vigil::middleware {

class AccessLogLink final : public http::Middleware {
 public:
  [[nodiscard]] std::string_view name() const override { return "access-log"; }
  http::asio::awaitable<http::Verdict> on_request(http::RequestContext&) override {
    co_return http::Verdict::proceed();
  }
  void on_response(http::RequestContext& ctx, std::optional<http::Response>& res) noexcept override;
};

}  // namespace vigil::middleware
