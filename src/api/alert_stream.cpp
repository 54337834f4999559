// GET /v1/alerts/stream: Server-Sent Events, one event per alert opened or changed.
//
// Frames: "id: <event_id>\nevent: <opened|updated|acknowledged|resolved>\ndata: <alert event JSON>\n\n",
// and ": keepalive" comments while idle. Resume: a client that sends Last-Event-ID (header, or the
// last_event_id query parameter for clients that cannot set headers) first gets every stored event
// after it, then live ones; without it the stream starts with the next event. Gap-free: the handler
// subscribes to the bus before reading the backlog and skips what it already sent.
//
// A client too slow to keep up overflows its bounded queue; the stream is then closed and the client
// resumes from its Last-Event-ID, so a slow reader costs bounded memory and loses nothing.
#include <fmt/format.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/json/serialize.hpp>
#include <charconv>
#include <memory>
#include <string>

#include "api/access.h"
#include "api/query.h"
#include "api/routes.h"
#include "http/blocking.h"
#include "http/problem.h"

namespace vigil::api::detail {
namespace {

namespace asio = boost::asio;
using http::Status;

constexpr std::size_t kBacklogPage = 500;
constexpr auto kWriteTimeout = std::chrono::seconds(30);
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

// Shared between the handler (on the connection's I/O thread) and the bus's notify callback (on the
// publishing thread), which only ever posts to that thread's executor.
struct StreamSignal {
  explicit StreamSignal(const asio::any_io_executor& ex) : timer(ex) {}
  asio::steady_timer timer;
  bool pending = false;  // events may be queued in the subscription
  bool stop = false;     // the server is draining
};

void append_frame(const alerts::AlertEvent& event, std::string& out, const auth::Principal* viewer) {
  // Each subscriber sees only the alerts of sites it may read.
  if (viewer == nullptr || !auth::may_read_site(*viewer, event.alert.trial_id, event.alert.site_id)) return;
  fmt::format_to(std::back_inserter(out), "id: {}\nevent: {}\ndata: {}\n\n", event.event_id,
                 alerts::to_string(event.kind), boost::json::serialize(alerts::to_json(event)));
}

std::optional<std::uint64_t> parse_event_id(std::string_view text) {
  std::uint64_t id = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc{} || ptr != text.data() + text.size()) return std::nullopt;
  return id;
}

asio::awaitable<bool> send(http::RequestContext& ctx, const std::string& bytes) {
  ctx.stream.expires_after(kWriteTimeout);
  auto [ec, n] = co_await asio::async_write(ctx.stream, asio::buffer(bytes), kTuple);
  co_return !ec;
}

asio::awaitable<std::optional<http::Response>> stream_alerts(const ApiDeps& deps, const ApiOptions& options,
                                                             http::RequestContext& ctx) {
  if (ctx.draining.load()) {
    co_return unavailable("shutting-down", "Server shutting down", "reconnect to another instance or later",
                          options.retry_after);
  }
  const auto* viewer = principal_of(ctx);
  if (auto denied = authorize(deps, ctx, "alert.stream", "alerts", [](const auth::Principal& p) {
        const bool staff = p.role != auth::Role::device && p.role != auth::Role::patient;
        return auth::Decision{staff, staff ? "" : "devices and patient apps do not read alerts"};
      })) {
    co_return denied;
  }
  QueryParams q(ctx.query);
  q.reject_unknown({"last_event_id"});
  std::string_view resume = ctx.request["Last-Event-ID"];
  std::optional<std::string> from_query = q.non_empty("last_event_id");
  if (resume.empty() && from_query) resume = *from_query;
  std::optional<std::uint64_t> last_sent;
  if (!resume.empty()) {
    last_sent = parse_event_id(resume);
    if (!last_sent) q.add_error("last_event_id", "must be a non-negative integer event id");
  }
  if (!q.errors().empty()) {
    co_return http::problem(Status::bad_request, "invalid-query", "Invalid stream request",
                            fmt::format("{}: {}", q.errors().front().path, q.errors().front().message),
                            {{"errors", to_json(q.errors())}});
  }

  auto signal = std::make_shared<StreamSignal>(co_await asio::this_coro::executor);
  std::weak_ptr<StreamSignal> weak = signal;
  auto subscription = deps.alerts.bus().subscribe(options.sse_queue, [weak] {
    if (auto s = weak.lock()) {
      asio::post(s->timer.get_executor(), [s] {
        s->pending = true;
        s->timer.cancel();
      });
    }
  });
  ctx.hooks.on_drain = [signal] {
    signal->stop = true;
    signal->timer.cancel();
  };
  if (!last_sent)
    last_sent = co_await http::run_blocking(deps.blocking, [&] { return deps.alerts.last_event_id(); });

  std::string out =
      "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
      "Connection: close\r\nServer: vigil\r\n\r\nretry: 2000\n\n";
  // The backlog a resuming client missed, page by page.
  for (;;) {
    const auto after = *last_sent;
    auto events = co_await http::run_blocking(deps.blocking,
                                              [&] { return deps.alerts.events_after(after, kBacklogPage); });
    for (const auto& e : events) append_frame(e, out, viewer);
    if (!events.empty()) last_sent = events.back().event_id;
    if (!co_await send(ctx, out)) co_return std::nullopt;
    out.clear();
    if (events.size() < kBacklogPage) break;
  }

  std::vector<alerts::AlertEvent> events;
  while (!signal->stop) {
    if (!signal->pending) {
      signal->timer.expires_after(options.sse_keepalive);
      auto [ec] = co_await signal->timer.async_wait(kTuple);
      if (signal->stop) break;
      if (!ec && !signal->pending) {
        if (!co_await send(ctx, ": keepalive\n\n")) break;
        continue;
      }
    }
    signal->pending = false;
    events.clear();
    subscription->drain(events);
    for (const auto& e : events) {
      if (e.event_id <= *last_sent) continue;
      append_frame(e, out, viewer);
      last_sent = e.event_id;
    }
    if (!out.empty() && !co_await send(ctx, out)) break;
    out.clear();
    if (subscription->overflowed()) break;  // the client resumes from its Last-Event-ID
  }
  co_return std::nullopt;
}

}  // namespace

void add_alert_stream_route(http::Router& router, const ApiDeps& deps, const ApiOptions& options) {
  router.add(
      http::Verb::get, "/v1/alerts/stream",
      [deps, options](http::RequestContext& ctx) { return stream_alerts(deps, options, ctx); },
      http::RouteOptions{.group = "stream", .streaming = true});
}

}  // namespace vigil::api::detail
