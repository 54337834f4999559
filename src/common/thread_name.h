#pragma once
// Names threads, so that `top -H`, `perf report --sort comm`, gdb and /proc show which part of
// Vigil a thread belongs to ("vigil-io-0", "vigil-log", ...). Linux keeps at most 15 characters; a
// longer name is cut, never refused. Best effort: a failure changes nothing else.
#include <pthread.h>

#include <boost/asio/post.hpp>
#include <cstddef>
#include <latch>
#include <memory>
#include <string>
#include <string_view>

namespace vigil {

inline void name_this_thread(std::string_view name) {
  const std::string cut(name.substr(0, 15));
  (void)pthread_setname_np(pthread_self(), cut.c_str());
}

// Names each of the `threads` threads of an Asio thread pool `prefix` + its index. Blocks until all
// are named: every naming task waits for the others, so no thread can take two of them. Call it
// right after creating the pool, before other work is posted.
template <typename Pool>
void name_pool_threads(Pool& pool, std::size_t threads, std::string_view prefix) {
  // Shared, not on this stack: a task can still be inside arrive_and_wait() after the count
  // reached zero and this function returned, and waiting on a destroyed latch never ends.
  auto all_named = std::make_shared<std::latch>(static_cast<std::ptrdiff_t>(threads));
  for (std::size_t i = 0; i < threads; ++i) {
    boost::asio::post(pool, [all_named, name = std::string(prefix) + std::to_string(i)] {
      name_this_thread(name);
      all_named->arrive_and_wait();
    });
  }
  all_named->wait();
}

}  // namespace vigil
