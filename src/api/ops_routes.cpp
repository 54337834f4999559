// Operator routes, admins only: GET /metrics (Prometheus text format), GET /debug/pprof/profile
// (a CPU profile in pprof's format, gperftools) and GET /debug/pprof/heap (allocator statistics,
// or with ?seconds=N a heap profile of that window in pprof's format, tcmalloc).
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

// The profile's length from ?seconds= (1-60, `fallback` when absent), or an error in `q`. As Go's
// net/http/pprof does with its write timeout, a profile the caller would stop waiting for is
// refused up front (a second is kept for stopping the profiler and sending the answer).
std::chrono::seconds profile_seconds(QueryParams& q, const http::RequestContext& ctx, std::size_t fallback) {
  const auto seconds = std::chrono::seconds(q.count("seconds", 1, 60).value_or(fallback));
  const auto left = ctx.deadline - std::chrono::steady_clock::now();
  if (q.errors().empty() && seconds + std::chrono::seconds(1) > left) {
    q.add_error("seconds", fmt::format("is longer than the request's deadline allows ({} s left)",
                                       std::chrono::duration_cast<std::chrono::seconds>(left).count()));
  }
  return seconds;
}

// Runs one profile of `seconds` with `profiler` (CpuProfiler or HeapProfiler: start() and
// stop_and_read() touch files, so both run on the blocking pool) and answers it as a download.
template <typename Profiler>
boost::asio::awaitable<std::optional<http::Response>> run_profile(
    const ApiDeps& deps, const http::RequestContext& ctx, Profiler* profiler, std::chrono::seconds seconds,
    std::string_view kind, std::string_view file_name) {
  auto start = [profiler] { return profiler->start(); };
  const auto started = co_await http::run_blocking(deps.blocking, ctx.deadline, std::move(start));
  if (started == observability::ProfileStart::busy) {
    co_return http::problem(Status::conflict, "profile-running", "A profile is already running",
                            fmt::format("one {} profile at a time; retry when the running one ends", kind));
  }
  if (started != observability::ProfileStart::started) {
    co_return http::problem(Status::internal_server_error, "profile-failed", "Profiler unavailable",
                            fmt::format("the {} profiler could not start", kind));
  }
  boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, seconds);
  co_await timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
  // Stopping must happen even past the deadline, or the process-wide profiler stays on.
  auto stop = [profiler] { return profiler->stop_and_read(); };
  std::string profile = co_await http::run_blocking(deps.blocking, std::move(stop));
  auto res = body(std::move(profile), "application/octet-stream");
  res.set(http::bhttp::field::content_disposition, fmt::format(R"(attachment; filename="{}")", file_name));
  co_return res;
}

boost::asio::awaitable<std::optional<http::Response>> cpu_profile(const ApiDeps& deps,
                                                                  http::RequestContext& ctx) {
  if (auto denied = admin_only(deps, ctx, "profile.cpu")) co_return denied;
  QueryParams q(ctx.query);
  q.reject_unknown({"seconds"});
  const auto seconds = profile_seconds(q, ctx, 30);
  if (!q.errors().empty()) co_return invalid_query(q);
  co_return co_await run_profile(deps, ctx, deps.profiler, seconds, "CPU", "vigil.cpu.prof");
}

// Without `seconds`: the allocator's statistics now. With it: a heap profile of that window.
boost::asio::awaitable<std::optional<http::Response>> heap(const ApiDeps& deps, http::RequestContext& ctx) {
  if (auto denied = admin_only(deps, ctx, "profile.heap")) co_return denied;
  QueryParams q(ctx.query);
  q.reject_unknown({"seconds"});
  const bool profile = q.text("seconds").has_value();  // `seconds=` (empty) is a profile request, refused
  const auto seconds = profile ? profile_seconds(q, ctx, 0) : std::chrono::seconds(0);
  if (!q.errors().empty()) co_return invalid_query(q);
  if (!profile) co_return body(observability::malloc_stats_text(), "text/plain; charset=utf-8");
  if (deps.heap_profiler == nullptr || !observability::HeapProfiler::available()) {
    co_return http::problem(Status::not_implemented, "heap-profile-unavailable", "Heap profiles unavailable",
                            "this build does not run on tcmalloc (the sanitizer builds do not), so it "
                            "cannot take heap profiles; the allocator statistics are at /debug/pprof/heap");
  }
  co_return co_await run_profile(deps, ctx, deps.heap_profiler, seconds, "heap", "vigil.heap.prof");
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
        http::RouteOptions{.group = "debug", .timeout = std::chrono::seconds(90)});
  }
}

}  // namespace vigil::api::detail
