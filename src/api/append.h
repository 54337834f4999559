#pragma once
// co_await-able durable append: hands a batch to the log and resumes the calling coroutine on its
// own executor (the connection's strand) once the log's writer reports it durable or failed. The
// network thread is free while the fsync happens.
#include <boost/asio/awaitable.hpp>
#include <vector>

#include "log/log.h"

namespace vigil::api {

struct AppendOutcome {
  bool queued = false;  // false: the log's bounded queue was full or it was closed (answer 503)
  log::AppendResult result;
};

boost::asio::awaitable<AppendOutcome> append(log::Log& log, std::vector<log::AppendItem> items);

}  // namespace vigil::api
