#pragma once
// Link 5, "rate-limit": a token bucket per credential and route group (rate and burst per group
// from rate_limits.groups in etc/vigil.yaml). Past it: 429 with Retry-After and the RateLimit-*
// headers of draft-ietf-httpapi-ratelimit-headers (RateLimit-Limit, -Remaining, -Reset, -Policy).
//
// The link runs before authentication (a flood of bad tokens must be cheap to refuse), so the key
// is the credential as presented (a hash of the Authorization or X-API-Key header), or the client
// address when there is none. A client minting forged tokens gets a fresh bucket per token, but
// every forged token is then refused by authentication; its cost is one hash and one signature
// check. The limiter is an interface (resilience::RateLimiter): a shared, Redis-backed one can
// replace the in-process one when Vigil runs scaled out.
#include <fmt/format.h>

#include <map>
#include <string>

#include "http/middleware.h"
#include "middleware/refusal.h"
#include "resilience/rate_limiter.h"

namespace vigil::middleware {

class RateLimitLink final : public http::Middleware {
 public:
  // `groups` must contain "default", used for groups without an entry.
  RateLimitLink(resilience::RateLimiter& limiter, std::map<std::string, resilience::RateLimit> groups,
                RefusalCounters& refused);
  [[nodiscard]] std::string_view name() const override { return "rate-limit"; }
  http::asio::awaitable<http::Verdict> on_request(http::RequestContext& ctx) override;

  // The bucket key for a request: "<group>|<credential hash or address>".
  static std::string key_for(const http::RequestContext& ctx);

 private:
  // Room for "<group>|ip:<IPv6 address>" without a heap allocation.
  using KeyBuffer = fmt::basic_memory_buffer<char, 96>;
  static void write_key(const http::RequestContext& ctx, KeyBuffer& out);
  resilience::RateDecision acquire(const http::RequestContext& ctx, const resilience::RateLimit& limit);

  resilience::RateLimiter& limiter_;
  const std::map<std::string, resilience::RateLimit, std::less<>> groups_;
  const resilience::RateLimit* default_;
  RefusalCounters& refused_;
};

}  // namespace vigil::middleware
