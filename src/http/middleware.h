#pragma once
// The request pipeline in front of every handler: an explicit, ordered chain of small links
// (request id and trace context, access log, metrics, caps, rate limit, load shedding, deadline,
// authentication, body limit), then the routed handler inside an exception guard. The order is
// fixed at start-up by the composition root (app/node.cpp) and documented in docs/operations.md.
//
// A link sees the request before the handler and may stop it with a response (a 401, a 429, a
// 503...); it may also look at the response on the way out. on_response runs, in reverse order, for
// every link whose on_request let the request continue, so a link that stopped a request never
// sees its own refusal, while the links before it (access log, metrics) see everything.
//
// Thread safety: links are shared by every connection and called concurrently from the network
// threads; a link keeps per-request state in the RequestContext, never in itself (its own
// counters and limiters must be thread-safe). on_request must not block: anything slow goes to a
// pool (http/blocking.h) and is awaited.
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/deadline.h"
#include "http/types.h"
#include "observability/log_context.h"

namespace vigil::http {

// What a link decides: let the request go on to the next link, or answer it now.
class Verdict {
 public:
  Verdict() = default;  // proceed
  static Verdict proceed() { return Verdict{}; }
  static Verdict stop(Response response) { return Verdict{std::move(response)}; }

  [[nodiscard]] bool stopped() const { return response_.has_value(); }
  // The refusal; only valid when stopped().
  Response& response() { return *response_; }

 private:
  explicit Verdict(Response r) : response_(std::move(r)) {}
  std::optional<Response> response_;
};

// Logs a link's failure with its cause and returns the 500 problem+json (without the cause).
Response link_failed(std::string_view link, const std::string& cause);

class Middleware {
 public:
  virtual ~Middleware() = default;
  // A short stable name ("rate-limit") for logs and docs.
  [[nodiscard]] virtual std::string_view name() const = 0;
  virtual asio::awaitable<Verdict> on_request(RequestContext& ctx) = 0;
  // `response` is empty when a streaming handler wrote to the connection itself. Must not throw.
  virtual void on_response(RequestContext& /*ctx*/, std::optional<Response>& /*response*/) noexcept {}
};

// An ordered list of links, built once at start-up and then only read.
class Chain {
 public:
  Chain& add(std::unique_ptr<Middleware> link) {
    links_.push_back(std::move(link));
    return *this;
  }

  // The links' names in order ("request-id", "access-log", ...): what the chain actually runs, for
  // tests and start-up logs.
  [[nodiscard]] std::vector<std::string_view> names() const {
    std::vector<std::string_view> out;
    out.reserve(links_.size());
    for (const auto& link : links_) out.push_back(link->name());
    return out;
  }
  [[nodiscard]] const std::vector<std::unique_ptr<Middleware>>& links() const { return links_; }

  // Runs the links, then `terminal` (the routed handler, or the 404/405 answer) if none stopped,
  // then the on_response hooks in reverse. `terminal` is called at most once.
  template <typename Terminal>
  asio::awaitable<std::optional<Response>> run(RequestContext& ctx, Terminal terminal) const {
    std::size_t passed = 0;
    std::optional<Response> response;
    std::optional<std::string> failure;  // what a failing link threw
    bool timed_out = false;
    for (; passed < links_.size(); ++passed) {
      // A link that throws (a store lookup past the deadline, a bug) answers like a handler would:
      // 504 or 500, and the links before it still see the answer.
      try {
        Verdict v = co_await links_[passed]->on_request(ctx);
        if (v.stopped()) {
          response = std::move(v.response());
          break;
        }
      } catch (const DeadlineExceeded&) {
        timed_out = true;
      } catch (const std::exception& e) {
        failure = e.what();
      }
      if (timed_out || failure) break;
    }
    if (timed_out) response = deadline_exceeded();
    if (failure) {
      const observability::LogScope ids(ctx.request_id, ctx.trace_id);
      response = link_failed(links_[passed]->name(), *failure);
    }
    if (passed == links_.size()) response = co_await terminal(ctx);
    for (std::size_t i = passed; i-- > 0;) links_[i]->on_response(ctx, response);
    co_return response;
  }

 private:
  std::vector<std::unique_ptr<Middleware>> links_;
};

}  // namespace vigil::http
