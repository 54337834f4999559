#pragma once
// Link 6, "load-shedding": adaptive shedding (resilience::AdaptiveShedder, go-zero's algorithm
// with two priorities). Observation intake routes are high priority, everything else low, so reads
// are shed first. Streams are not admitted through the shedder: their lifetime is not latency.
// A shed request gets 503 with Retry-After; an admitted one settles its ticket when the response
// leaves: pass for anything below 500, fail otherwise.
#include "http/middleware.h"
#include "middleware/refusal.h"
#include "resilience/shedder.h"

namespace vigil::middleware {

class SheddingLink final : public http::Middleware {
 public:
  SheddingLink(resilience::AdaptiveShedder& shedder, std::chrono::milliseconds retry_after, RefusalCounters& refused);
  [[nodiscard]] std::string_view name() const override { return "load-shedding"; }
  http::asio::awaitable<http::Verdict> on_request(http::RequestContext& ctx) override;
  void on_response(http::RequestContext& ctx, std::optional<http::Response>& res) noexcept override;

 private:
  resilience::AdaptiveShedder& shedder_;
  const std::chrono::milliseconds retry_after_;
  RefusalCounters& refused_;
};

}  // namespace vigil::middleware
