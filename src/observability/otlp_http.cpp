#include "observability/otlp_http.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <exception>

namespace vigil::observability {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;

constexpr auto kAsTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kMaxResponseBytes = 64 * 1024;  // collectors answer with a small status body

struct Outcome {
  PostResult result;
  bool stale_connection = false;  // a reused connection turned out to be closed by the peer
};

bool closed_by_peer(const beast::error_code& ec) {
  return ec == http::error::end_of_stream || ec == asio::error::eof || ec == asio::error::connection_reset ||
         ec == asio::error::broken_pipe;
}

std::string describe(const beast::error_code& ec, std::chrono::milliseconds timeout) {
  if (ec == beast::error::timeout) return "timed out after " + std::to_string(timeout.count()) + "ms";
  return ec.message();
}

asio::awaitable<Outcome> exchange(std::unique_ptr<beast::tcp_stream>& stream, const HttpEndpoint& endpoint,
                                  const std::string& body, std::chrono::milliseconds timeout) {
  Outcome out;
  const bool reused = stream != nullptr;
  if (!reused) {
    auto executor = co_await asio::this_coro::executor;
    tcp::resolver resolver(executor);
    auto [ec, results] = co_await resolver.async_resolve(endpoint.host, endpoint.port, kAsTuple);
    if (ec) {
      out.result.error = "cannot resolve " + endpoint.host + ": " + ec.message();
      co_return out;
    }
    stream = std::make_unique<beast::tcp_stream>(executor);
    stream->expires_after(timeout);  // one deadline for connect, write and read together
    auto [connect_ec, peer] = co_await stream->async_connect(results, kAsTuple);
    if (connect_ec) {
      out.result.error = "cannot connect: " + describe(connect_ec, timeout);
      co_return out;
    }
  } else {
    stream->expires_after(timeout);
  }

  http::request<http::string_body> req{http::verb::post, endpoint.target, 11};
  const bool ipv6 = endpoint.host.find(':') != std::string::npos;
  req.set(http::field::host, (ipv6 ? "[" + endpoint.host + "]" : endpoint.host) + ":" + endpoint.port);
  req.set(http::field::content_type, "application/json");
  req.set(http::field::user_agent, "vigil-otlp");
  req.keep_alive(true);
  req.body() = body;
  req.prepare_payload();
  auto [write_ec, written] = co_await http::async_write(*stream, req, kAsTuple);
  if (write_ec) {
    out.stale_connection = reused && closed_by_peer(write_ec);
    out.result.error = "cannot send: " + describe(write_ec, timeout);
    co_return out;
  }

  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(kMaxResponseBytes);
  auto [read_ec, read] = co_await http::async_read(*stream, buffer, parser, kAsTuple);
  if (read_ec) {
    out.stale_connection = reused && read == 0 && closed_by_peer(read_ec);
    out.result.error = "no answer: " + describe(read_ec, timeout);
    co_return out;
  }
  const auto& res = parser.get();
  out.result.status = res.result_int();
  out.result.ok = out.result.status / 100 == 2;
  if (!out.result.ok) out.result.error = "HTTP " + std::to_string(out.result.status);
  if (!res.keep_alive()) {
    beast::error_code ignored;
    stream->socket().close(ignored);  // post() starts a fresh connection next time
  }
  co_return out;
}

bool valid_port(std::string_view port) {
  if (port.empty() || port.size() > 5) return false;
  unsigned value = 0;
  for (const char c : port) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  return value >= 1 && value <= 65535;
}

}  // namespace

std::optional<HttpEndpoint> parse_http_endpoint(std::string_view url, std::string* error) {
  const auto fail = [&](std::string reason) -> std::optional<HttpEndpoint> {
    if (error != nullptr) *error = std::move(reason);
    return std::nullopt;
  };
  constexpr std::string_view kScheme = "http://";
  if (url.starts_with("https://"))
    return fail("only http:// is supported (for TLS, export through a local collector)");
  if (!url.starts_with(kScheme)) return fail("must be http://HOST:PORT/PATH");
  const auto rest = url.substr(kScheme.size());
  const auto slash = rest.find('/');
  const auto authority = rest.substr(0, slash);
  HttpEndpoint out;
  out.target = slash == std::string_view::npos ? "/v1/traces" : std::string(rest.substr(slash));
  if (out.target.find_first_of("?#") != std::string::npos) return fail("must not have a query or fragment");
  if (authority.find('@') != std::string_view::npos) return fail("must not carry credentials");
  std::string_view host;
  std::string_view after_host;
  if (authority.starts_with('[')) {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return fail("unclosed '[' in the host");
    host = authority.substr(1, close - 1);
    after_host = authority.substr(close + 1);
  } else {
    const auto colon = authority.find(':');
    host = authority.substr(0, colon);
    after_host = colon == std::string_view::npos ? std::string_view() : authority.substr(colon);
  }
  if (host.empty()) return fail("must name a host: http://HOST:PORT/PATH");
  if (!after_host.starts_with(':') || !valid_port(after_host.substr(1))) {
    return fail("must name a port 1-65535: http://HOST:PORT/PATH");
  }
  out.host = std::string(host);
  out.port = std::string(after_host.substr(1));
  return out;
}

OtlpHttpClient::OtlpHttpClient(HttpEndpoint endpoint) : endpoint_(std::move(endpoint)) {}

OtlpHttpClient::~OtlpHttpClient() {
  close();
}

PostResult OtlpHttpClient::post(const std::string& body, std::chrono::milliseconds timeout) {
  if (stream_ && !stream_->socket().is_open()) close();
  bool stale = false;
  PostResult result = attempt(body, timeout, stale);
  // Only a kept-alive connection the collector closed while idle earns a second try, on a fresh
  // connection: never a retry storm.
  if (stale) result = attempt(body, timeout, stale);
  return result;
}

PostResult OtlpHttpClient::attempt(const std::string& body, std::chrono::milliseconds timeout, bool& stale) {
  Outcome outcome;
  std::exception_ptr failure;
  io_.restart();
  asio::co_spawn(io_, exchange(stream_, endpoint_, body, timeout), [&](std::exception_ptr e, Outcome o) {
    failure = e;
    outcome = std::move(o);
  });
  io_.run();
  stale = outcome.stale_connection;
  if (failure) {
    try {
      std::rethrow_exception(failure);
    } catch (const std::exception& e) {
      outcome.result = PostResult{false, 0, std::string("unexpected: ") + e.what()};
    }
  }
  if (!outcome.result.ok) {
    close();
  }
  return outcome.result;
}

void OtlpHttpClient::close() {
  if (!stream_) return;
  beast::error_code ignored;
  stream_->socket().shutdown(tcp::socket::shutdown_both, ignored);
  stream_->socket().close(ignored);
  stream_.reset();
}

}  // namespace vigil::observability
