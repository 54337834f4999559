#pragma once
// Vigil's HTTP/1.1 server: Boost.Asio + Beast with C++20 coroutines.
//
// - One io_context per I/O thread (the "io_context per core" design): a connection is handed to one
//   of them at accept, round-robin, and lives on that thread alone. So a connection's work needs no
//   strand, and its event loop takes no lock for what it posts to itself and wakes no sibling
//   thread (a shared io_context run by N threads paid a futex wake per hand-off and an any_executor
//   strand wrapper per operation: measured in docs/benchmarks.md, 2026-12-03 night).
// - One coroutine per connection; keep-alive; a body size limit on every parser;
//   an idle timeout between requests and a read timeout once a request started.
// - Handlers come from a Router and run on the connection's I/O thread behind the middleware Chain
//   (http/middleware.h), inside an exception guard (500, or 504 for DeadlineExceeded); a handler
//   must never block (blocking work goes to a separate pool, see http/blocking.h).
// - Shutdown in stages (shutdown()): stop accepting, let in-flight requests finish and answer
//   with "Connection: close" for at most `shutdown_grace`, then force-close what is left, then join.
//
// Thread safety: start(), shutdown() and port() may be called from any one controlling thread.
// Construction binds the socket, so an occupied port fails at once with a ServerError.
#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include "http/middleware.h"
#include "http/router.h"

namespace vigil::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
  unsigned io_threads = 1;
  std::size_t max_body_bytes = std::size_t{1024} * 1024;
  std::chrono::milliseconds read_timeout{30'000};
  std::chrono::milliseconds idle_timeout{60'000};
  std::chrono::milliseconds shutdown_grace{10'000};
  // After a failed accept (out of file descriptors, most often), the wait before the next one:
  // the pending connection stays in the listen backlog meanwhile, where retrying at once would
  // fail again at once and spin a core.
  std::chrono::milliseconds accept_retry{100};
  // Scheduler slice each network thread asks for (common/sched_slice.h): a short one lets a thread
  // woken by a socket run sooner on a busy machine. Zero: the kernel's default.
  std::chrono::microseconds latency_slice{0};
};

class ServerError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Server {
 public:
  // Binds and listens. Throws ServerError with one line naming the address on failure.
  // `router` and `chain` (the middleware in front of every handler; none when null) must outlive
  // the server.
  Server(ServerOptions options, const Router& router, const Chain* chain = nullptr);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // The bound port (useful with port 0).
  [[nodiscard]] std::uint16_t port() const { return port_; }
  // Starts the I/O threads and accepting. Call once.
  void start();
  // Staged shutdown; blocks until every I/O thread has been joined. Returns true when every
  // connection finished within the grace period, false when some had to be forced. Idempotent.
  bool shutdown();
  // Number of open connections (for tests and metrics).
  [[nodiscard]] std::size_t connections() const;
  // Accepts that failed since start (for tests and metrics).
  [[nodiscard]] std::uint64_t accept_failures() const { return accept_failures_.load(); }

 private:
  struct Connection;
  asio::awaitable<void> accept_loop();
  using RequestParser = bhttp::request_parser<bhttp::string_body>;
  asio::awaitable<void> session(std::shared_ptr<Connection> conn);
  asio::awaitable<boost::system::error_code> read_request(Connection& conn, beast::flat_buffer& buffer,
                                                          RequestParser& parser);
  asio::awaitable<boost::system::error_code> write_response(Connection& conn, const Response& res);
  asio::awaitable<std::optional<Response>> dispatch(Request& req, Connection& conn, bool& keep_alive);
  static asio::awaitable<std::optional<Response>> terminal(RequestContext& ctx, const Router::Match& match);

  const ServerOptions options_;
  const Router& router_;
  const Chain* chain_;
  static const Chain kNoMiddleware;
  // One per I/O thread; contexts_[0] also runs the acceptor. Each has a work guard while the
  // server runs, so a thread with no connection yet keeps waiting for one.
  std::vector<std::unique_ptr<asio::io_context>> contexts_;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> work_;
  std::size_t next_context_ = 0;  // round-robin; only touched by the accept loop
  asio::ip::tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
  std::vector<std::thread> threads_;
  std::atomic<bool> draining_{false};
  std::atomic<std::uint64_t> accept_failures_{0};
  bool stopped_ = false;  // only touched by the controlling thread

  mutable std::mutex mu_;
  std::condition_variable all_closed_;
  std::list<std::shared_ptr<Connection>> connections_;  // guarded by mu_
};

}  // namespace vigil::http
