#include "loadgen/sse.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace vigil::loadgen {
namespace {

const std::string kStream =
    "retry: 2000\r\n"
    "\r\n"
    "id: 41\r\n"
    "event: opened\r\n"
    "data: {\"a\":1}\r\n"
    "\r\n"
    ": keepalive\n"
    "\n"
    "id: 42\n"
    "event: updated\n"
    "data:first\n"
    "data:  second\n"
    "\n"
    "data: no id or type\r"
    "\r"
    "id: 43\n"
    "data: last\n"
    "\n";

void expect_events(const std::vector<SseEvent>& events) {
  ASSERT_EQ(events.size(), 4U);
  EXPECT_EQ(events[0].id, "41");
  EXPECT_EQ(events[0].event, "opened");
  EXPECT_EQ(events[0].data, "{\"a\":1}");
  EXPECT_EQ(events[1].id, "42");
  EXPECT_EQ(events[1].event, "updated");
  EXPECT_EQ(events[1].data, "first\n second");
  EXPECT_EQ(events[2].id, "42");  // the id persists
  EXPECT_EQ(events[2].event, "message");
  EXPECT_EQ(events[2].data, "no id or type");
  EXPECT_EQ(events[3].id, "43");
  EXPECT_EQ(events[3].data, "last");
}

TEST(SseParser, WholeStream) {
  SseParser p;
  std::vector<SseEvent> events;
  p.feed(kStream, events);
  expect_events(events);
  EXPECT_EQ(p.last_event_id(), "43");
}

TEST(SseParser, ByteByByte) {
  SseParser p;
  std::vector<SseEvent> events;
  for (const char c : kStream) p.feed(std::string_view(&c, 1), events);
  expect_events(events);
}

TEST(SseParser, EverySplitIntoThreeChunks) {
  // Every CRLF pair, field name and frame end falls at a chunk boundary somewhere in here.
  for (std::size_t i = 0; i <= kStream.size(); ++i) {
    for (std::size_t j = i; j <= kStream.size(); j += 7) {
      SseParser p;
      std::vector<SseEvent> events;
      const std::string_view s = kStream;
      p.feed(s.substr(0, i), events);
      p.feed(s.substr(i, j - i), events);
      p.feed(s.substr(j), events);
      ASSERT_NO_FATAL_FAILURE(expect_events(events)) << "split at " << i << ", " << j;
    }
  }
}

TEST(SseParser, EventCutOffByReconnectKeepsThePreviousResumePoint) {
  SseParser p;
  std::vector<SseEvent> events;
  p.feed("id: 7\ndata: x\n\nid: 8\ndata: partial", events);
  ASSERT_EQ(events.size(), 1U);
  EXPECT_EQ(p.last_event_id(), "7");
  p.reset_stream();
  p.feed("id: 8\ndata: whole\n\n", events);
  ASSERT_EQ(events.size(), 2U);
  EXPECT_EQ(events[1].data, "whole");
  EXPECT_EQ(p.last_event_id(), "8");
}

TEST(SseParser, DropsOversizedLinesAndEventsAndCarriesOn) {
  SseParser p(/*max_line=*/16, /*max_event=*/24);
  std::vector<SseEvent> events;
  p.feed("data: " + std::string(40, 'x') + "\n\n", events);                    // a line too long
  p.feed("data: 0123456789\ndata: 0123456789\ndata: 0123456789\n\n", events);  // an event too large
  p.feed("data: fine\n\n", events);
  ASSERT_EQ(events.size(), 1U);
  EXPECT_EQ(events[0].data, "fine");
  EXPECT_EQ(p.dropped(), 2U);
}

}  // namespace
}  // namespace vigil::loadgen
