// The access-log link's SERVER spans (tracing export): ids laid out as the request-id link set them,
// names, attributes and error status. In memory, with an injected span clock.
#include "middleware/access_log.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include "middleware/request_id.h"

namespace vigil::middleware {
namespace {

class Spans final : public observability::SpanSink {
 public:
  void record(observability::Span span) noexcept override { spans.push_back(std::move(span)); }
  std::vector<observability::Span> spans;
};

class FixedSpanClock final : public observability::SpanClock {
 public:
  [[nodiscard]] std::int64_t now_unix_nanos() const override { return 1'700'000'000'000'000'000; }
};

// Runs request-id, then the access log's response side, for one request built in memory.
class AccessLogSpans : public ::testing::Test {
 protected:
  observability::Span respond(unsigned status, bool routed = true) {
    const http::RouteInfo route{"/v1/alerts/{id}", {}};
    request_.method(http::Verb::post);
    request_.target("/v1/alerts/a1");
    http::RequestContext ctx(request_, stream_, "/v1/alerts/a1", "", http::PathParams{},
                             std::chrono::steady_clock::now(), draining_, hooks_);
    ctx.route = routed ? &route : nullptr;
    RequestIdLink ids;
    auto done = boost::asio::co_spawn(ioc_, ids.on_request(ctx), boost::asio::use_future);
    ioc_.restart();
    ioc_.run();
    done.get();
    traceparent_ = ctx.traceparent;
    request_id_ = ctx.request_id;
    std::optional<http::Response> res(http::Response{static_cast<http::Status>(status), 11});
    AccessLogLink link(&sink_, clock_);
    link.on_response(ctx, res);
    return sink_.spans.empty() ? observability::Span{} : sink_.spans.back();
  }

  static std::string attribute(const observability::Span& span, const std::string& key) {
    for (const auto& a : span.attributes) {
      if (a.key != key) continue;
      if (const auto* s = std::get_if<std::string>(&a.value)) return *s;
      return std::to_string(std::get<std::int64_t>(a.value));
    }
    return "(absent)";
  }

  boost::asio::io_context ioc_;
  http::Request request_;
  boost::beast::tcp_stream stream_{ioc_};
  std::atomic<bool> draining_{false};
  http::ConnectionHooks hooks_;
  Spans sink_;
  FixedSpanClock clock_;
  std::string traceparent_;
  std::string request_id_;
};

TEST_F(AccessLogSpans, ContinuesTheCallersTraceWithThisHopsSpan) {
  request_.set("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  const auto span = respond(201);
  ASSERT_EQ(sink_.spans.size(), 1u);
  EXPECT_EQ(span.kind, observability::SpanKind::server);
  EXPECT_EQ(span.context.trace_id_hex(), "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(span.context.parent_span_id_hex(), "00f067aa0ba902b7");
  // The span id is the one the response's traceparent names (and the log record keeps).
  EXPECT_EQ(traceparent_, "00-4bf92f3577b34da6a3ce929d0e0e4736-" + span.context.span_id_hex() + "-01");
  EXPECT_EQ(span.name, "POST /v1/alerts/{id}");
  EXPECT_EQ(span.end_unix_nanos, 1'700'000'000'000'000'000);
  EXPECT_LE(span.start_unix_nanos, span.end_unix_nanos);
  EXPECT_EQ(attribute(span, "http.request.method"), "POST");
  EXPECT_EQ(attribute(span, "http.route"), "/v1/alerts/{id}");
  EXPECT_EQ(attribute(span, "http.response.status_code"), "201");
  EXPECT_EQ(attribute(span, "vigil.request_id"), request_id_);
  EXPECT_FALSE(span.error);
}

TEST_F(AccessLogSpans, ANewTraceIsARootSpanAnd5xxIsAnError) {
  const auto span = respond(503);
  ASSERT_EQ(sink_.spans.size(), 1u);
  EXPECT_TRUE(span.context.is_root());
  EXPECT_EQ(traceparent_, span.context.traceparent());
  EXPECT_TRUE(span.error);
  EXPECT_FALSE(respond(499).error);
}

TEST_F(AccessLogSpans, UnmatchedRoutesAreNamedByMethodOnly) {
  const auto span = respond(404, /*routed=*/false);
  EXPECT_EQ(span.name, "POST");
  EXPECT_EQ(attribute(span, "http.route"), "(absent)");
}

TEST_F(AccessLogSpans, ATraceTheCallerDidNotSampleIsNotRecorded) {
  request_.set("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00");
  respond(200);
  EXPECT_TRUE(sink_.spans.empty());
}

}  // namespace
}  // namespace vigil::middleware
