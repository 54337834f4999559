#pragma once
// Link 8, "authentication": who is calling. Every route except the open ones (health checks)
// needs one of:
//   Authorization: Bearer <JWT>      staff and patient apps (auth::JwtVerifier: HS256/RS256/ES256,
//                                    exp, nbf, iss, aud)
//   X-API-Key: vk_...                devices (or "Authorization: ApiKey vk_..."); looked up by hash
// On success ctx.principal is set; authorisation by role and site happens in the handlers, which
// know the resource (auth/policy.h). On failure: 401 problem+json with WWW-Authenticate, a body that
// says only "missing or invalid credentials" (never which check failed), and one call to the
// failure sink (the audit trail) with the reason.
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/thread_pool.hpp>

#include "auth/jwt.h"
#include "auth/principal.h"
#include "http/middleware.h"
#include "middleware/refusal.h"

namespace vigil::middleware {

// Device API keys by hash (auth::hash_api_key). Implemented over the registry store with a cache.
// Thread safety: both methods may be called from any thread.
class DeviceKeyDirectory {
 public:
  virtual ~DeviceKeyDirectory() = default;
  // Non-blocking: the cached answer, if there is one. The outer optional is "known to the cache";
  // the inner one is empty for an unknown or revoked key.
  [[nodiscard]] virtual std::optional<std::optional<auth::Principal>> cached(const std::string& key_hash) const = 0;
  // May block on the store; called on the blocking pool.
  [[nodiscard]] virtual std::optional<auth::Principal> resolve(const std::string& key_hash) const = 0;
};

// A refused authentication, for the audit trail. No secrets: the credential itself is never passed.
struct AuthFailure {
  std::string reason;  // "missing-credentials", "expired", "bad_signature", "unknown-api-key", ...
  std::string route;   // pattern, or the path when no route matched
  std::string method;
  std::string remote_address;
  std::string request_id;
};
using AuthFailureSink = std::function<void(const AuthFailure&)>;

class AuthenticationLink final : public http::Middleware {
 public:
  // `jwt` must outlive the link; `devices` may be null (no device keys accepted). `on_failure` runs
  // on the network thread and must not block (the audit sink queues its write).
  AuthenticationLink(const auth::JwtVerifier& jwt, std::shared_ptr<const DeviceKeyDirectory> devices,
                     boost::asio::thread_pool& blocking, AuthFailureSink on_failure, RefusalCounters& refused);
  [[nodiscard]] std::string_view name() const override { return "authentication"; }
  http::asio::awaitable<http::Verdict> on_request(http::RequestContext& ctx) override;

 private:
  http::Verdict refuse(http::RequestContext& ctx, std::string reason, bool presented);
  http::asio::awaitable<std::optional<auth::Principal>> device(http::RequestContext& ctx, std::string_view key);

  const auth::JwtVerifier& jwt_;
  const std::shared_ptr<const DeviceKeyDirectory> devices_;
  boost::asio::thread_pool& blocking_;
  const AuthFailureSink on_failure_;
  RefusalCounters& refused_;
};

}  // namespace vigil::middleware
