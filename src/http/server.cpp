#include "http/server.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/read_size.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/write.hpp>

#include "common/sched_slice.h"
#include "common/thread_name.h"
#include "http/deadline.h"
#include "http/problem.h"
#include "observability/log_context.h"

namespace vigil::http {

using asio::ip::tcp;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kReadSize = 65536;  // the most one read asks for, as Beast's read uses
constexpr std::size_t kInitialBuffer = 4096;

const Chain Server::kNoMiddleware;

namespace {

std::vector<std::unique_ptr<asio::io_context>> make_contexts(unsigned threads) {
  std::vector<std::unique_ptr<asio::io_context>> contexts;
  for (unsigned i = 0; i < std::max(1U, threads); ++i) {
    // Concurrency hint 1: exactly one thread runs each, so Asio keeps work posted from that thread
    // on a private queue. Posts from other threads (the log's writer, the alert bus) stay safe.
    contexts.push_back(std::make_unique<asio::io_context>(1));
  }
  return contexts;
}

}  // namespace

struct Server::Connection {
  explicit Connection(tcp::socket socket) : stream(std::move(socket)) {
    boost::system::error_code ec;
    const auto peer = stream.socket().remote_endpoint(ec);
    if (!ec) remote_address = peer.address().to_string();
    // Synchronous writes return would_block instead of waiting (see write_response); asynchronous
    // operations are unaffected.
    stream.socket().non_blocking(true, ec);
  }
  beast::tcp_stream stream;
  std::string out;  // the header of the response being written; kept to reuse its capacity
  std::string remote_address;
  std::uint64_t requests = 0;  // only touched on the connection's I/O thread
  ConnectionHooks hooks;
  bool reading = false;  // waiting for (or reading) a request; only touched on the I/O thread
  bool alive = true;     // false once the session ended; only touched on the I/O thread
};

Server::Server(ServerOptions options, const Router& router, const Chain* chain)
    : options_(std::move(options)),
      router_(router),
      chain_(chain != nullptr ? chain : &kNoMiddleware),
      contexts_(make_contexts(options_.io_threads)),
      acceptor_(*contexts_.front()) {
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(options_.host, ec);
  if (ec)
    throw ServerError(fmt::format("cannot listen on {}:{}: not an IP address", options_.host, options_.port));
  const tcp::endpoint endpoint(address, options_.port);
  const auto where = fmt::format("{}:{}", options_.host, options_.port);
  if (acceptor_.open(endpoint.protocol(), ec); ec)
    throw ServerError(fmt::format("cannot listen on {}: {}", where, ec.message()));
  acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (acceptor_.bind(endpoint, ec); ec)
    throw ServerError(fmt::format("cannot listen on {}: {}", where, ec.message()));
  if (acceptor_.listen(asio::socket_base::max_listen_connections, ec); ec) {
    throw ServerError(fmt::format("cannot listen on {}: {}", where, ec.message()));
  }
  port_ = acceptor_.local_endpoint().port();
}

Server::~Server() {
  shutdown();
}

void Server::start() {
  asio::co_spawn(*contexts_.front(), accept_loop(), [](const std::exception_ptr& e) {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      spdlog::critical("accept loop failed: {}", ex.what());
    }
  });
  // spdlog's registry is created on first use: create it before the network threads can race to
  // (libspdlog is not TSan-instrumented, so TSan would report the static initialisation).
  (void)spdlog::default_logger_raw();
  threads_.reserve(contexts_.size());
  for (std::size_t i = 0; i < contexts_.size(); ++i) {
    work_.push_back(asio::make_work_guard(*contexts_[i]));
    threads_.emplace_back([this, i] {
      name_this_thread("vigil-io-" + std::to_string(i));
      // Best effort: a kernel without custom slices runs the thread as before (app/node.cpp says so).
      if (options_.latency_slice.count() != 0) (void)set_this_thread_slice(options_.latency_slice);
      contexts_[i]->run();
    });
  }
}

std::size_t Server::connections() const {
  std::lock_guard lock(mu_);
  return connections_.size();
}

bool Server::shutdown() {
  if (stopped_) return true;
  stopped_ = true;
  // Stage 1: stop accepting.
  draining_.store(true);
  asio::post(acceptor_.get_executor(), [this] {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
  });
  // Stage 2: ask every connection to finish. Idle ones (waiting for a request) are closed now;
  // busy ones answer their current request with "Connection: close"; streams end via their hook.
  {
    std::lock_guard lock(mu_);
    for (const auto& conn : connections_) {
      asio::post(conn->stream.get_executor(), [conn] {
        if (!conn->alive) return;
        if (conn->hooks.on_drain) {
          conn->hooks.on_drain();
        } else if (conn->reading) {
          conn->stream.cancel();
        }
      });
    }
  }
  bool clean = true;
  if (!threads_.empty()) {
    std::unique_lock lock(mu_);
    clean = all_closed_.wait_for(lock, options_.shutdown_grace, [this] { return connections_.empty(); });
  }
  // Stage 3: force. Whatever is still running is abandoned with the event loop.
  if (!clean) spdlog::warn("shutdown grace period over; closing {} connection(s)", connections());
  work_.clear();
  for (auto& context : contexts_) context->stop();
  for (auto& t : threads_) t.join();
  threads_.clear();
  // No thread runs the event loop any more: close what was forced so that its clients see the
  // connection end now rather than when the server object is destroyed.
  {
    std::lock_guard lock(mu_);
    for (const auto& conn : connections_) {
      boost::system::error_code ignored;
      conn->stream.socket().close(ignored);
    }
  }
  return clean;
}

asio::awaitable<void> Server::accept_loop() {
  bool failing = false;  // the last accept failed
  for (;;) {
    // The connection's I/O thread is chosen now, before the socket exists, so that every operation
    // on it runs there.
    tcp::socket socket(*contexts_[next_context_]);
    next_context_ = (next_context_ + 1) % contexts_.size();
    auto [ec] = co_await acceptor_.async_accept(socket, kTuple);
    if (ec) {
      if (ec == asio::error::operation_aborted || draining_.load()) co_return;
      // Out of file descriptors and similar: keep serving the connections we have, and try again
      // after a pause (the connection waits in the backlog; an immediate retry would spin). One
      // warning per run of failures.
      if (!failing) spdlog::warn("accept failed: {}; retrying every {} ms", ec.message(), options_.accept_retry.count());
      failing = true;
      accept_failures_.fetch_add(1);
      asio::steady_timer pause(acceptor_.get_executor(), options_.accept_retry);
      co_await pause.async_wait(kTuple);
      continue;
    }
    if (failing) spdlog::info("accepting connections again");
    failing = false;
    if (draining_.load()) co_return;
    socket.set_option(tcp::no_delay(true), ec);
    auto conn = std::make_shared<Connection>(std::move(socket));
    {
      std::lock_guard lock(mu_);
      connections_.push_back(conn);
    }
    auto executor = conn->stream.get_executor();
    asio::co_spawn(executor, session(conn), [this, conn](const std::exception_ptr& e) {
      if (e) {
        try {
          std::rethrow_exception(e);
        } catch (const std::exception& ex) {
          spdlog::error("connection failed: {}", ex.what());
        }
      }
      conn->alive = false;
      std::lock_guard lock(mu_);
      connections_.remove(conn);
      if (connections_.empty()) all_closed_.notify_all();
    });
  }
}

namespace {

Response error_for_read(const boost::system::error_code& ec) {
  if (ec == bhttp::error::body_limit) {
    return problem(Status::payload_too_large, "body-too-large", "Request body too large",
                   "the request body exceeds the configured limit (server.max_body_bytes)");
  }
  if (ec == bhttp::error::header_limit) {
    return problem(Status::request_header_fields_too_large, "headers-too-large", "Request headers too large",
                   "");
  }
  return problem(Status::bad_request, "malformed-http", "Malformed HTTP request", ec.message());
}

}  // namespace

// Reads one request into `parser`. Bytes already buffered (a pipelined request, or a body that came
// in the header's segment) are parsed before anything is read, and reads go straight to the
// stream's read_some: a request that arrives in one segment costs one read and one wake-up, where
// Beast's async_read_header plus async_read cost two composed operations and a posted completion.
// End of stream before any byte is bhttp::error::end_of_stream, as with Beast's read.
asio::awaitable<boost::system::error_code> Server::read_request(Connection& conn, beast::flat_buffer& buffer,
                                                                RequestParser& parser) {
  auto& stream = conn.stream;
  bool expect_checked = false;
  for (;;) {
    boost::system::error_code ec;
    if (buffer.size() != 0) {
      const std::size_t used = parser.put(buffer.data(), ec);
      buffer.consume(used);
      if (ec && ec != bhttp::error::need_more) co_return ec;
      if (parser.is_done()) co_return boost::system::error_code{};
      if (used != 0 && buffer.size() != 0) continue;  // progress, and more to parse
    }
    if (parser.is_header_done() && !expect_checked) {
      expect_checked = true;
      if (beast::iequals(parser.get()[bhttp::field::expect], "100-continue")) {
        bhttp::response<bhttp::empty_body> cont{Status::continue_, 11};
        stream.expires_after(options_.read_timeout);
        auto [wec, written] = co_await bhttp::async_write(stream, cont, kTuple);
        if (wec) co_return wec;
      }
    }
    // Waiting for a request is the idle timeout; once one has begun, the read timeout.
    stream.expires_after(parser.got_some() || buffer.size() != 0 ? options_.read_timeout
                                                                 : options_.idle_timeout);
    auto [rec, n] =
        co_await stream.async_read_some(buffer.prepare(beast::read_size(buffer, kReadSize)), kTuple);
    buffer.commit(n);
    if (rec == asio::error::eof) {
      if (!parser.got_some() && buffer.size() == 0) co_return bhttp::error::end_of_stream;
      parser.put_eof(ec);
      co_return ec ? ec : boost::system::error_code(bhttp::error::partial_message);
    }
    if (rec) co_return rec;
  }
}

namespace {

// The response's header exactly as Beast's serializer writes it for a non-chunked message: status
// line, fields in order, blank line. The body is written from the response itself, not copied.
void serialize_header(const Response& res, std::string& out) {
  out.clear();
  const std::string_view reason = res.reason().empty() ? bhttp::obsolete_reason(res.result()) : res.reason();
  // By hand, not fmt: this runs for every response, and a runtime format string is parsed each time.
  char line[] = "HTTP/1.1 200 ";  // version and status filled in below; a status has three digits
  line[5] = static_cast<char>('0' + res.version() / 10);
  line[7] = static_cast<char>('0' + res.version() % 10);
  const unsigned status = res.result_int();
  line[9] = static_cast<char>('0' + status / 100 % 10);
  line[10] = static_cast<char>('0' + status / 10 % 10);
  line[11] = static_cast<char>('0' + status % 10);
  out.append(line, sizeof line - 1).append(reason).append("\r\n");
  for (const auto& field : res) {
    out.append(field.name_string()).append(": ").append(field.value()).append("\r\n");
  }
  out.append("\r\n");
}

// What is left of header + body after `written` bytes, as one gather-write sequence.
std::array<asio::const_buffer, 2> unwritten(std::string_view header, std::string_view body,
                                            std::size_t written) {
  if (written < header.size()) {
    return {asio::buffer(header.substr(written)), asio::buffer(body)};
  }
  return {asio::buffer(body.substr(written - header.size())), asio::const_buffer{}};
}

}  // namespace

// Writes a whole response. A response that fits the socket's send buffer (nearly all do) is written
// at once from this thread, with no asynchronous operation, timer or wake-up; what does not fit is
// written asynchronously under the read timeout.
asio::awaitable<boost::system::error_code> Server::write_response(Connection& conn, const Response& res) {
  auto& stream = conn.stream;
  if (res.chunked()) {  // no route answers chunked today; Beast's serializer would encode it
    stream.expires_after(options_.read_timeout);
    auto [ec, n] = co_await bhttp::async_write(stream, res, kTuple);
    co_return ec;
  }
  serialize_header(res, conn.out);
  const std::string_view header = conn.out;
  const std::string_view body = res.body();
  const std::size_t total = header.size() + body.size();
  std::size_t written = 0;
  boost::system::error_code ec;
  while (written < total) {
    written += stream.socket().write_some(unwritten(header, body, written), ec);
    if (ec) break;
  }
  if (!ec) co_return ec;
  if (ec != asio::error::would_block && ec != asio::error::try_again) co_return ec;
  stream.expires_after(options_.read_timeout);
  auto [aec, n] = co_await asio::async_write(stream, unwritten(header, body, written), kTuple);
  co_return aec;
}

asio::awaitable<void> Server::session(std::shared_ptr<Connection> conn) {
  auto& stream = conn->stream;
  beast::flat_buffer buffer;
  // Room for a typical request from the start, so that it is read in one call (read_size asks for
  // only what capacity there is, and 512 bytes for an empty buffer).
  buffer.reserve(kInitialBuffer);
  for (;;) {
    if (draining_.load()) break;
    RequestParser parser;
    parser.body_limit(options_.max_body_bytes);
    conn->reading = true;
    const auto ec = co_await read_request(*conn, buffer, parser);
    conn->reading = false;
    if (ec) {
      const bool quiet = ec == bhttp::error::end_of_stream || ec == asio::error::operation_aborted ||
                         ec == beast::error::timeout || ec == asio::error::connection_reset ||
                         ec == asio::error::eof;
      if (!quiet) {  // tell the client what was wrong with its request, then close
        auto res = error_for_read(ec);
        res.keep_alive(false);
        co_await write_response(*conn, res);
      }
      break;
    }
    Request req = parser.release();
    bool keep_alive = req.keep_alive();
    ++conn->requests;
    auto res = co_await dispatch(req, *conn, keep_alive);
    conn->hooks.on_drain = nullptr;
    if (!res) break;  // a streaming handler owned the connection
    res->keep_alive(keep_alive && !draining_.load());
    res->set(bhttp::field::server, "vigil");
    if (const auto wec = co_await write_response(*conn, *res); wec || !res->keep_alive()) break;
  }
  boost::system::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  stream.close();
}

asio::awaitable<std::optional<Response>> Server::dispatch(Request& req, Connection& conn, bool& keep_alive) {
  const std::string_view target = req.target();
  const auto qmark = target.find('?');
  const auto path = target.substr(0, qmark);
  const auto query = qmark == std::string_view::npos ? std::string_view{} : target.substr(qmark + 1);
  auto match = router_.match(req.method(), path);
  RequestContext ctx{
      req,       conn.stream, path, query, std::move(match.params), std::chrono::steady_clock::now(),
      draining_, conn.hooks};
  ctx.route = match.route;
  ctx.remote_address = conn.remote_address;
  ctx.request_on_connection = conn.requests;
  auto res = co_await chain_->run(ctx, [&](RequestContext& c) { return terminal(c, match); });
  if (ctx.close_connection) keep_alive = false;
  co_return res;
}

asio::awaitable<std::optional<Response>> Server::terminal(RequestContext& ctx, const Router::Match& match) {
  const auto& req = ctx.request;
  if (match.handler == nullptr) {
    if (match.allowed.empty()) {
      co_return problem(Status::not_found, "not-found", "Not found",
                        fmt::format("no route for {}", ctx.path));
    }
    auto res =
        problem(Status::method_not_allowed, "method-not-allowed", "Method not allowed",
                fmt::format("{} is not supported on {}", std::string_view(req.method_string()), ctx.path));
    std::string allow;
    for (auto v : match.allowed) {
      if (!allow.empty()) allow += ", ";
      allow += std::string_view(bhttp::to_string(v));
    }
    res.set(bhttp::field::allow, allow);
    co_return res;
  }
  // The exception guard: a handler's failure is logged with its cause and answered without it.
  bool timed_out = false;
  try {
    if (std::chrono::steady_clock::now() >= ctx.deadline) throw DeadlineExceeded();
    co_return co_await (*match.handler)(ctx);
  } catch (const DeadlineExceeded&) {
    timed_out = true;
  } catch (const std::exception& e) {
    const observability::LogScope ids(ctx.request_id, ctx.trace_id);
    spdlog::error("handler for {} {} failed: {}", std::string_view(req.method_string()), ctx.path, e.what());
  }
  if (timed_out) co_return deadline_exceeded();
  co_return problem(Status::internal_server_error, "internal", "Internal server error",
                    "the server failed to handle this request; it has been logged");
}

}  // namespace vigil::http
