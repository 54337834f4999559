#pragma once
// Process-wide structured logging on spdlog: one line per event on stderr, either JSON (for log
// shippers) or plain text (for a terminal), at a configured level.
//
// JSON lines look like {"time":"2026-11-22T08:00:03.120Z","level":"info","msg":"listening on ..."}.
// The message is escaped, so a message can never break the line or forge a field. Callers must keep
// clinical values and secrets out of messages: log ids and counts, never readings or tokens.
//
// Thread safety: configure_logging() replaces the default logger; call it once at start-up, before
// other threads log. spdlog's logging calls are thread-safe afterwards.
#include <spdlog/formatter.h>
#include <spdlog/logger.h>

#include <memory>
#include <stdexcept>
#include <string_view>

namespace vigil::observability {

enum class LogFormat { json, text };

class LoggingError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// "json" or "text"; "trace".."critical" or "off". Throws LoggingError naming the bad value.
LogFormat parse_log_format(std::string_view text);
spdlog::level::level_enum parse_log_level(std::string_view text);

// The formatters behind LogFormat::json and ::text (exposed for tests and for other sinks). Both
// add the ids of the current LogScope (observability/log_context.h): JSON as "request_id" and
// "trace_id" fields, text as " request_id=... trace_id=..." after the message.
std::unique_ptr<spdlog::formatter> make_json_formatter();
std::unique_ptr<spdlog::formatter> make_text_formatter();

// Makes the default spdlog logger write to stderr in `format` at `level`.
void configure_logging(std::string_view level, std::string_view format);

}  // namespace vigil::observability
