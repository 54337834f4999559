#pragma once
// Internal to the api module: what the registry management routes (registry_*.cpp, audit_routes.cpp)
// share: running store calls on the blocking pool under the request deadline, mapping StoreError to
// problem+json, path and paging parameters, and the read rules that auth/policy.h leaves to the
// resource (trials and registry records).
//
// Every store call goes through store_call(): the work runs on ApiDeps::blocking and must own what
// it touches (capture by value), since at the deadline the handler stops waiting and the work may
// finish later (http/blocking.h).
#include <boost/asio/awaitable.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/api.h"
#include "api/query.h"
#include "api/routes.h"
#include "auth/policy.h"
#include "auth/principal.h"
#include "http/blocking.h"
#include "http/types.h"
#include "observability/log_context.h"
#include "resilience/breaker.h"
#include "resilience/bulkhead.h"
#include "store/registry_store.h"

namespace vigil::api::detail {

// What every registry handler captures (by value: ApiDeps only holds references).
struct RegistryRoutes {
  ApiDeps deps;
  ApiOptions options;
};

void add_trial_routes(http::Router& router, const RegistryRoutes& r);
void add_site_routes(http::Router& router, const RegistryRoutes& r);
void add_patient_registry_routes(http::Router& router, const RegistryRoutes& r);
void add_patient_status_routes(http::Router& router, const RegistryRoutes& r);
void add_device_routes(http::Router& router, const RegistryRoutes& r);
void add_user_routes(http::Router& router, const RegistryRoutes& r);
void add_protocol_routes(http::Router& router, const RegistryRoutes& r);
void add_audit_routes(http::Router& router, const RegistryRoutes& r);

inline const http::RouteOptions kReadRoute{.group = "read"};
inline const http::RouteOptions kWriteRoute{.group = "admin"};

// A status change the rules refuse, with the entity's status at the time (thrown on the pool by
// transition() below, answered as 409 with "from" and "to").
class TransitionRefused : public store::StoreError {
 public:
  TransitionRefused(const store::StoreError& e, std::string from_status, std::string to_status)
      : store::StoreError(e), from(std::move(from_status)), to(std::move(to_status)) {}
  std::string from;
  std::string to;
};

// Runs `change`; when it throws invalid_transition, rethrows it as TransitionRefused with the
// status `status_now()` reports. Both run on the blocking pool.
template <typename Change, typename StatusNow>
auto transition(Change& change, StatusNow& status_now, std::string to) {
  try {
    return change();
  } catch (const store::StoreError& e) {
    if (e.code() != store::StoreError::Code::invalid_transition) throw;
    throw TransitionRefused(e, status_now(), std::move(to));
  }
}

// How a store failure of a call is answered: invalid_argument is the caller's query (400) on a
// listing and the body (422) on a write.
enum class CallKind { read, write };
http::Response store_problem(const store::StoreError& e, const ApiOptions& options, CallKind kind);

template <typename T>
struct Outcome {
  std::optional<T> value;
  std::optional<http::Response> problem;  // set instead of value when the store refused
};

// co_await store_call(r, ctx, CallKind::write, work): `work` runs on the blocking pool; a StoreError
// becomes the problem to return. DeadlineExceeded and other exceptions propagate (504, 500).
// 503 when the store's breaker refuses a call or its bulkhead is full: fail fast instead of waiting.
http::Response store_refused(std::string_view why, const ApiOptions& options);

// A CLIENT span around one registry-store call ("registry-store read" or "write"), a child of the
// request's server span, recorded by finish() when ApiDeps::spans is set and the request's trace
// is sampled; otherwise it does nothing.
class StoreSpan {
 public:
  StoreSpan(const ApiDeps& deps, const http::RequestContext& ctx, CallKind kind);
  void finish(bool failed) noexcept;

 private:
  observability::SpanSink* sink_ = nullptr;
  const observability::SpanClock* clock_ = nullptr;
  observability::Span span_;
};

// co_await store_call(r, ctx, CallKind::write, work): `work` runs on the store's bulkhead (its own
// bounded pool; ApiDeps::blocking when none) behind the store's circuit breaker; a StoreError
// becomes the problem to return. A call the breaker refuses, or that finds the bulkhead full, is
// answered 503 at once (the fallback). A timeout or an unavailable store counts as a failure for
// the breaker; any answer from the store, even a refusal, as a success. DeadlineExceeded and other
// exceptions propagate (504, 500).
template <typename Fn>
auto store_call(const RegistryRoutes& r, const http::RequestContext& ctx, CallKind kind, Fn work)
    -> boost::asio::awaitable<Outcome<decltype(work())>> {
  Outcome<decltype(work())> out;
  auto* breaker = r.deps.store_breaker;
  auto* bulkhead = r.deps.store_bulkhead;
  if (breaker != nullptr && !breaker->allow()) {
    out.problem = store_refused("the registry store is failing; calls are being refused to let it recover",
                                r.options);
    co_return out;
  }
  std::shared_ptr<resilience::Bulkhead::Permit> permit;
  if (bulkhead != nullptr) {
    auto p = bulkhead->try_enter();
    if (!p) {
      if (breaker != nullptr) breaker->on_failure();
      out.problem = store_refused("every registry store connection is busy", r.options);
      co_return out;
    }
    permit = std::make_shared<resilience::Bulkhead::Permit>(std::move(*p));
  }
  // The permit is held by the work itself, so a call abandoned at its deadline keeps its slot
  // until it really ends: a hung store fills the bulkhead, not the other pools.
  // After a successful write, the live registry is rebuilt before the answer goes out, so the
  // change applies to the next reading (ApiDeps::refresh_registry).
  // The refresh's log lines (a failure) name the request that made the change.
  auto guarded = [permit, work = std::move(work),
                  refresh = kind == CallKind::write ? r.deps.refresh_registry : std::function<void()>{},
                  request_id = ctx.request_id, trace_id = ctx.trace_id]() mutable {
    auto result = work();
    if (refresh) {
      const observability::LogScope ids(request_id, trace_id);
      refresh();
    }
    return result;
  };
  std::optional<TransitionRefused> refused;
  std::optional<store::StoreError> failure;
  bool timed_out = false;
  StoreSpan span(r.deps, ctx, kind);
  try {
    auto result = co_await http::run_blocking(bulkhead != nullptr ? bulkhead->pool() : r.deps.blocking, ctx.deadline,
                                              std::move(guarded));
    out.value.emplace(std::move(result));
  } catch (const TransitionRefused& e) {
    refused.emplace(e);
  } catch (const store::StoreError& e) {
    failure.emplace(e);
  } catch (const http::DeadlineExceeded&) {
    timed_out = true;
  }
  span.finish(timed_out || failure.has_value());
  if (breaker != nullptr) {
    const bool failed = timed_out || (failure && failure->code() == store::StoreError::Code::unavailable);
    if (failed) {
      breaker->on_failure();
    } else {
      breaker->on_success();
    }
  }
  if (timed_out) throw http::DeadlineExceeded();
  if (refused) out.problem = store_problem(*refused, r.options, kind);
  if (failure) out.problem = store_problem(*failure, r.options, kind);
  co_return out;
}

// The path parameter `name`, percent-decoded (ids may hold any character but controls); nullopt
// when its percent-encoding is malformed.
std::optional<std::string> path_param(const http::RequestContext& ctx, std::string_view name);
// 404 for a path whose percent-encoding is malformed, or for an entity that does not exist.
http::Response not_found(std::string_view slug, std::string_view what);
// cursor= and limit= (1..store::kMaxPageLimit, default 100), errors recorded in `q`.
store::PageRequest page_of(QueryParams& q);
// 201 with the body and a Location header.
http::Response created(const boost::json::value& body, const std::string& location);
// `id` percent-encoded for use as one path segment (the inverse of path_param).
std::string segment(std::string_view id);

// The actor of a change: the authenticated subject (writes are authorised first, so it is set).
std::string actor_of(const http::RequestContext& ctx);
// The caller's sites (empty without a principal), for checks that run on the pool.
std::vector<std::string> sites_of(const http::RequestContext& ctx);

// Registry records without a site (devices, users): admins and data managers.
auth::Decision may_read_records(const auth::Principal& p);
// Trial-level data (the trial, its protocols): admins; data managers of that trial (or of all);
// investigators and CRAs when one of their sites belongs to it (`works_in_trial`).
auth::Decision may_read_trial(const auth::Principal& p, std::string_view trial_id, bool works_in_trial);
// Aggregates over every site of a trial (counts): admins and data managers of that trial.
auth::Decision may_read_trial_totals(const auth::Principal& p, std::string_view trial_id);
// Blocking: whether one of `sites` belongs to `trial_id`.
bool works_in_trial(store::RegistryStore& store, const std::vector<std::string>& sites,
                    std::string_view trial_id);

}  // namespace vigil::api::detail
