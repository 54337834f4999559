#pragma once
// Internal to the api module: authorisation in the handlers. The authentication link has set
// ctx.principal on every non-open route; handlers ask auth/policy.h about the resource they are
// about to touch (a patient, a site, an alert) and answer 403 when refused. A refusal never says
// why to the client (the reason describes the caller's grants) but is reported through
// ApiDeps::on_denied for the audit trail.
#include <optional>
#include <string_view>

#include "api/api.h"
#include "auth/policy.h"
#include "auth/principal.h"
#include "http/types.h"

namespace vigil::api::detail {

// The authenticated caller; null only when the server runs without the authentication link.
const auth::Principal* principal_of(const http::RequestContext& ctx);

// nullopt when `decision` allows; otherwise the 403 to return (and the denial is reported).
// `action` ("observation.submit", "alert.acknowledge") and `entity` ("patient/DEMO-S01-0007")
// name what was refused, for the audit record.
std::optional<http::Response> deny_unless(const ApiDeps& deps, const http::RequestContext& ctx,
                                          const auth::Decision& decision, std::string_view action,
                                          std::string_view entity);

// Evaluates `check` against the caller, or refuses when there is none (401-equivalent: 403 too,
// since the chain is misconfigured, never a bypass).
template <typename Check>
auth::Decision decide(const http::RequestContext& ctx, Check check) {
  const auto* p = principal_of(ctx);
  return p != nullptr ? check(*p) : auth::Decision{false, "no authenticated principal"};
}

// decide(), then deny_unless(). Where naming the entity costs an allocation on a hot path, call
// decide() and build the entity only for a refusal.
template <typename Check>
std::optional<http::Response> authorize(const ApiDeps& deps, const http::RequestContext& ctx, std::string_view action,
                                        std::string_view entity, Check check) {
  return deny_unless(deps, ctx, decide(ctx, check), action, entity);
}

}  // namespace vigil::api::detail
