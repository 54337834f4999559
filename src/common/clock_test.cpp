#include "common/clock.h"

#include <gtest/gtest.h>

namespace vigil {
namespace {

TEST(Rfc3339, ParsesUtcWithMillis) {
  TimePoint t;
  ASSERT_TRUE(parse_rfc3339("2026-11-22T08:00:03.120Z", t));
  EXPECT_EQ(format_rfc3339(t), "2026-11-22T08:00:03.120Z");
}

TEST(Rfc3339, AppliesOffsets) {
  TimePoint a, b;
  ASSERT_TRUE(parse_rfc3339("2026-11-22T09:30:00+01:30", a));
  ASSERT_TRUE(parse_rfc3339("2026-11-22T08:00:00Z", b));
  EXPECT_EQ(a, b);
  ASSERT_TRUE(parse_rfc3339("2026-11-22T07:00:00.5-01:00", a));
  EXPECT_EQ(format_rfc3339(a), "2026-11-22T08:00:00.500Z");
}

TEST(Rfc3339, FormatsEveryFieldAtItsEdges) {
  const std::pair<const char*, const char*> cases[] = {
      {"1970-01-01T00:00:00.000Z", "1970-01-01T00:00:00.000Z"},  // the epoch itself
      {"1969-12-31T23:59:59.999Z", "1969-12-31T23:59:59.999Z"},  // just before it
      {"2024-02-29T12:34:56.007Z", "2024-02-29T12:34:56.007Z"},  // leap day, leading zeros
      {"0999-09-09T09:09:09.090Z", "0999-09-09T09:09:09.090Z"},  // a three-digit year is padded
      {"9999-12-31T23:59:59.999Z", "9999-12-31T23:59:59.999Z"},
  };
  for (const auto& [in, want] : cases) {
    TimePoint t;
    ASSERT_TRUE(parse_rfc3339(in, t)) << in;
    EXPECT_EQ(format_rfc3339(t), want);
  }
  // Past four digits the year is written whole, as fmt's {:04d} does.
  TimePoint last;
  ASSERT_TRUE(parse_rfc3339("9999-12-31T23:59:59.999Z", last));
  EXPECT_EQ(format_rfc3339(last + std::chrono::milliseconds(1)), "10000-01-01T00:00:00.000Z");
}

TEST(Rfc3339, AppendKeepsWhatTheStringHeld) {
  TimePoint t;
  ASSERT_TRUE(parse_rfc3339("2026-11-22T08:00:03.120Z", t));
  std::string out = R"({"at":")";
  append_rfc3339(t, out);
  out += "\"}";
  EXPECT_EQ(out, R"({"at":"2026-11-22T08:00:03.120Z"})");
}

TEST(Rfc3339, TruncatesBeyondMilliseconds) {
  TimePoint t;
  ASSERT_TRUE(parse_rfc3339("2026-11-22T08:00:03.123456789Z", t));
  EXPECT_EQ(format_rfc3339(t), "2026-11-22T08:00:03.123Z");
}

TEST(Rfc3339, RejectsMalformed) {
  TimePoint t;
  for (const char* bad : {"", "2026-11-22", "2026-11-22T08:00:03", "2026-13-01T00:00:00Z",
                          "2026-02-30T00:00:00Z", "2026-11-22T24:00:00Z", "2026-11-22T08:00:03.Z",
                          "2026-11-22T08:00:03Zjunk", "2026-11-22 08:00:03Z", "2026-11-22T08:00:03+0100"}) {
    EXPECT_FALSE(parse_rfc3339(bad, t)) << bad;
  }
}

TEST(ManualClock, MovesOnlyWhenTold) {
  TimePoint start;
  ASSERT_TRUE(parse_rfc3339("2026-01-01T00:00:00Z", start));
  ManualClock clock(start);
  EXPECT_EQ(clock.now(), start);
  clock.advance(std::chrono::minutes(5));
  EXPECT_EQ(format_rfc3339(clock.now()), "2026-01-01T00:05:00.000Z");
}

}  // namespace
}  // namespace vigil
