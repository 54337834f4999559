#pragma once
// Runs blocking work (SQLite reads, file I/O) on a separate thread pool and resumes the calling
// coroutine on its own executor, so that nothing blocking ever runs on a network thread.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <exception>
#include <memory>
#include <optional>
#include <utility>

#include "http/deadline.h"
#include "http/types.h"

namespace vigil::http {

// co_await run_blocking(pool, [&] { return store.query(...); });
// Waits for the work however long it takes, so `fn` may refer to the caller's locals.
// Exceptions thrown by `fn` propagate to the awaiting coroutine.
template <typename Fn>
auto run_blocking(asio::thread_pool& pool, Fn fn) -> asio::awaitable<decltype(fn())> {
  using T = decltype(fn());
  co_return co_await asio::co_spawn(
      pool.get_executor(), [fn = std::move(fn)]() mutable -> asio::awaitable<T> { co_return fn(); },
      asio::use_awaitable);
}

// co_await run_blocking(pool, ctx.deadline, [store, id] { return store->get(id); });
// Like run_blocking, but the caller stops waiting at `deadline` and gets DeadlineExceeded, and work
// still queued at the deadline is skipped. Work already running is not interrupted: it finishes on
// the pool and its result is dropped, so `fn` must own what it touches (capture by value or
// shared_ptr, never the caller's locals by reference). `fn` must return a value (not void).
template <typename Fn>
auto run_blocking(asio::thread_pool& pool, std::chrono::steady_clock::time_point deadline, Fn fn)
    -> asio::awaitable<decltype(fn())> {
  using T = decltype(fn());
  using Clock = std::chrono::steady_clock;
  // Shared by the waiting coroutine and the pool task; the fields are only touched on the
  // coroutine's executor (the pool task posts its result there).
  struct State {
    explicit State(const asio::any_io_executor& ex) : wake(ex) {}
    asio::steady_timer wake;
    bool done = false;
    std::optional<T> value;
    std::exception_ptr error;
  };
  if (Clock::now() >= deadline) throw DeadlineExceeded();
  auto state = std::make_shared<State>(co_await asio::this_coro::executor);
  state->wake.expires_at(deadline);
  asio::post(pool, [state, deadline, fn = std::move(fn)]() mutable {
    std::optional<T> value;
    std::exception_ptr error;
    if (Clock::now() >= deadline) {
      error = std::make_exception_ptr(DeadlineExceeded());
    } else {
      try {
        value.emplace(fn());
      } catch (...) {
        error = std::current_exception();
      }
    }
    auto executor = state->wake.get_executor();
    // Moved, not copied: the pool thread must hold no reference to the exception once it has
    // posted. Otherwise its release could be the last one and free the exception object after the
    // coroutine read it, synchronised only by libstdc++'s (uninstrumented) reference count, which
    // ThreadSanitizer reports as a race.
    asio::post(executor,
               [state = std::move(state), value = std::move(value), error = std::move(error)]() mutable {
                 state->value = std::move(value);
                 state->error = std::move(error);
                 state->done = true;
                 state->wake.cancel();
               });
  });
  co_await state->wake.async_wait(asio::as_tuple(asio::use_awaitable));
  if (!state->done) throw DeadlineExceeded();
  if (state->error) std::rethrow_exception(state->error);
  co_return std::move(*state->value);
}

}  // namespace vigil::http
