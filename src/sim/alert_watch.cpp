#include "sim/alert_watch.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <exception>

#include "sim/console.h"

namespace vigil::sim {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

// The server sends a keep-alive comment every 15 s by default; three missed ones mean a dead peer.
constexpr auto kIdleTimeout = std::chrono::seconds(60);
constexpr auto kFirstBackoff = std::chrono::milliseconds(200);
constexpr auto kMaxBackoff = std::chrono::seconds(5);

std::size_t index_of(domain::Severity s) {
  return static_cast<std::size_t>(s) - 1;
}

}  // namespace

void record_alert_event(const AlertUpdate& u, RunStats& s) {
  ++s.alert_events;
  s.last_alert_event = std::chrono::steady_clock::now();
  const auto [it, first_seen] = s.alert_severity.try_emplace(u.alert_id, u.severity);
  const domain::Severity before = it->second;
  if (!first_seen && u.severity <= before) return;  // nothing new about its severity
  if (!first_seen) --s.alerts[index_of(before)];
  ++s.alerts[index_of(u.severity)];
  it->second = u.severity;

  const auto reached = [&](domain::Severity level) {
    return u.severity >= level && (first_seen || before < level);
  };
  if (reached(domain::Severity::medium)) {
    s.firings.push_back(AlertChangeSeen{u.alert_id, u.patient_id, u.rule_id, u.severity, u.at});
  }
  if (reached(domain::Severity::high)) {
    if (s.alert_lines.size() < kMaxPendingAlertLines) {
      s.alert_lines.push_back(format_alert(u));
    } else {
      ++s.alert_lines_suppressed;
    }
  }
}

AlertWatch::AlertWatch(asio::io_context& io, asio::ip::tcp::endpoint endpoint, std::string host_header,
                       std::string path_prefix, std::vector<Header> headers,
                       std::chrono::milliseconds connect_timeout, RunState& state)
    : io_(io),
      endpoint_(endpoint),
      host_header_(std::move(host_header)),
      target_(path_prefix + "/v1/alerts/stream"),
      headers_(std::move(headers)),
      connect_timeout_(connect_timeout),
      state_(state),
      stream_(io),
      pause_(io) {}

void AlertWatch::start() {
  asio::co_spawn(io_, watch(), [this](const std::exception_ptr& e) {
    if (!e) return;
    std::string what = "unknown exception";
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      what = ex.what();
    } catch (...) {
    }
    std::lock_guard lock(state_.mutex);
    if (state_.stats.io_failure.empty()) state_.stats.io_failure = "simulator alert stream: " + what;
  });
}

void AlertWatch::stop() {
  stopping_ = true;
  stream_.cancel();
  pause_.cancel();
}

void AlertWatch::fail(std::string why) {
  std::lock_guard lock(state_.mutex);
  state_.stats.stream_error = std::move(why);
}

asio::awaitable<void> AlertWatch::watch() {
  auto backoff = std::chrono::milliseconds(kFirstBackoff);
  while (!stopping_) {
    const bool answered = co_await session();
    boost::system::error_code ignored;
    stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    stream_.close();
    if (stopping_) break;
    if (answered) {
      backoff = parser_.retry().value_or(kFirstBackoff);
      std::lock_guard lock(state_.mutex);
      ++state_.stats.stream_reconnects;
    }
    pause_.expires_after(backoff);
    co_await pause_.async_wait(kTuple);
    backoff = std::min<std::chrono::milliseconds>(backoff * 2, kMaxBackoff);
  }
}

asio::awaitable<bool> AlertWatch::session() {
  buffer_.clear();
  parser_.reset_stream();
  stream_.expires_after(connect_timeout_);
  if (auto [ec] = co_await stream_.async_connect(endpoint_, kTuple); ec) {
    fail(fmt::format("cannot connect: {}", ec.message()));
    co_return false;
  }
  http::request<http::empty_body> request{http::verb::get, target_, 11};
  request.set(http::field::host, host_header_);
  request.set(http::field::accept, "text/event-stream");
  request.set(http::field::user_agent, "vigil-sim");
  for (const auto& [name, value] : headers_) request.set(name, value);
  if (!parser_.last_event_id().empty()) request.set("Last-Event-ID", parser_.last_event_id());
  stream_.expires_after(connect_timeout_);
  if (auto [ec, n] = co_await http::async_write(stream_, request, kTuple); ec) {
    fail(fmt::format("cannot send the request: {}", ec.message()));
    co_return false;
  }

  http::response_parser<http::buffer_body> response;
  response.body_limit(boost::none);  // a stream has no end
  stream_.expires_after(kIdleTimeout);
  if (auto [ec, n] = co_await http::async_read_header(stream_, buffer_, response, kTuple); ec) {
    fail(fmt::format("no answer: {}", ec.message()));
    co_return false;
  }
  if (const unsigned status = response.get().result_int(); status != 200) {
    const bool credentials = status == 401 || status == 403;
    fail(fmt::format("answered {}{}", status, credentials ? " (check the staff credentials)" : ""));
    co_return false;
  }
  {
    std::lock_guard lock(state_.mutex);
    state_.stats.subscribed = true;
  }

  std::array<char, 16 * 1024> chunk{};
  std::vector<loadgen::SseEvent> events;
  while (!stopping_) {
    response.get().body().data = chunk.data();
    response.get().body().size = chunk.size();
    stream_.expires_after(kIdleTimeout);
    auto [ec, n] = co_await http::async_read_some(stream_, buffer_, response, kTuple);
    if (ec == http::error::need_buffer) ec = {};
    const std::size_t got = chunk.size() - response.get().body().size;
    if (got > 0) {
      events.clear();
      parser_.feed(std::string_view(chunk.data(), got), events);
      std::lock_guard lock(state_.mutex);
      for (const auto& e : events) {
        if (auto update = parse_alert_event(e.data)) {
          record_alert_event(*update, state_.stats);
        } else {
          ++state_.stats.unreadable_events;
        }
      }
    }
    if (ec) {
      if (!stopping_) fail(fmt::format("stream ended: {}", ec.message()));
      break;
    }
    if (response.is_done()) {
      fail("stream ended by the server");
      break;
    }
  }
  co_return true;
}

}  // namespace vigil::sim
