// Request and trace ids reach every line written inside a LogScope, as JSON fields (or text
// suffixes), and only there.
#include "observability/log_context.h"

#include <gtest/gtest.h>
#include <spdlog/details/log_msg.h>

#include <boost/json/parse.hpp>
#include <string>
#include <thread>

#include "observability/logging.h"

namespace vigil::observability {
namespace {

std::string format(spdlog::formatter& formatter, std::string_view payload) {
  const spdlog::details::log_msg msg(spdlog::source_loc{}, "vigil", spdlog::level::warn, payload);
  spdlog::memory_buf_t buf;
  formatter.format(msg, buf);
  return std::string(buf.data(), buf.size());
}

TEST(LogContext, JsonLinesCarryTheScopesIdsAsFieldsAndNothingOutsideIt) {
  auto json = make_json_formatter();
  {
    const LogScope scope("req-1", "0af7651916cd43dd8448eb211c80319c");
    const auto line = boost::json::parse(format(*json, "access denied")).as_object();
    EXPECT_EQ(line.at("msg").as_string(), "access denied");
    EXPECT_EQ(line.at("request_id").as_string(), "req-1");
    EXPECT_EQ(line.at("trace_id").as_string(), "0af7651916cd43dd8448eb211c80319c");
  }
  const auto outside = boost::json::parse(format(*json, "after")).as_object();
  EXPECT_FALSE(outside.contains("request_id"));
  EXPECT_FALSE(outside.contains("trace_id"));
}

TEST(LogContext, ScopesNestAndRestoreAndAnEmptyIdIsLeftOut) {
  auto json = make_json_formatter();
  const LogScope request("req-outer", "11111111111111111111111111111111");
  {
    const LogScope record({}, "22222222222222222222222222222222");
    const auto inner = boost::json::parse(format(*json, "inner")).as_object();
    EXPECT_FALSE(inner.contains("request_id"));
    EXPECT_EQ(inner.at("trace_id").as_string(), "22222222222222222222222222222222");
  }
  const auto outer = boost::json::parse(format(*json, "outer")).as_object();
  EXPECT_EQ(outer.at("request_id").as_string(), "req-outer");
  EXPECT_EQ(outer.at("trace_id").as_string(), "11111111111111111111111111111111");
}

TEST(LogContext, AnIdCannotForgeFieldsOrBreakTheLine) {
  auto json = make_json_formatter();
  const LogScope scope("x\",\"level\":\"critical\n", {});
  const std::string text = format(*json, "m");
  EXPECT_EQ(text.find('\n'), text.size() - 1);
  const auto line = boost::json::parse(text).as_object();
  EXPECT_EQ(line.at("level").as_string(), "warning");
  EXPECT_EQ(line.at("request_id").as_string(), "x\",\"level\":\"critical\n");
}

TEST(LogContext, EachThreadHasItsOwnIds) {
  const LogScope mine("main-thread", {});
  LogIds seen_by_other{"unset", "unset"};
  std::thread other([&] { seen_by_other = current_log_ids(); });
  other.join();
  EXPECT_TRUE(seen_by_other.request_id.empty());
  EXPECT_EQ(current_log_ids().request_id, "main-thread");
}

TEST(LogContext, TextLinesEndWithTheIds) {
  auto text = make_text_formatter();
  {
    const LogScope scope("req-9", "33333333333333333333333333333333");
    const std::string line = format(*text, "handler failed");
    EXPECT_NE(line.find("handler failed request_id=req-9 trace_id=33333333333333333333333333333333"),
              std::string::npos)
        << line;
  }
  const std::string plain = format(*text, "plain");
  EXPECT_EQ(plain.find("request_id="), std::string::npos) << plain;
}

}  // namespace
}  // namespace vigil::observability
