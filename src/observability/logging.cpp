#include "observability/logging.h"

#include <fmt/format.h>
#include <spdlog/details/fmt_helper.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <array>
#include <chrono>
#include <ctime>
#include <string>

#include "observability/log_context.h"

namespace vigil::observability {
namespace {

void append(spdlog::memory_buf_t& dest, std::string_view text) {
  dest.append(text.data(), text.data() + text.size());
}

// JSON string escaping per RFC 8259: quote, backslash and control characters.
void append_escaped(spdlog::memory_buf_t& dest, std::string_view text) {
  for (char c : text) {
    switch (c) {
      case '"':
        append(dest, "\\\"");
        break;
      case '\\':
        append(dest, "\\\\");
        break;
      case '\n':
        append(dest, "\\n");
        break;
      case '\r':
        append(dest, "\\r");
        break;
      case '\t':
        append(dest, "\\t");
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          fmt::format_to(std::back_inserter(dest), "\\u{:04x}", static_cast<unsigned>(c));
        } else {
          dest.push_back(c);
        }
    }
  }
}

class JsonFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    using namespace std::chrono;
    const auto since_epoch = msg.time.time_since_epoch();
    const auto secs = duration_cast<seconds>(since_epoch);
    const auto millis = duration_cast<milliseconds>(since_epoch - secs).count();
    const std::time_t t = secs.count();
    std::tm tm{};
    gmtime_r(&t, &tm);
    fmt::format_to(std::back_inserter(dest),
                   R"({{"time":"{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z","level":")", tm.tm_year + 1900,
                   tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
    const auto level = spdlog::level::to_string_view(msg.level);
    append(dest, std::string_view(level.data(), level.size()));
    append(dest, R"(","msg":")");
    append_escaped(dest, std::string_view(msg.payload.data(), msg.payload.size()));
    const LogIds ids = current_log_ids();
    if (!ids.request_id.empty()) {
      append(dest, R"(","request_id":")");
      append_escaped(dest, ids.request_id);
    }
    if (!ids.trace_id.empty()) {
      append(dest, R"(","trace_id":")");
      append_escaped(dest, ids.trace_id);
    }
    append(dest, "\"}\n");
  }
  [[nodiscard]] std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<JsonFormatter>();
  }
};

// %* in the text pattern: " request_id=... trace_id=..." for the ids of the current LogScope.
class IdsFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg&, const std::tm&, spdlog::memory_buf_t& dest) override {
    const LogIds ids = current_log_ids();
    if (!ids.request_id.empty()) {
      append(dest, " request_id=");
      append(dest, ids.request_id);
    }
    if (!ids.trace_id.empty()) {
      append(dest, " trace_id=");
      append(dest, ids.trace_id);
    }
  }
  [[nodiscard]] std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<IdsFlag>();
  }
};

}  // namespace

std::unique_ptr<spdlog::formatter> make_text_formatter() {
  auto formatter = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
  formatter->add_flag<IdsFlag>('*').set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%-5l%$ %v%*");
  return formatter;
}

LogFormat parse_log_format(std::string_view text) {
  if (text == "json") return LogFormat::json;
  if (text == "text") return LogFormat::text;
  throw LoggingError(fmt::format("unknown log format '{}' (expected json or text)", text));
}

spdlog::level::level_enum parse_log_level(std::string_view text) {
  static constexpr std::array<std::pair<std::string_view, spdlog::level::level_enum>, 7> kLevels{{
      {"trace", spdlog::level::trace},
      {"debug", spdlog::level::debug},
      {"info", spdlog::level::info},
      {"warn", spdlog::level::warn},
      {"error", spdlog::level::err},
      {"critical", spdlog::level::critical},
      {"off", spdlog::level::off},
  }};
  for (const auto& [name, level] : kLevels) {
    if (name == text) return level;
  }
  throw LoggingError(fmt::format(
      "unknown log level '{}' (expected trace, debug, info, warn, error, critical or off)", text));
}

std::unique_ptr<spdlog::formatter> make_json_formatter() {
  return std::make_unique<JsonFormatter>();
}

void configure_logging(std::string_view level, std::string_view format) {
  const auto lvl = parse_log_level(level);
  const auto fmt_kind = parse_log_format(format);
  auto logger = std::make_shared<spdlog::logger>("vigil", std::make_shared<spdlog::sinks::stderr_sink_mt>());
  if (fmt_kind == LogFormat::json) {
    logger->set_formatter(make_json_formatter());
  } else {
    logger->set_formatter(make_text_formatter());
  }
  logger->set_level(lvl);
  logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(std::move(logger));
}

}  // namespace vigil::observability
