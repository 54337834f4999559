#pragma once
// The alert-latency scenario's subscription to GET /v1/alerts/stream: one connection on a thread
// of its own, opened before the load starts. Every event is stamped with the Ticks time at which
// its bytes arrived and handed to the AlertProbe. When the stream ends or fails mid-run it
// reconnects with Last-Event-ID (no event is lost; late ones simply arrive late and count so).
//
// Thread safety: start() and stop() from one controlling thread. The probe and ticks must outlive
// the AlertStream. Errors: start() throws LoadgenError when the stream cannot be opened or answers
// anything but 200 (e.g. 401/403: the --stream-header token is missing or not a staff token).
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <chrono>
#include <future>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "loadgen/alert_probe.h"
#include "loadgen/credentials.h"
#include "loadgen/schedule.h"
#include "loadgen/sse.h"

namespace vigil::loadgen {

class AlertStream {
 public:
  AlertStream(boost::asio::ip::tcp::endpoint endpoint, std::string host_header, std::string path_prefix,
              std::vector<Header> headers, AlertProbe& probe, const Ticks& ticks);
  ~AlertStream();
  AlertStream(const AlertStream&) = delete;
  AlertStream& operator=(const AlertStream&) = delete;

  // Connects and waits (up to `timeout`) for the 200 answer, then reads on the stream's thread.
  void start(std::chrono::nanoseconds timeout);
  // Closes the stream and joins its thread; idempotent.
  void stop();

 private:
  boost::asio::awaitable<void> run();
  // Connects and subscribes; "" on success, else why not.
  boost::asio::awaitable<std::string> open();
  // Feeds the probe until the stream ends.
  boost::asio::awaitable<void> read_events();

  const boost::asio::ip::tcp::endpoint endpoint_;
  const std::string host_header_;
  const std::string target_;
  const std::vector<Header> headers_;
  AlertProbe& probe_;
  const Ticks& ticks_;

  boost::asio::io_context io_{1};
  boost::asio::ip::tcp::socket socket_;  // touched on the io thread only once started
  boost::asio::steady_timer pause_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::response_parser<boost::beast::http::buffer_body>> response_;
  SseParser parser_;
  bool stopping_ = false;                 // io thread only
  std::promise<std::string> subscribed_;  // set once, by the first open()
  std::thread thread_;
};

}  // namespace vigil::loadgen
