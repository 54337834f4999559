#include "resilience/deadline.h"

#include <gtest/gtest.h>

namespace vigil::resilience {
namespace {

using std::chrono::milliseconds;

void expect_value(const TimeoutParse& p, milliseconds expected) {
  EXPECT_TRUE(p.ok()) << p.error;
  ASSERT_TRUE(p.value.has_value());
  EXPECT_EQ(*p.value, expected);
}

void expect_error(const TimeoutParse& p) {
  EXPECT_FALSE(p.ok());
  EXPECT_FALSE(p.error.empty());
  EXPECT_FALSE(p.value.has_value());
}

TEST(RequestTimeoutMs, ParsesPositiveIntegers) {
  expect_value(parse_request_timeout_ms("250"), milliseconds(250));
  expect_value(parse_request_timeout_ms(" \t1 "), milliseconds(1));
  expect_value(parse_request_timeout_ms("86400000"), milliseconds(86'400'000));  // exactly 24 h
}

TEST(RequestTimeoutMs, RejectsMalformedValues) {
  expect_error(parse_request_timeout_ms(""));
  expect_error(parse_request_timeout_ms("0"));
  expect_error(parse_request_timeout_ms("-5"));
  expect_error(parse_request_timeout_ms("+5"));
  expect_error(parse_request_timeout_ms("2.5"));
  expect_error(parse_request_timeout_ms("250ms"));
  expect_error(parse_request_timeout_ms("1 000"));
  expect_error(parse_request_timeout_ms("86400001"));                    // over 24 h
  expect_error(parse_request_timeout_ms("99999999999999999999999999"));  // overflows uint64
}

TEST(GrpcTimeout, ParsesEveryUnit) {
  expect_value(parse_grpc_timeout("2H"), std::chrono::hours(2));
  expect_value(parse_grpc_timeout("3M"), std::chrono::minutes(3));
  expect_value(parse_grpc_timeout("10S"), std::chrono::seconds(10));
  expect_value(parse_grpc_timeout("250m"), milliseconds(250));
  expect_value(parse_grpc_timeout("1500u"), milliseconds(2));  // rounds up
  expect_value(parse_grpc_timeout("2000u"), milliseconds(2));
  expect_value(parse_grpc_timeout("1n"), milliseconds(1));
  expect_value(parse_grpc_timeout("99999999H"), std::chrono::hours(99'999'999));  // largest: no overflow
}

TEST(GrpcTimeout, RejectsMalformedValues) {
  expect_error(parse_grpc_timeout(""));
  expect_error(parse_grpc_timeout("S"));
  expect_error(parse_grpc_timeout("100"));  // no unit
  expect_error(parse_grpc_timeout("0m"));
  expect_error(parse_grpc_timeout("-1S"));
  expect_error(parse_grpc_timeout("10s"));  // units are case-sensitive: 's' is not one
  expect_error(parse_grpc_timeout("10x"));
  expect_error(parse_grpc_timeout("123456789m"));  // 9 digits
  expect_error(parse_grpc_timeout("1.5S"));
  expect_error(parse_grpc_timeout("1 S"));
}

TEST(EffectiveTimeout, ClientCanOnlyShorten) {
  EXPECT_EQ(effective_timeout(milliseconds(5000), std::nullopt), milliseconds(5000));
  EXPECT_EQ(effective_timeout(milliseconds(5000), milliseconds(250)), milliseconds(250));
  EXPECT_EQ(effective_timeout(milliseconds(5000), milliseconds(60'000)), milliseconds(5000));
}

TEST(Deadline, RemainingAndExpired) {
  ManualTicker ticker;
  const Deadline d = Deadline::after(ticker, milliseconds(250));
  EXPECT_EQ(d.at(), std::chrono::seconds(1) + milliseconds(250));
  EXPECT_FALSE(d.expired());
  EXPECT_EQ(d.remaining(), milliseconds(250));
  ticker.advance(milliseconds(249));
  EXPECT_FALSE(d.expired());
  EXPECT_EQ(d.remaining(), milliseconds(1));
  ticker.advance(milliseconds(1));
  EXPECT_TRUE(d.expired());
  EXPECT_EQ(d.remaining(), Nanos(0));
  ticker.advance(milliseconds(1000));
  EXPECT_TRUE(d.expired());
  EXPECT_EQ(d.remaining(), Nanos(0));  // never negative

  const Deadline copy = d;  // a value: copies share the ticker
  EXPECT_EQ(copy.at(), d.at());
  EXPECT_TRUE(Deadline(ticker, ticker.now()).expired());
}

}  // namespace
}  // namespace vigil::resilience
