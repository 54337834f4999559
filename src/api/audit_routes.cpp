// GET /v1/audit?entity_type=&entity_id=&cursor=&limit=: the audit trail in seq order, for admins and
// CRAs (auth::may_read_audit). Records are returned whole, hashes included, so that a reader can
// check the chain (store/audit_chain.h) without trusting this server.
#include "api/access.h"
#include "api/registry_common.h"
#include "api/registry_json.h"
#include "http/problem.h"

namespace vigil::api::detail {
namespace {

using Reply = boost::asio::awaitable<std::optional<http::Response>>;

Reply list_audit(const RegistryRoutes& r, http::RequestContext& ctx) {
  if (auto denied = authorize(r.deps, ctx, "audit.read", "audit", auth::may_read_audit)) co_return denied;
  QueryParams q(ctx.query);
  q.reject_unknown({"entity_type", "entity_id", "cursor", "limit"});
  store::AuditFilter filter;
  filter.entity_type = q.non_empty("entity_type");
  filter.entity_id = q.non_empty("entity_id");
  const auto page = page_of(q);
  if (!q.errors().empty()) co_return invalid_query(q);
  auto work = [store = r.deps.store, filter, page] { return store->list_audit(filter, page); };
  auto outcome = co_await store_call(r, ctx, CallKind::read, std::move(work));
  if (outcome.problem) co_return std::move(outcome.problem);
  co_return page_response("records", *outcome.value,
                          [](const auto& record) { return to_json(record); });
}

}  // namespace

void add_audit_routes(http::Router& router, const RegistryRoutes& r) {
  router.add(
      http::Verb::get, "/v1/audit", [r](http::RequestContext& ctx) { return list_audit(r, ctx); },
      kReadRoute);
}

}  // namespace vigil::api::detail
