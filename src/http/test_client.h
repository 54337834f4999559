#pragma once
// TestClient: a small synchronous keep-alive HTTP/1.1 client for tests (unit and integration).
// Not for production paths: it blocks the calling thread. One instance per thread.
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace vigil::http {

class TestClient {
 public:
  using Headers = std::vector<std::pair<std::string, std::string>>;
  using Res = boost::beast::http::response<boost::beast::http::string_body>;

  explicit TestClient(std::uint16_t port, std::string host = "127.0.0.1")
      : host_(std::move(host)), port_(port), stream_(ioc_) {
    connect();
  }

  void connect() {
    boost::asio::ip::tcp::endpoint ep(boost::asio::ip::make_address(host_), port_);
    stream_.expires_after(std::chrono::seconds(30));
    stream_.connect(ep);
  }

  Res request(boost::beast::http::verb method, const std::string& target, const std::string& body = "",
              const Headers& headers = {}, const std::string& content_type = "application/json") {
    namespace bhttp = boost::beast::http;
    bhttp::request<bhttp::string_body> req{method, target, 11};
    req.set(bhttp::field::host, host_);
    if (!body.empty() || method == bhttp::verb::post) {
      req.set(bhttp::field::content_type, content_type);
      req.body() = body;
    }
    for (const auto& [k, v] : default_headers_) req.set(k, v);
    for (const auto& [k, v] : headers) req.set(k, v);
    req.prepare_payload();
    stream_.expires_after(std::chrono::seconds(30));
    bhttp::write(stream_, req);
    return read();
  }

  Res get(const std::string& target, const Headers& headers = {}) {
    return request(boost::beast::http::verb::get, target, "", headers);
  }
  Res post(const std::string& target, const std::string& body, const Headers& headers = {}) {
    return request(boost::beast::http::verb::post, target, body, headers);
  }

  // Sends raw bytes (for malformed-request tests) and reads one response.
  Res raw(const std::string& bytes) {
    stream_.expires_after(std::chrono::seconds(30));
    boost::asio::write(stream_.socket(), boost::asio::buffer(bytes));
    return read();
  }

  Res read() {
    Res res;
    boost::beast::http::response_parser<boost::beast::http::string_body> parser;
    parser.body_limit(std::uint64_t{64} * 1024 * 1024);
    stream_.expires_after(std::chrono::seconds(30));
    boost::beast::http::read(stream_, buffer_, parser);
    return parser.release();
  }

  // True when the server closed the connection (reads EOF within the client timeout).
  bool closed_by_server() {
    boost::beast::error_code ec;
    char c = 0;
    stream_.expires_after(std::chrono::seconds(30));
    stream_.socket().read_some(boost::asio::buffer(&c, 1), ec);
    return ec == boost::asio::error::eof || ec == boost::asio::error::connection_reset;
  }

  boost::beast::tcp_stream& stream() { return stream_; }

  // Headers sent with every later request (credentials); per-request headers override them.
  TestClient& with_headers(Headers headers) {
    default_headers_ = std::move(headers);
    return *this;
  }

 private:
  std::string host_;
  std::uint16_t port_;
  boost::asio::io_context ioc_;
  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  Headers default_headers_;
};

}  // namespace vigil::http
