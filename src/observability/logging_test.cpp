#include "observability/logging.h"

#include <gtest/gtest.h>
#include <spdlog/details/log_msg.h>

#include <boost/json/parse.hpp>
#include <string>

namespace vigil::observability {
namespace {

std::string format_json(std::string_view payload, spdlog::level::level_enum level = spdlog::level::info) {
  const spdlog::details::log_msg msg(spdlog::source_loc{}, "vigil", level, payload);
  spdlog::memory_buf_t buf;
  make_json_formatter()->format(msg, buf);
  return std::string(buf.data(), buf.size());
}

TEST(JsonFormatter, WritesOneParsableLineWithTimeLevelAndMessage) {
  const auto line = format_json("listening on http://127.0.0.1:8080");
  ASSERT_FALSE(line.empty());
  EXPECT_EQ(line.back(), '\n');
  EXPECT_EQ(line.find('\n'), line.size() - 1);
  const auto json = boost::json::parse(line).as_object();
  EXPECT_EQ(json.at("level").as_string(), "info");
  EXPECT_EQ(json.at("msg").as_string(), "listening on http://127.0.0.1:8080");
  const auto time = std::string(json.at("time").as_string());
  EXPECT_EQ(time.size(), 24U);
  EXPECT_EQ(time.back(), 'Z');
}

TEST(JsonFormatter, EscapesQuotesNewlinesAndControlCharactersSoAMessageCannotForgeFields) {
  const auto line = format_json("a\"b\\c\nd\x01\",\"level\":\"critical");
  EXPECT_EQ(line.find('\n'), line.size() - 1);
  const auto json = boost::json::parse(line).as_object();
  EXPECT_EQ(json.at("msg").as_string(), "a\"b\\c\nd\x01\",\"level\":\"critical");
  EXPECT_EQ(json.at("level").as_string(), "info");
  EXPECT_EQ(json.size(), 3U);
}

TEST(ParseLogSettings, AcceptsKnownValuesAndNamesTheBadOne) {
  EXPECT_EQ(parse_log_level("warn"), spdlog::level::warn);
  EXPECT_EQ(parse_log_level("error"), spdlog::level::err);
  EXPECT_EQ(parse_log_format("text"), LogFormat::text);
  try {
    (void)parse_log_level("verbose");
    FAIL() << "expected LoggingError";
  } catch (const LoggingError& e) {
    EXPECT_NE(std::string(e.what()).find("'verbose'"), std::string::npos);
  }
  EXPECT_THROW((void)parse_log_format("xml"), LoggingError);
}

}  // namespace
}  // namespace vigil::observability
