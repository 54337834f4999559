#pragma once
// For the simulator's tests: a stand-in for the server's credential checks on intake and the alert
// stream. It listens on 127.0.0.1 (any free port), records every request, and answers like Vigil:
// - POST /v1/observations and /v1/questionnaire-responses: 202 {"accepted": n, "duplicates": 0}
//   when the X-API-Key header equals key_for(patient) for the patient of EVERY record in the body,
//   403 for the whole request otherwise;
// - GET /v1/alerts/stream: 200 text/event-stream, held open, when Authorization equals
//   `staff_authorization`; 401 otherwise.
//
// Thread safety: one I/O thread of its own; the accessors copy under a lock and may be called from
// any thread. The destructor stops the thread.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json/parse.hpp>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace vigil::sim::testing {

class RecordingServer {
 public:
  struct Post {
    std::string target;
    std::string api_key;                // the X-API-Key header; empty when absent
    std::vector<std::string> patients;  // patient_id of each record in the body, in order
    unsigned status = 0;
  };

  RecordingServer(std::function<std::string(const std::string& patient)> key_for,
                  std::string staff_authorization)
      : key_for_(std::move(key_for)),
        staff_authorization_(std::move(staff_authorization)),
        acceptor_(io_, {boost::asio::ip::make_address("127.0.0.1"), 0}) {
    boost::asio::co_spawn(io_, accept(), boost::asio::detached);
    thread_ = std::thread([this] { io_.run(); });
  }
  RecordingServer(const RecordingServer&) = delete;
  RecordingServer& operator=(const RecordingServer&) = delete;
  ~RecordingServer() {
    io_.stop();
    thread_.join();
  }

  [[nodiscard]] std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  [[nodiscard]] std::vector<Post> posts() const {
    std::lock_guard lock(mutex_);
    return posts_;
  }
  [[nodiscard]] std::vector<std::string> stream_authorizations() const {
    std::lock_guard lock(mutex_);
    return stream_authorizations_;
  }
  // Observation requests answered 2xx, and refused, so far.
  [[nodiscard]] std::pair<std::size_t, std::size_t> observation_answers() const {
    std::lock_guard lock(mutex_);
    std::pair<std::size_t, std::size_t> out;
    for (const auto& p : posts_) {
      if (p.target != "/v1/observations") continue;
      ++(p.status == 202 ? out.first : out.second);
    }
    return out;
  }

 private:
  boost::asio::awaitable<void> accept() {
    for (;;) {
      auto [ec, socket] = co_await acceptor_.async_accept(kTuple);
      if (ec) co_return;
      boost::asio::co_spawn(io_, serve(std::move(socket)), boost::asio::detached);
    }
  }

  boost::asio::awaitable<void> serve(boost::asio::ip::tcp::socket socket) {
    namespace http = boost::beast::http;
    boost::beast::flat_buffer buffer;
    for (;;) {
      http::request<http::string_body> request;
      if (auto [ec, n] = co_await http::async_read(socket, buffer, request, kTuple); ec) co_return;
      if (request.method() == http::verb::get && request.target() == "/v1/alerts/stream") {
        const std::string authorization(request[http::field::authorization]);
        {
          std::lock_guard lock(mutex_);
          stream_authorizations_.push_back(authorization);
        }
        if (authorization != staff_authorization_) {
          http::response<http::string_body> refused{http::status::unauthorized, 11};
          refused.keep_alive(false);
          refused.prepare_payload();
          co_await http::async_write(socket, refused, kTuple);
          co_return;
        }
        static const std::string kHead =
            "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n\r\n: open\n\n";
        co_await boost::asio::async_write(socket, boost::asio::buffer(kHead), kTuple);
        char sink[256];
        for (;;) {  // held open until the client leaves
          if (auto [ec, n] = co_await socket.async_read_some(boost::asio::buffer(sink), kTuple); ec)
            co_return;
        }
      }
      Post post{std::string(request.target()), std::string(request["X-API-Key"]), patients_of(request.body()),
                202};
      bool allowed = !post.patients.empty();
      for (const auto& p : post.patients)
        allowed = allowed && !post.api_key.empty() && key_for_(p) == post.api_key;
      post.status = allowed ? 202 : 403;
      http::response<http::string_body> response{allowed ? http::status::accepted : http::status::forbidden,
                                                 11};
      response.set(http::field::content_type, allowed ? "application/json" : "application/problem+json");
      response.body() = allowed
                            ? R"({"accepted":)" + std::to_string(post.patients.size()) + R"(,"duplicates":0})"
                            : R"({"type":"about:blank","title":"Forbidden","status":403})";
      response.keep_alive(request.keep_alive());
      response.prepare_payload();
      {
        std::lock_guard lock(mutex_);
        posts_.push_back(std::move(post));
      }
      if (auto [ec, n] = co_await http::async_write(socket, response, kTuple); ec || !request.keep_alive())
        co_return;
    }
  }

  static std::vector<std::string> patients_of(const std::string& body) {
    std::vector<std::string> out;
    boost::system::error_code ec;
    const auto value = boost::json::parse(body, ec);
    if (ec || !value.is_object()) return out;
    const auto& object = value.get_object();
    const auto patient = [&](const boost::json::value& record) {
      const auto* id = record.is_object() ? record.get_object().if_contains("patient_id") : nullptr;
      out.push_back(id != nullptr && id->is_string() ? std::string(id->get_string()) : std::string());
    };
    if (const auto* list = object.if_contains("observations"); list != nullptr && list->is_array()) {
      for (const auto& record : list->get_array()) patient(record);
    } else {
      patient(value);
    }
    return out;
  }

  static constexpr auto kTuple = boost::asio::as_tuple(boost::asio::use_awaitable);

  const std::function<std::string(const std::string&)> key_for_;
  const std::string staff_authorization_;
  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  const unsigned short port_ = acceptor_.local_endpoint().port();
  std::thread thread_;
  mutable std::mutex mutex_;
  std::vector<Post> posts_;
  std::vector<std::string> stream_authorizations_;
};

}  // namespace vigil::sim::testing
