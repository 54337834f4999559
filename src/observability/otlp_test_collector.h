#pragma once
// TEST ONLY: a tiny OTLP/HTTP collector on 127.0.0.1 (port 0) that records every request it gets.
// It answers with a chosen status, can hold its answers until release() (a collector that hangs),
// and can close each connection after answering although it said keep-alive (an idle-timeout close).
//
// Thread safety: the server runs on its own thread; every public method may be called from the test.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace vigil::observability::testing {

struct Received {
  std::string method;
  std::string target;
  std::string content_type;
  std::string body;
  std::size_t connection = 0;  // 1 for requests on the first connection accepted, and so on
};

struct CollectorBehaviour {
  unsigned status = 200;
  bool hold = false;                // answer nothing until release()
  bool close_after_answer = false;  // answer keep-alive, then close anyway
};

class TestCollector {
 public:
  explicit TestCollector(CollectorBehaviour behaviour = {})
      : behaviour_(behaviour),
        acceptor_(io_, {boost::asio::ip::make_address("127.0.0.1"), 0}),
        gate_(io_, std::chrono::steady_clock::time_point::max()) {
    boost::asio::co_spawn(io_, accept_loop(), boost::asio::detached);
    thread_ = std::thread([this] { io_.run(); });
  }
  ~TestCollector() {
    io_.stop();
    thread_.join();
  }

  [[nodiscard]] std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
  [[nodiscard]] std::string endpoint() const {
    return "http://127.0.0.1:" + std::to_string(port()) + "/v1/traces";
  }

  // The first `n` requests, once they arrived; throws after a generous deadline.
  std::vector<Received> wait_for(std::size_t n, std::chrono::seconds deadline = std::chrono::seconds(30)) {
    std::unique_lock lock(mu_);
    if (!arrived_.wait_for(lock, deadline, [&] { return received_.size() >= n; })) {
      throw std::runtime_error("collector: " + std::to_string(n) + " requests did not arrive");
    }
    return received_;
  }
  std::vector<Received> received() const {
    const std::lock_guard lock(mu_);
    return received_;
  }
  // Held requests get their answers; later ones are answered at once.
  void release() {
    boost::asio::post(io_, [this] {
      behaviour_.hold = false;
      gate_.cancel();
    });
  }

 private:
  boost::asio::awaitable<void> accept_loop() {
    for (std::size_t n = 1;; ++n) {
      auto socket = co_await acceptor_.async_accept(boost::asio::use_awaitable);
      boost::asio::co_spawn(io_, session(std::move(socket), n), boost::asio::detached);
    }
  }

  boost::asio::awaitable<void> session(boost::asio::ip::tcp::socket socket, std::size_t connection) {
    namespace http = boost::beast::http;
    constexpr auto tuple = boost::asio::as_tuple(boost::asio::use_awaitable);
    boost::beast::flat_buffer buffer;
    for (;;) {
      http::request<http::string_body> req;
      auto [ec, n] = co_await http::async_read(socket, buffer, req, tuple);
      if (ec) co_return;
      {
        const std::lock_guard lock(mu_);
        received_.push_back({std::string(req.method_string()), std::string(req.target()),
                             std::string(req[http::field::content_type]), req.body(), connection});
      }
      arrived_.notify_all();
      if (behaviour_.hold) co_await gate_.async_wait(tuple);  // ends with release()'s cancel
      http::response<http::string_body> res{static_cast<http::status>(behaviour_.status), req.version()};
      res.set(http::field::content_type, "application/json");
      res.body() = "{}";
      res.keep_alive(true);
      res.prepare_payload();
      auto [write_ec, written] = co_await http::async_write(socket, res, tuple);
      if (write_ec || behaviour_.close_after_answer) co_return;
    }
  }

  CollectorBehaviour behaviour_;  // io thread only, after construction
  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer gate_;
  mutable std::mutex mu_;
  std::condition_variable arrived_;
  std::vector<Received> received_;
  std::thread thread_;
};

}  // namespace vigil::observability::testing
