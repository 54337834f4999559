#pragma once
// co_await-able durable append: hands a batch to the log and resumes the calling coroutine on its
// own executor (the connection's I/O thread) once the log's writer reports it durable or failed. The
// network thread is free while the fsync happens.
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <vector>

#include "log/log.h"

namespace vigil::api {

struct AppendOutcome {
  bool queued = false;     // false: the log's bounded queue was full or it was closed (answer 503)
  bool timed_out = false;  // the deadline passed first: the batch is still written whole, unanswered
  log::AppendResult result;
};

// Waits for the log's answer until `deadline` at most. A deadline stops the waiting, never the
// write: the batch commits (or fails) as one transaction after the caller gave up, and a client
// that retries with the same ids gets "duplicate" for what did commit.
boost::asio::awaitable<AppendOutcome> append(log::Log& log, std::vector<log::AppendItem> items,
                                             std::chrono::steady_clock::time_point deadline =
                                                 std::chrono::steady_clock::time_point::max());

}  // namespace vigil::api
