#include "observability/trace.h"

#include <gtest/gtest.h>

#include <string>
#include <unordered_set>

namespace vigil::observability {
namespace {

constexpr std::string_view kValid = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

TEST(Traceparent, ParsesAValidHeaderAndStartsANewSpanUnderTheSender) {
  const auto ctx = parse_traceparent(kValid);
  ASSERT_TRUE(ctx.has_value());
  EXPECT_EQ(ctx->trace_id_hex(), "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(ctx->parent_span_id_hex(), "00f067aa0ba902b7");
  EXPECT_NE(ctx->span_id_hex(), "00f067aa0ba902b7");
  EXPECT_NE(ctx->span_id_hex(), "0000000000000000");
  EXPECT_TRUE(ctx->sampled());
  EXPECT_FALSE(ctx->is_root());
  EXPECT_EQ(ctx->traceparent(), "00-4bf92f3577b34da6a3ce929d0e0e4736-" + ctx->span_id_hex() + "-01");
}

TEST(Traceparent, KeepsUnsampledFlags) {
  const auto ctx = parse_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00");
  ASSERT_TRUE(ctx.has_value());
  EXPECT_FALSE(ctx->sampled());
  EXPECT_TRUE(ctx->traceparent().ends_with("-00"));
}

TEST(Traceparent, RejectsMalformedHeaders) {
  for (const std::string_view bad : {
           "",
           "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",   // uppercase
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00F067AA0BA902B7-01",   // uppercase
           "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",    // short trace id
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-",  // version 00 too long
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
           "00-00000000000000000000000000000000-00f067aa0ba902b7-01",  // zero trace id
           "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",  // zero parent id
           "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",  // forbidden version
           "0g-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",  // non-hex version
           "00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",  // wrong separator
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0x",  // non-hex flags
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1",   // short flags
       }) {
    EXPECT_FALSE(parse_traceparent(bad).has_value()) << bad;
  }
}

TEST(Traceparent, AcceptsFutureVersionsByThe00LayoutWhenExtraFieldsAreDashSeparated) {
  const auto future =
      parse_traceparent("cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-what-the-future-holds");
  ASSERT_TRUE(future.has_value());
  EXPECT_EQ(future->trace_id_hex(), "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(future->parent_span_id_hex(), "00f067aa0ba902b7");
  EXPECT_TRUE(parse_traceparent("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01").has_value());
  EXPECT_FALSE(parse_traceparent("cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01x").has_value());
  EXPECT_FALSE(parse_traceparent("cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0").has_value());
}

TEST(Traceparent, RoundTripsThroughTheHeader) {
  const auto root = new_trace();
  const auto downstream = parse_traceparent(root.traceparent());
  ASSERT_TRUE(downstream.has_value());
  EXPECT_EQ(downstream->trace_id, root.trace_id);
  EXPECT_EQ(downstream->parent_span_id, root.span_id);
  EXPECT_EQ(downstream->flags, root.flags);
}

TEST(TraceIds, NewTraceIsASampledRootAndChildKeepsTheTrace) {
  const auto root = new_trace();
  EXPECT_TRUE(root.sampled());
  EXPECT_TRUE(root.is_root());
  EXPECT_EQ(root.traceparent().size(), 55U);
  const auto c = child(root);
  EXPECT_EQ(c.trace_id, root.trace_id);
  EXPECT_EQ(c.parent_span_id, root.span_id);
  EXPECT_NE(c.span_id, root.span_id);
  EXPECT_EQ(c.flags, root.flags);
}

TEST(TraceIds, DrawsAreUniqueAndNonZero) {
  std::unordered_set<std::string> traces;
  std::unordered_set<std::string> spans;
  std::unordered_set<std::string> requests;
  constexpr int kDraws = 10000;
  for (int i = 0; i < kDraws; ++i) {
    const auto t = new_trace();
    traces.insert(t.trace_id_hex());
    spans.insert(t.span_id_hex());
    requests.insert(new_request_id());
  }
  EXPECT_EQ(traces.size(), std::size_t{kDraws});
  EXPECT_EQ(spans.size(), std::size_t{kDraws});
  EXPECT_EQ(requests.size(), std::size_t{kDraws});
  EXPECT_FALSE(traces.contains(std::string(32, '0')));
  EXPECT_FALSE(spans.contains(std::string(16, '0')));
  for (const auto& id : requests) {
    ASSERT_EQ(id.size(), 32U);
    ASSERT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos) << id;
  }
}

}  // namespace
}  // namespace vigil::observability
