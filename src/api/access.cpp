#include "api/access.h"

#include <spdlog/spdlog.h>

#include "http/problem.h"
#include "observability/log_context.h"

namespace vigil::api::detail {

const auth::Principal* principal_of(const http::RequestContext& ctx) {
  return ctx.principal.get();
}

std::optional<http::Response> deny_unless(const ApiDeps& deps, const http::RequestContext& ctx,
                                          const auth::Decision& decision, std::string_view action,
                                          std::string_view entity) {
  if (decision.allowed) return std::nullopt;
  const auto* p = principal_of(ctx);
  AccessDenied denied{p != nullptr ? p->subject : std::string(),
                      p != nullptr ? std::string(auth::to_string(p->role)) : std::string(),
                      std::string(action),
                      std::string(entity),
                      decision.reason,
                      ctx.request_id,
                      std::string(ctx.remote_address)};
  {
    const observability::LogScope ids(ctx.request_id, ctx.trace_id);
    spdlog::warn("access denied: subject={} role={} action={} entity={}", denied.subject, denied.role,
                 denied.action, denied.entity);
    if (deps.on_denied) deps.on_denied(denied);  // its log lines, if any, name the request too
  }
  return http::problem(http::Status::forbidden, "forbidden", "Forbidden",
                       "your credentials do not allow this action on this resource");
}

}  // namespace vigil::api::detail
