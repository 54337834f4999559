#include "middleware/rate_limit.h"

#include <fmt/format.h>

#include <functional>
#include <stdexcept>

#include "http/problem.h"

namespace vigil::middleware {

RateLimitLink::RateLimitLink(resilience::RateLimiter& limiter, std::map<std::string, resilience::RateLimit> groups,
                             RefusalCounters& refused)
    : limiter_(limiter), groups_(groups.begin(), groups.end()), default_(nullptr), refused_(refused) {
  const auto it = groups_.find("default");
  if (it == groups_.end()) throw std::invalid_argument("rate limits need a 'default' group");
  default_ = &it->second;
}

namespace {

std::string_view group_of(const http::RequestContext& ctx) {
  return ctx.route != nullptr ? std::string_view(ctx.route->options.group) : "default";
}

}  // namespace

std::string RateLimitLink::key_for(const http::RequestContext& ctx) {
  KeyBuffer key;
  write_key(ctx, key);
  return fmt::to_string(key);
}

resilience::RateDecision RateLimitLink::acquire(const http::RequestContext& ctx, const resilience::RateLimit& limit) {
  KeyBuffer key;  // on this thread's stack, not in the coroutine frame; no allocation for the key
  write_key(ctx, key);
  return limiter_.acquire(std::string_view(key.data(), key.size()), limit);
}

void RateLimitLink::write_key(const http::RequestContext& ctx, KeyBuffer& out) {
  const std::string_view group = group_of(ctx);
  std::string_view credential = ctx.request[http::bhttp::field::authorization];
  if (credential.empty()) credential = ctx.request["X-API-Key"];
  // Appended by hand, not with fmt: this runs for every request, and fmt parses a runtime format
  // string each time.
  out.append(group);
  if (credential.empty()) {
    out.append(std::string_view("|ip:"));
    out.append(ctx.remote_address);
  } else {
    out.append(std::string_view("|cred:"));
    static constexpr char kHex[] = "0123456789abcdef";
    const std::uint64_t h = std::hash<std::string_view>{}(credential);
    char hex[16];
    for (int i = 0; i < 16; ++i) hex[i] = kHex[(h >> (60 - 4 * i)) & 0xF];
    out.append(std::string_view(hex, sizeof hex));
  }
}

http::asio::awaitable<http::Verdict> RateLimitLink::on_request(http::RequestContext& ctx) {
  // Health checks are never limited: a throttled probe would make an orchestrator kill a busy node.
  if (ctx.route != nullptr && ctx.route->options.open) co_return http::Verdict::proceed();
  const std::string_view group = group_of(ctx);
  const auto it = groups_.find(group);
  const auto& limit = it != groups_.end() ? it->second : *default_;
  const auto d = acquire(ctx, limit);
  if (d.allowed) co_return http::Verdict::proceed();
  refused_.rate_limit.inc();
  auto res = http::problem(http::Status::too_many_requests, "rate-limited", "Too many requests",
                           fmt::format("this client may make {} requests per second in the '{}' group (burst {})",
                                       limit.rate, group, d.limit));
  const auto seconds = [](std::chrono::milliseconds ms) { return std::max<long long>(1, (ms.count() + 999) / 1000); };
  res.set(http::bhttp::field::retry_after, std::to_string(seconds(d.retry_after)));
  res.set("RateLimit-Limit", std::to_string(d.limit));
  res.set("RateLimit-Remaining", std::to_string(d.remaining));
  res.set("RateLimit-Reset", std::to_string(seconds(d.reset)));
  res.set("RateLimit-Policy", fmt::format("{};w={}", d.limit, seconds(std::chrono::milliseconds(
                                                                  static_cast<long long>(1000 * d.limit / limit.rate)))));
  co_return http::Verdict::stop(std::move(res));
}

}  // namespace vigil::middleware
