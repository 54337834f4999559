#pragma once
// Link 1, "request-id": gives every request an id and a W3C trace context before anything else
// runs, so every later link, log line and downstream call can name them, and returns both to the
// client (X-Request-Id, traceparent).
//
// A client's X-Request-Id is kept when it is 1-64 characters of [A-Za-z0-9._-] (anything else is
// replaced, so ids can never inject into logs); a valid incoming traceparent continues that trace
// with a new span for this hop; otherwise a new trace starts.
#include "http/middleware.h"

namespace vigil::middleware {

class RequestIdLink final : public http::Middleware {
 public:
  [[nodiscard]] std::string_view name() const override { return "request-id"; }
  http::asio::awaitable<http::Verdict> on_request(http::RequestContext& ctx) override;
  void on_response(http::RequestContext& ctx, std::optional<http::Response>& res) noexcept override;
};

// True for ids we echo: 1-64 of [A-Za-z0-9._-].
bool acceptable_request_id(std::string_view id);

}  // namespace vigil::middleware
