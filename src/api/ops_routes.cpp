// Operator routes, admins only: GET /metrics (Prometheus text format), GET /debug/pprof/profile
// (a CPU profile in pprof's format, gperftools) and GET /debug/pprof/heap (allocator statistics).
#include <fmt/format.h>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <string>

#include "api/access.h"
#include "api/query.h"
#include "api/routes.h"
#include "http/blocking.h"
#include "http/problem.h"

namespace vigil::api::detail {
namespace {

using http::Status;

http::Response body(std::string text, std::string_view content_type) {
  http::Response res{Status::ok, 11};
  res.set(http::bhttp::field::content_type, content_type);
  res.set(http::bhttp::field::cache_control, "no-store");
  res.body() = std::move(text);
  res.prepare_payload();
  return res;
}

std::optional<http::Response> admin_only(const ApiDeps& deps, const http::RequestContext& ctx, std::string_view what) {
  return authorize(deps, ctx, what, "node", [](const auth::Principal& p) { return auth::may_manage(p); });
}

boost::asio::awaitable<std::optional<http::Response>> metrics(const ApiDeps& deps, http::RequestContext& ctx) {
  if (auto denied = admin_only(deps, ctx, "metrics.read")) co_return denied;
  co_return body(deps.metrics->expose(), "text/plain; version=0.0.4; charset=utf-8");
}

boost::asio::awaitable<std::optional<http::Response>> cpu_profile(const ApiDeps& deps, http::RequestContext& ctx) {
  if (auto denied = admin_only(deps, ctx, "profile.cpu")) co_return denied;
  QueryParams q(ctx.query);
  q.reject_unknown({"seconds"});
  const auto seconds = q.count("seconds", 1, 60).value_or(30);
  // As Go's net/http/pprof does with its write timeout: a profile the caller would stop waiting for
  // is refused up front (a second is kept for stopping the profiler and sending the answer).
  const auto left = ctx.deadline - std::chrono::steady_clock::now();
  if (q.errors().empty() && std::chrono::seconds(seconds) + std::chrono::seconds(1) > left) {
    q.add_error("seconds", fmt::format("is longer than the request's deadline allows ({} s left)",
                                       std::chrono::duration_cast<std::chrono::seconds>(left).count()));
  }
  if (!q.errors().empty()) {
    co_return http::problem(Status::bad_request, "invalid-query", "Invalid query parameters",
                            fmt::format("{}: {}", q.errors().front().path, q.errors().front().message),
                            {{"errors", to_json(q.errors())}});
  }
  auto* profiler = deps.profiler;
  auto start = [profiler] { return profiler->start(); };
  const auto started = co_await http::run_blocking(deps.blocking, ctx.deadline, std::move(start));
  if (started == observability::CpuProfiler::StartResult::busy) {
    co_return http::problem(Status::conflict, "profile-running", "A profile is already running",
                            "one CPU profile at a time; retry when the running one ends");
  }
  if (started != observability::CpuProfiler::StartResult::started) {
    co_return http::problem(Status::internal_server_error, "profile-failed", "Profiler unavailable",
                            "the CPU profiler could not start");
  }
  boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, std::chrono::seconds(seconds));
  co_await timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
  // Stopping must happen even past the deadline, or the process-wide profiler stays on.
  auto stop = [profiler] { return profiler->stop_and_read(); };
  std::string profile = co_await http::run_blocking(deps.blocking, std::move(stop));
  auto res = body(std::move(profile), "application/octet-stream");
  res.set(http::bhttp::field::content_disposition, R"(attachment; filename="vigil.cpu.prof")");
  co_return res;
}

boost::asio::awaitable<std::optional<http::Response>> heap(const ApiDeps& deps, http::RequestContext& ctx) {
  if (auto denied = admin_only(deps, ctx, "profile.heap")) co_return denied;
  co_return body(observability::malloc_stats_text(), "text/plain; charset=utf-8");
}

}  // namespace

void add_ops_routes(http::Router& router, const ApiDeps& deps) {
  if (deps.metrics != nullptr) {
    router.add(
        http::Verb::get, "/metrics", [deps](http::RequestContext& ctx) { return metrics(deps, ctx); },
        http::RouteOptions{.group = "read"});
  }
  if (deps.profiler != nullptr) {
    router.add(
        http::Verb::get, "/debug/pprof/profile", [deps](http::RequestContext& ctx) { return cpu_profile(deps, ctx); },
        http::RouteOptions{.group = "debug", .timeout = std::chrono::seconds(90)});
    router.add(
        http::Verb::get, "/debug/pprof/heap", [deps](http::RequestContext& ctx) { return heap(deps, ctx); },
        http::RouteOptions{.group = "debug"});
  }
}

}  // namespace vigil::api::detail
