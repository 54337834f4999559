#include "common/sched_slice.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <optional>
#include <thread>

namespace vigil {
namespace {

using std::chrono::microseconds;
using std::chrono::nanoseconds;

// Runs `body` on a fresh thread, so that nothing done to a thread's scheduling outlives the test.
template <typename Body>
void on_own_thread(Body body) {
  std::thread t(body);
  t.join();
}

TEST(SchedSliceTest, ASliceAskedForIsTheSliceTheKernelReports) {
  on_own_thread([] {
    const std::optional<nanoseconds> before = this_thread_slice();
    if (!before) {  // a kernel before 6.12: nothing to set, and nothing changes
      EXPECT_FALSE(set_this_thread_slice(microseconds(150)));
      EXPECT_EQ(this_thread_slice(), std::nullopt);
      return;
    }
    EXPECT_GT(*before, nanoseconds(0));
    ASSERT_TRUE(set_this_thread_slice(microseconds(150)));
    EXPECT_EQ(this_thread_slice(), nanoseconds(microseconds(150)));
    ASSERT_TRUE(set_this_thread_slice(microseconds(0)));  // back to the default
    EXPECT_EQ(this_thread_slice(), before);
  });
}

TEST(SchedSliceTest, OnlyTheCallingThreadChanges) {
  const std::optional<nanoseconds> mine = this_thread_slice();
  on_own_thread([] { (void)set_this_thread_slice(microseconds(100)); });
  EXPECT_EQ(this_thread_slice(), mine);
}

TEST(SchedSliceTest, TheNiceValueIsKept) {
  on_own_thread([] {
    const auto tid = static_cast<id_t>(::gettid());
    ASSERT_EQ(::setpriority(PRIO_PROCESS, tid, 7), 0);  // raising nice needs no privilege
    const bool supported = this_thread_slice().has_value();
    EXPECT_EQ(set_this_thread_slice(microseconds(200)), supported);
    EXPECT_EQ(::getpriority(PRIO_PROCESS, tid), 7);
  });
}

TEST(SchedSliceTest, ASliceOutsideTheKernelsRangeIsRefusedAndChangesNothing) {
  on_own_thread([] {
    const std::optional<nanoseconds> before = this_thread_slice();
    EXPECT_FALSE(set_this_thread_slice(kMinSlice - microseconds(1)));
    EXPECT_FALSE(set_this_thread_slice(kMaxSlice + microseconds(1)));
    EXPECT_EQ(this_thread_slice(), before);
  });
}

}  // namespace
}  // namespace vigil
