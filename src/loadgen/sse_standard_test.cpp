#include "loadgen/sse.h"

#include <gtest/gtest.h>

namespace vigil::loadgen {
namespace {

std::vector<SseEvent> parse_all(SseParser& parser, std::string_view text) {
  std::vector<SseEvent> out;
  parser.feed(text, out);
  return out;
}

std::vector<SseEvent> parse_all(std::string_view text) {
  SseParser parser;
  return parse_all(parser, text);
}

// What the server sends: a retry hint, then frames, with keep-alive comments in between.
constexpr std::string_view kStream =
    "retry: 2000\n\n"
    "id: 7\nevent: opened\ndata: {\"event_id\":7}\n\n"
    ": keepalive\n\n"
    "id: 8\nevent: updated\ndata: {\"event_id\":8}\n\n";

TEST(Sse, ParsesTheServersFrames) {
  SseParser parser;
  const auto events = parse_all(parser, kStream);
  ASSERT_EQ(events.size(), 2U);
  EXPECT_EQ(events[0].id, "7");
  EXPECT_EQ(events[0].event, "opened");
  EXPECT_EQ(events[0].data, R"({"event_id":7})");
  EXPECT_EQ(events[1].id, "8");
  EXPECT_EQ(events[1].event, "updated");
  EXPECT_EQ(parser.last_event_id(), "8");
  EXPECT_EQ(parser.retry(), std::chrono::milliseconds(2000));
  EXPECT_EQ(parser.dropped(), 0U);
}

TEST(Sse, ChunkBoundariesDoNotMatter) {
  const auto whole = parse_all(kStream);
  for (std::size_t split = 0; split <= kStream.size(); ++split) {
    SseParser parser;
    std::vector<SseEvent> events;
    parser.feed(kStream.substr(0, split), events);
    parser.feed(kStream.substr(split), events);
    ASSERT_EQ(events.size(), whole.size()) << "split at " << split;
    for (std::size_t i = 0; i < events.size(); ++i) {
      EXPECT_EQ(events[i].id, whole[i].id);
      EXPECT_EQ(events[i].event, whole[i].event);
      EXPECT_EQ(events[i].data, whole[i].data);
    }
  }
  SseParser bytewise;
  std::vector<SseEvent> events;
  for (const char c : kStream) bytewise.feed(std::string_view(&c, 1), events);
  EXPECT_EQ(events.size(), whole.size());
}

TEST(Sse, AcceptsEveryLineEnding) {
  for (const std::string_view text :
       {"data: a\r\n\r\ndata: b\r\n\r\n", "data: a\r\rdata: b\r\r", "data: a\n\ndata: b\n\n"}) {
    const auto events = parse_all(text);
    ASSERT_EQ(events.size(), 2U) << text;
    EXPECT_EQ(events[0].data, "a");
    EXPECT_EQ(events[1].data, "b");
  }
  // A CRLF split between two chunks is one line ending, not a line ending and a blank line.
  SseParser parser;
  std::vector<SseEvent> events;
  parser.feed("data: a\r", events);
  parser.feed("\ndata: b\r\n\r\n", events);
  ASSERT_EQ(events.size(), 1U);
  EXPECT_EQ(events[0].data, "a\nb");
}

TEST(Sse, JoinsMultiLineDataAndDefaultsTheEventName) {
  const auto events = parse_all("data: first\ndata:second\ndata\ndata:  indented\n\n");
  ASSERT_EQ(events.size(), 1U);
  EXPECT_EQ(events[0].event, "message");
  EXPECT_EQ(events[0].data, "first\nsecond\n\n indented");
}

TEST(Sse, CommentsAndUnknownFieldsAreIgnored) {
  const auto events = parse_all(": hello\nfoo: bar\nevent: x\n: in between\ndata: d\n\n");
  ASSERT_EQ(events.size(), 1U);
  EXPECT_EQ(events[0].event, "x");
  EXPECT_EQ(events[0].data, "d");
}

TEST(Sse, AnEventWithoutDataDispatchesNothingButItsIdCounts) {
  SseParser parser;
  auto events = parse_all(parser, "id: 41\nevent: opened\n\n");
  EXPECT_TRUE(events.empty());
  EXPECT_EQ(parser.last_event_id(), "41");
  events = parse_all(parser, "data: x\n\n");
  ASSERT_EQ(events.size(), 1U);
  EXPECT_EQ(events[0].id, "41");          // the last id persists
  EXPECT_EQ(events[0].event, "message");  // but the event name does not
  parse_all(parser, std::string_view("id: bad\0id\n\n", 12));
  EXPECT_EQ(parser.last_event_id(), "41");
}

TEST(Sse, RetryTakesDigitsOnly) {
  SseParser parser;
  parse_all(parser, "retry: 15x\n\n");
  EXPECT_EQ(parser.retry(), std::nullopt);
  parse_all(parser, "retry: 1500\n\n");
  EXPECT_EQ(parser.retry(), std::chrono::milliseconds(1500));
  parse_all(parser, "retry: 99999999999999999999999\n\n");
  EXPECT_EQ(parser.retry(), std::chrono::milliseconds(1500));
}

TEST(Sse, SkipsALeadingByteOrderMark) {
  const auto events = parse_all(
      "\xEF\xBB\xBF"
      "data: x\n\n");
  ASSERT_EQ(events.size(), 1U);
  EXPECT_EQ(events[0].data, "x");
}

TEST(Sse, DropsOversizedLinesAndEventsAndCarriesOn) {
  SseParser parser(16, 32);
  std::vector<SseEvent> events;
  parser.feed("data: " + std::string(40, 'x') + "\n\n", events);                    // a line over 16 bytes
  parser.feed("data: 0123456789\ndata: 0123456789\ndata: 0123456789\n\n", events);  // data over 32
  parser.feed("data: ok\n\n", events);
  ASSERT_EQ(events.size(), 1U);
  EXPECT_EQ(events[0].data, "ok");
  EXPECT_EQ(parser.dropped(), 2U);
}

TEST(Sse, ResetForgetsThePartialEventButKeepsTheLastDispatchedId) {
  SseParser parser;
  std::vector<SseEvent> events;
  parser.feed("id: 5\ndata: a\n\nid: 6\ndata: half", events);
  // Event 6 never completed: a reconnect must resume after 5, or 6 would be lost.
  EXPECT_EQ(parser.last_event_id(), "5");
  parser.reset_stream();
  parser.feed("data: b\n\n", events);
  ASSERT_EQ(events.size(), 2U);
  EXPECT_EQ(events[1].data, "b");
  EXPECT_EQ(events[1].id, "5");
  EXPECT_EQ(parser.last_event_id(), "5");
}

}  // namespace
}  // namespace vigil::loadgen
