#include "api/append.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <memory>
#include <utility>

namespace vigil::api {

namespace asio = boost::asio;

namespace {

// Shared by the waiting coroutine and the log's callback. The callback (on the log's writer thread)
// only posts to the coroutine's executor; the fields are touched there alone.
struct PendingAppend {
  explicit PendingAppend(const asio::any_io_executor& ex) : wake(ex, asio::steady_timer::time_point::max()) {}
  asio::steady_timer wake;
  bool done = false;
  log::AppendResult result;
};

}  // namespace

asio::awaitable<AppendOutcome> append(log::Log& log, std::vector<log::AppendItem> items,
                                      std::chrono::steady_clock::time_point deadline) {
  auto pending = std::make_shared<PendingAppend>(co_await asio::this_coro::executor);
  const bool queued = log.try_append(std::move(items), [pending](log::AppendResult result) {
    auto executor = pending->wake.get_executor();
    asio::post(executor, [pending, result = std::move(result)]() mutable {
      pending->result = std::move(result);
      pending->done = true;
      pending->wake.cancel();
    });
  });
  if (!queued) co_return AppendOutcome{false, false, {}};
  // The wait ends by the callback's cancel() (the log calls back exactly once) or at the deadline.
  // A durable append is never abandoned half-way: past the deadline we stop waiting, the write
  // goes on, and the callback later finds `pending` still alive through its shared_ptr.
  pending->wake.expires_at(deadline);
  while (!pending->done) {
    co_await pending->wake.async_wait(asio::as_tuple(asio::use_awaitable));
    if (!pending->done && std::chrono::steady_clock::now() >= deadline) co_return AppendOutcome{true, true, {}};
  }
  co_return AppendOutcome{true, false, std::move(pending->result)};
}

}  // namespace vigil::api
