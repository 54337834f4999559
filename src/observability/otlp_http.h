#pragma once
// The HTTP side of the OTLP exporter: posts one JSON body to the collector and says whether it was
// accepted (2xx). Plain http:// only; for TLS, point it at a local collector or agent that forwards
// over TLS (a sidecar), which also keeps certificates out of Vigil.
//
// Every exchange has one deadline covering connect, write and read (beast::tcp_stream timers on a
// private io_context run by the calling thread, so the call is synchronous for the caller). Name
// resolution happens once per new connection and is bounded by the system resolver's own timeouts,
// not by the deadline. The connection is kept alive between posts; a post that fails on a reused
// connection before any response arrived (the collector closed it while idle) is tried once more on
// a fresh connection, never more.
//
// Thread safety: none; one thread (the exporter's) uses a client. Errors are values, never thrown.
#include <boost/asio/io_context.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace vigil::observability {

struct HttpEndpoint {
  std::string host;
  std::string port;
  std::string target;  // path, "/v1/traces" when the URL has none
};

// Parses "http://HOST:PORT[/PATH]" (HOST may be a bracketed IPv6 address). nullopt, with the
// reason in *error when given, for anything else: another scheme, no port, a query or fragment.
std::optional<HttpEndpoint> parse_http_endpoint(std::string_view url, std::string* error = nullptr);

struct PostResult {
  bool ok = false;      // the collector answered 2xx
  unsigned status = 0;  // the HTTP status, 0 when no response arrived
  std::string error;    // what went wrong when !ok ("connection refused", "HTTP 500", ...)
};

class OtlpHttpClient {
 public:
  explicit OtlpHttpClient(HttpEndpoint endpoint);
  ~OtlpHttpClient();
  OtlpHttpClient(const OtlpHttpClient&) = delete;
  OtlpHttpClient& operator=(const OtlpHttpClient&) = delete;

  // POSTs `body` with Content-Type application/json; gives up after `timeout`.
  PostResult post(const std::string& body, std::chrono::milliseconds timeout);

 private:
  // One exchange; `stale` tells whether it failed because a kept-alive connection had been closed.
  PostResult attempt(const std::string& body, std::chrono::milliseconds timeout, bool& stale);
  void close();

  const HttpEndpoint endpoint_;
  boost::asio::io_context io_;
  std::unique_ptr<boost::beast::tcp_stream> stream_;  // null while not connected
};

}  // namespace vigil::observability
