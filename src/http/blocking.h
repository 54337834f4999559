#pragma once
// Runs blocking work (SQLite reads, file I/O) on a separate thread pool and resumes the calling
// coroutine on its own executor, so that nothing blocking ever runs on a network thread.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <utility>

#include "http/types.h"

namespace vigil::http {

// co_await run_blocking(pool, [&] { return store.query(...); });
// Exceptions thrown by `fn` propagate to the awaiting coroutine.
template <typename Fn>
auto run_blocking(asio::thread_pool& pool, Fn fn) -> asio::awaitable<decltype(fn())> {
  using T = decltype(fn());
  co_return co_await asio::co_spawn(
      pool.get_executor(), [fn = std::move(fn)]() mutable -> asio::awaitable<T> { co_return fn(); },
      asio::use_awaitable);
}

}  // namespace vigil::http
