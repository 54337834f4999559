#include "loadgen/alert_stream.h"

#include <fmt/format.h>

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/read.hpp>
#include <exception>

#include "loadgen/awaitable.h"
#include "loadgen/error.h"

namespace vigil::loadgen {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
// Between reconnects: the server's own advice is 2 s, but a benchmark wants its events back soon
// and the server closes slow streams only after buffering 1024 events.
constexpr auto kStreamReconnectPause = std::chrono::milliseconds(100);
constexpr std::size_t kMaxProblemBytes = 2048;

}  // namespace

AlertStream::AlertStream(asio::ip::tcp::endpoint endpoint, std::string host_header, std::string path_prefix,
                         std::vector<Header> headers, AlertProbe& probe, const Ticks& ticks)
    : endpoint_(endpoint),
      host_header_(std::move(host_header)),
      target_(std::move(path_prefix) + "/v1/alerts/stream"),
      headers_(std::move(headers)),
      probe_(probe),
      ticks_(ticks),
      socket_(io_),
      pause_(io_) {}

AlertStream::~AlertStream() {
  stop();
}

void AlertStream::start(std::chrono::nanoseconds timeout) {
  std::future<std::string> subscribed = subscribed_.get_future();
  asio::co_spawn(io_, run(), [this](std::exception_ptr e) {
    // Only a broken invariant throws in run(); end the subscription wait rather than hang.
    if (e) {
      try {
        subscribed_.set_value("the stream reader failed");
      } catch (const std::future_error&) {
      }
    }
  });
  thread_ = std::thread([this] { io_.run(); });
  std::string why;
  if (subscribed.wait_for(timeout) != std::future_status::ready) {
    why = "no answer within the timeout";
  } else {
    why = subscribed.get();
  }
  if (!why.empty()) {
    stop();
    throw LoadgenError(fmt::format("alert stream {}: {}", target_, why));
  }
}

void AlertStream::stop() {
  if (!thread_.joinable()) return;
  asio::post(io_, [this] {
    stopping_ = true;
    boost::system::error_code ignored;
    socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
    pause_.cancel();
  });
  thread_.join();
}

asio::awaitable<void> AlertStream::run() {
  bool first = true;
  while (!stopping_) {
    const std::string why = co_await open();
    if (first) {
      subscribed_.set_value(why);
      first = false;
      if (!why.empty()) co_return;
    }
    if (why.empty()) co_await read_events();
    boost::system::error_code ignored;
    socket_.close(ignored);
    if (stopping_) break;
    probe_.on_reconnect();
    pause_.expires_after(kStreamReconnectPause);
    co_await pause_.async_wait(kTuple);
  }
}

asio::awaitable<std::string> AlertStream::open() {
  buffer_.clear();
  parser_.reset_stream();
  if (auto [ec] = co_await socket_.async_connect(endpoint_, kTuple); ec) {
    co_return fmt::format("cannot connect: {}", ec.message());
  }
  std::string request =
      fmt::format("GET {} HTTP/1.1\r\nHost: {}\r\nAccept: text/event-stream\r\n", target_, host_header_);
  if (!parser_.last_event_id().empty())
    request += fmt::format("Last-Event-ID: {}\r\n", parser_.last_event_id());
  append_header_lines(request, headers_);
  request += "\r\n";
  if (auto [ec, n] = co_await asio::async_write(socket_, asio::buffer(request), kTuple); ec) {
    co_return fmt::format("cannot send the request: {}", ec.message());
  }
  response_.emplace();
  response_->body_limit(boost::none);  // a stream has no end
  if (auto [ec, n] = co_await http::async_read_header(socket_, buffer_, *response_, kTuple); ec) {
    co_return fmt::format("no answer: {}", ec.message());
  }
  const auto& head = response_->get();
  if (head.result() == http::status::ok) co_return std::string();
  // The problem details say why (a missing or non-staff token): worth showing.
  std::string problem;
  std::array<char, kMaxProblemBytes> chunk{};
  while (!response_->is_done() && problem.size() < kMaxProblemBytes) {
    response_->get().body().data = chunk.data();
    response_->get().body().size = kMaxProblemBytes - problem.size();
    auto [ec, n] = co_await http::async_read_some(socket_, buffer_, *response_, kTuple);
    problem.append(chunk.data(), kMaxProblemBytes - problem.size() - response_->get().body().size);
    if (ec && ec != http::error::need_buffer) break;
  }
  co_return fmt::format("answered {} {}{}{}", head.result_int(), std::string(head.reason()),
                        problem.empty() ? "" : ": ", problem);
}

asio::awaitable<void> AlertStream::read_events() {
  std::array<char, 16 * 1024> chunk{};
  std::vector<SseEvent> events;
  while (!stopping_) {
    response_->get().body().data = chunk.data();
    response_->get().body().size = chunk.size();
    auto [ec, n] = co_await http::async_read_some(socket_, buffer_, *response_, kTuple);
    const std::int64_t arrived = ticks_.now_ns();
    if (ec == http::error::need_buffer) ec = {};
    const std::size_t got = chunk.size() - response_->get().body().size;
    if (got > 0) {
      events.clear();
      parser_.feed(std::string_view(chunk.data(), got), events);
      for (const SseEvent& e : events) probe_.on_event(e.data, arrived);
    }
    if (ec || response_->is_done()) break;
  }
}

}  // namespace vigil::loadgen
