#pragma once
// Vocabulary of the HTTP layer: request/response types, the per-request context handed to route
// handlers, and the handler signature.
#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vigil::auth {
struct Principal;  // auth/principal.h
}  // namespace vigil::auth

namespace vigil::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

using Request = bhttp::request<bhttp::string_body>;
using Response = bhttp::response<bhttp::string_body>;
using Status = bhttp::status;
using Verb = bhttp::verb;

// Path parameters captured by a route pattern such as /v1/alerts/{id}.
struct PathParams {
  std::vector<std::pair<std::string, std::string>> values;
  [[nodiscard]] std::string_view get(std::string_view name) const {
    for (const auto& [k, v] : values) {
      if (k == name) return v;
    }
    return {};
  }
};

// How a route is treated by the middleware chain (http/middleware.h). Set when the route is
// registered; constant afterwards.
enum class RoutePriority {
  high,  // observation intake: shed last
  low,   // reads and everything else: shed first
};

struct RouteOptions {
  std::string group = "default";  // rate-limit group and metrics label: "intake", "read", "admin", ...
  RoutePriority priority = RoutePriority::low;
  bool open = false;       // true: no authentication (health checks)
  bool streaming = false;  // long-lived responses (SSE): no deadline, not counted in-flight or for shedding
  std::chrono::milliseconds timeout{10'000};  // default deadline; a client may only shorten it
  std::size_t max_body_bytes = 0;             // 0: the server-wide limit
};

// A registered route as the chain sees it.
struct RouteInfo {
  std::string pattern;  // "/v1/alerts/{id}": a bounded label for metrics and logs
  RouteOptions options;
};

// Per-connection state a streaming handler may hook into.
struct ConnectionHooks {
  // Called on the connection's I/O thread when the server starts draining; a streaming handler sets it
  // to end its stream (cancel its timers). Cleared by the server once the handler returns.
  std::function<void()> on_drain;
};

// Everything a handler gets. Lives for one request; references stay valid until the handler's
// coroutine completes. Handlers run on the connection's I/O thread.
struct RequestContext {
  RequestContext(Request& req, beast::tcp_stream& s, std::string_view p, std::string_view q, PathParams pp,
                 std::chrono::steady_clock::time_point received, const std::atomic<bool>& drain,
                 ConnectionHooks& h)
      : request(req), stream(s), path(p), query(q), params(std::move(pp)), received_at(received),
        draining(drain), hooks(h) {}

  Request& request;
  beast::tcp_stream& stream;  // for streaming handlers (Server-Sent Events) only
  std::string_view path;      // target without the query string
  std::string_view query;     // raw query string without '?', possibly empty
  PathParams params;
  std::chrono::steady_clock::time_point received_at;
  const std::atomic<bool>& draining;  // true once shutdown began
  ConnectionHooks& hooks;

  // Filled by the server.
  const RouteInfo* route = nullptr;  // null when no route matched (the chain still runs: 401/404/405)
  std::string_view remote_address;   // the peer's IP address
  std::uint64_t request_on_connection = 0;  // 1 for the first request of a connection

  // Filled by middleware links (http/middleware.h), read by later links and handlers.
  std::string request_id;   // X-Request-Id: the client's if well-formed, else generated
  std::string trace_id;     // W3C trace id (32 hex) of this request
  std::string traceparent;  // this hop's traceparent, passed on downstream and returned
  // The request's deadline; work still waiting at this point is abandoned with 504.
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  std::shared_ptr<const auth::Principal> principal;  // the authenticated caller; null on open routes
  std::shared_ptr<void> admission;  // the load shedder's ticket, settled when the response leaves
  bool close_connection = false;    // a link asks the server to close after this response
};

// A handler returns the response to send, or std::nullopt when it wrote to the stream itself
// (streaming); the connection is then closed after the handler returns.
using Handler = std::function<asio::awaitable<std::optional<Response>>(RequestContext&)>;

}  // namespace vigil::http
