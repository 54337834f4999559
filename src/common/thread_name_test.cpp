#include "common/thread_name.h"

#include <gtest/gtest.h>

#include <array>
#include <boost/asio/thread_pool.hpp>
#include <latch>
#include <mutex>
#include <set>
#include <string>
#include <thread>

namespace vigil {
namespace {

std::string name_of(pthread_t thread) {
  std::array<char, 16> name{};
  if (pthread_getname_np(thread, name.data(), name.size()) != 0) return "?";
  return name.data();
}

TEST(ThreadNameTest, NamesTheCallingThreadOnly) {
  const std::string before = name_of(pthread_self());
  std::string seen;
  std::thread worker([&] {
    name_this_thread("vigil-io-1");
    seen = name_of(pthread_self());
  });
  worker.join();
  EXPECT_EQ(seen, "vigil-io-1");
  EXPECT_EQ(name_of(pthread_self()), before);
}

TEST(ThreadNameTest, ALongNameIsCutToWhatLinuxKeeps) {
  std::string seen;
  std::thread worker([&] {
    name_this_thread("vigil-storage-1234567");
    seen = name_of(pthread_self());
  });
  worker.join();
  EXPECT_EQ(seen, "vigil-storage-1");
}

TEST(ThreadNameTest, EveryThreadOfAPoolGetsItsOwnName) {
  boost::asio::thread_pool pool(3);
  name_pool_threads(pool, 3, "vigil-storage-");
  // Same trick as name_pool_threads: each task waits for the others, so each runs on its own thread.
  std::latch all_there(3);
  std::mutex mu;
  std::set<std::string> names;
  for (int i = 0; i < 3; ++i) {
    boost::asio::post(pool, [&] {
      {
        std::lock_guard lock(mu);
        names.insert(name_of(pthread_self()));
      }
      all_there.arrive_and_wait();
    });
  }
  pool.join();
  EXPECT_EQ(names, (std::set<std::string>{"vigil-storage-0", "vigil-storage-1", "vigil-storage-2"}));
}

}  // namespace
}  // namespace vigil
