#include "middleware/authentication.h"

#include <boost/beast/core/string.hpp>

#include "auth/api_key.h"
#include "http/blocking.h"
#include "http/problem.h"
#include "observability/log_context.h"

namespace vigil::middleware {
namespace {

// The credential after a case-insensitive scheme and one space ("Bearer abc" -> "abc").
std::optional<std::string_view> after_scheme(std::string_view header, std::string_view scheme) {
  if (header.size() <= scheme.size() || header[scheme.size()] != ' ') return std::nullopt;
  if (!boost::beast::iequals(header.substr(0, scheme.size()), scheme)) return std::nullopt;
  auto rest = header.substr(scheme.size() + 1);
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  return rest;
}

}  // namespace

AuthenticationLink::AuthenticationLink(const auth::JwtVerifier& jwt, std::shared_ptr<const DeviceKeyDirectory> devices,
                                       boost::asio::thread_pool& blocking, AuthFailureSink on_failure,
                                       RefusalCounters& refused)
    : jwt_(jwt),
      devices_(std::move(devices)),
      blocking_(blocking),
      on_failure_(std::move(on_failure)),
      refused_(refused) {}

http::Verdict AuthenticationLink::refuse(http::RequestContext& ctx, std::string reason, bool presented) {
  refused_.unauthenticated.inc();
  if (on_failure_) {
    const observability::LogScope ids(ctx.request_id, ctx.trace_id);  // for the sink's log lines
    on_failure_(AuthFailure{std::move(reason), ctx.route != nullptr ? ctx.route->pattern : std::string(ctx.path),
                            std::string(ctx.request.method_string()), std::string(ctx.remote_address),
                            ctx.request_id});
  }
  auto res = http::problem(http::Status::unauthorized, "unauthenticated", "Authentication required",
                           "missing or invalid credentials: send Authorization: Bearer <token>, or X-API-Key for "
                           "devices");
  res.set(http::bhttp::field::www_authenticate,
          presented ? R"(Bearer realm="vigil", error="invalid_token")" : R"(Bearer realm="vigil")");
  return http::Verdict::stop(std::move(res));
}

http::asio::awaitable<std::optional<auth::Principal>> AuthenticationLink::device(http::RequestContext& ctx,
                                                                                std::string_view key) {
  if (!devices_ || !auth::looks_like_api_key(key)) co_return std::nullopt;
  const std::string hash = auth::hash_api_key(key);
  if (auto hit = devices_->cached(hash)) co_return *hit;
  // A named lambda and result: g++ 12 miscompiles some `co_return co_await f(temporary lambda)`.
  auto lookup = [devices = devices_, hash] { return devices->resolve(hash); };
  std::optional<auth::Principal> found = co_await http::run_blocking(blocking_, ctx.deadline, std::move(lookup));
  co_return found;
}

http::asio::awaitable<http::Verdict> AuthenticationLink::on_request(http::RequestContext& ctx) {
  if (ctx.route != nullptr && ctx.route->options.open) co_return http::Verdict::proceed();
  const std::string_view authorization = ctx.request[http::bhttp::field::authorization];
  std::string_view api_key = ctx.request["X-API-Key"];
  if (api_key.empty()) api_key = after_scheme(authorization, "ApiKey").value_or(std::string_view{});

  if (!api_key.empty()) {
    auto principal = co_await device(ctx, api_key);
    if (!principal) co_return refuse(ctx, "unknown-api-key", true);
    ctx.principal = std::make_shared<const auth::Principal>(std::move(*principal));
    co_return http::Verdict::proceed();
  }
  const auto token = after_scheme(authorization, "Bearer");
  if (!token) co_return refuse(ctx, authorization.empty() ? "missing-credentials" : "unsupported-scheme", !authorization.empty());
  const auto result = jwt_.verify(*token);
  if (!result.ok()) co_return refuse(ctx, std::string(auth::to_string(result.error)), true);
  auto principal = auth::principal_from_claims(*result.claims);
  if (!principal) co_return refuse(ctx, "unusable-claims", true);
  ctx.principal = std::make_shared<const auth::Principal>(std::move(*principal));
  co_return http::Verdict::proceed();
}

}  // namespace vigil::middleware
