#pragma once
// The simulator's subscription to GET /v1/alerts/stream: one connection of its own, read as it
// arrives (loadgen/sse.h), every alert event tallied into RunState: alerts by their highest severity, the
// first medium-or-higher change of each alert (for evaluation.h), and a line for each alert that
// reaches high or critical. When the stream ends or fails it reconnects after a back-off, resuming
// with Last-Event-ID so nothing is missed; a stream silent for longer than three keep-alive
// periods (60 s) counts as broken. Every subscription carries `headers` (the staff credentials the
// stream requires, e.g. {"Authorization", "Bearer <jwt>"}); a refusal is kept as the stream error
// and retried like any failure.
//
// Thread safety: construct anywhere; call start() and stop() on the io_context's thread only.
// RunState must outlive the io_context's run.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "sim/run_state.h"
#include "loadgen/sse.h"
#include "sim/wire.h"

namespace vigil::sim {

class AlertWatch {
 public:
  AlertWatch(boost::asio::io_context& io, boost::asio::ip::tcp::endpoint endpoint, std::string host_header,
             std::string path_prefix, std::vector<Header> headers, std::chrono::milliseconds connect_timeout,
             RunState& state);

  void start();
  // Closes the stream and stops reconnecting.
  void stop();

 private:
  boost::asio::awaitable<void> watch();
  // One connection, until it ends; true when the server answered 200.
  boost::asio::awaitable<bool> session();
  void fail(std::string why);

  boost::asio::io_context& io_;
  const boost::asio::ip::tcp::endpoint endpoint_;
  const std::string host_header_;
  const std::string target_;
  const std::vector<Header> headers_;
  const std::chrono::milliseconds connect_timeout_;
  RunState& state_;

  // Touched only on the io thread.
  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  boost::asio::steady_timer pause_;
  loadgen::SseParser parser_;
  bool stopping_ = false;
};

// Folds one alert event into `stats` (the caller holds the lock). Exposed for tests.
void record_alert_event(const AlertUpdate& update, RunStats& stats);

}  // namespace vigil::sim
