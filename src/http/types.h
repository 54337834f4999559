#pragma once
// Vocabulary of the HTTP layer: request/response types, the per-request context handed to route
// handlers, and the handler signature.
#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

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

// Per-connection state a streaming handler may hook into.
struct ConnectionHooks {
  // Called on the connection's strand when the server starts draining; a streaming handler sets it
  // to end its stream (cancel its timers). Cleared by the server once the handler returns.
  std::function<void()> on_drain;
};

// Everything a handler gets. Lives for one request; references stay valid until the handler's
// coroutine completes. Handlers run on the connection's strand.
struct RequestContext {
  Request& request;
  beast::tcp_stream& stream;  // for streaming handlers (Server-Sent Events) only
  std::string_view path;      // target without the query string
  std::string_view query;     // raw query string without '?', possibly empty
  PathParams params;
  std::chrono::steady_clock::time_point received_at;
  const std::atomic<bool>& draining;  // true once shutdown began
  ConnectionHooks& hooks;
};

// A handler returns the response to send, or std::nullopt when it wrote to the stream itself
// (streaming); the connection is then closed after the handler returns.
using Handler = std::function<asio::awaitable<std::optional<Response>>(RequestContext&)>;

}  // namespace vigil::http
