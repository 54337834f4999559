#pragma once
// The request and trace ids of the work a log line is written for, as fields of the JSON line
// ({"time":...,"level":...,"msg":...,"request_id":"...","trace_id":"..."}), so that a log shipper
// can join every line of one request, and one reading's lines from request to alert, without
// parsing messages.
//
// A LogScope sets the ids for the current thread until it is destroyed; scopes nest. Keep a scope
// around synchronous code only: never across a co_await, which may resume on another thread (the
// request's coroutine hops between network threads), so open it right where the line is written.
// spdlog's default logger here is synchronous, so the formatter runs on the logging thread and
// sees its scope.
//
// Thread safety: each thread has its own current ids. The strings must outlive the scope.
#include <string_view>

namespace vigil::observability {

struct LogIds {
  std::string_view request_id;  // empty: none
  std::string_view trace_id;    // 32 hex, empty: none
};

class LogScope {
 public:
  LogScope(std::string_view request_id, std::string_view trace_id);
  ~LogScope();
  LogScope(const LogScope&) = delete;
  LogScope& operator=(const LogScope&) = delete;

 private:
  LogIds previous_;
};

// The ids of the innermost scope on this thread (empty outside any).
LogIds current_log_ids();

}  // namespace vigil::observability
