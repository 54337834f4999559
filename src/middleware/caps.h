#pragma once
// Link 4, "caps": hard limits on open connections and on requests in flight, answered with a clean
// 503 (and, past the connection cap, "Connection: close") before any work is done. The connection
// cap is checked on a connection's first request; the in-flight cap on every request except
// streams (their connections count against the connection cap instead) and health checks.
#include <atomic>
#include <cstddef>
#include <functional>

#include "http/middleware.h"
#include "middleware/refusal.h"

namespace vigil::middleware {

struct CapsOptions {
  std::size_t max_connections = 10'000;
  std::size_t max_in_flight = 4'096;
  std::chrono::milliseconds retry_after{1'000};
};

class CapsLink final : public http::Middleware {
 public:
  // `open_connections` reports the server's current count (http::Server::connections()).
  CapsLink(CapsOptions options, std::function<std::size_t()> open_connections, RefusalCounters& refused);
  [[nodiscard]] std::string_view name() const override { return "caps"; }
  http::asio::awaitable<http::Verdict> on_request(http::RequestContext& ctx) override;
  void on_response(http::RequestContext& ctx, std::optional<http::Response>& res) noexcept override;

  [[nodiscard]] std::size_t in_flight() const { return in_flight_.load(std::memory_order_relaxed); }

 private:
  static bool counted(const http::RequestContext& ctx) {
    return ctx.route == nullptr || !(ctx.route->options.streaming || ctx.route->options.open);
  }
  const CapsOptions options_;
  const std::function<std::size_t()> open_connections_;
  RefusalCounters& refused_;
  std::atomic<std::size_t> in_flight_{0};
};

}  // namespace vigil::middleware
