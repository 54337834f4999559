#include "common/sched_slice.h"

#if defined(__linux__)
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdint>
#endif

namespace vigil {

#if defined(__linux__)
namespace {

// The kernel's struct sched_attr (include/uapi/linux/sched/types.h, SCHED_ATTR_SIZE_VER1), spelled
// out: glibc 2.36 has no wrapper for sched_getattr/sched_setattr, and <linux/sched/types.h> cannot
// be included next to glibc's <sched.h> (both define struct sched_param).
struct sched_attr {
  std::uint32_t size;
  std::uint32_t sched_policy;
  std::uint64_t sched_flags;
  std::int32_t sched_nice;
  std::uint32_t sched_priority;
  std::uint64_t sched_runtime;  // under SCHED_NORMAL/SCHED_BATCH since Linux 6.12: the slice, in ns
  std::uint64_t sched_deadline;
  std::uint64_t sched_period;
  std::uint32_t sched_util_min;
  std::uint32_t sched_util_max;
};
static_assert(sizeof(sched_attr) == 56);

constexpr std::uint32_t kSchedNormal = 0;         // SCHED_NORMAL (glibc's SCHED_OTHER)
constexpr std::uint32_t kSchedBatch = 3;          // SCHED_BATCH
constexpr std::uint64_t kFlagResetOnFork = 0x01;  // SCHED_FLAG_RESET_ON_FORK

bool read_attr(sched_attr& attr, int tid = 0) {
  attr = sched_attr{};
  return ::syscall(SYS_sched_getattr, tid, &attr, sizeof attr, 0) == 0;
}

bool has_slices(const sched_attr& attr) {
  // Kernels before 6.12 report no runtime for fair threads: that is how their absence shows.
  return (attr.sched_policy == kSchedNormal || attr.sched_policy == kSchedBatch) && attr.sched_runtime != 0;
}

}  // namespace

std::optional<std::chrono::nanoseconds> slice_of_thread(int tid) {
  sched_attr attr{};
  if (!read_attr(attr, tid) || !has_slices(attr)) return std::nullopt;
  return std::chrono::nanoseconds(attr.sched_runtime);
}

std::optional<std::chrono::nanoseconds> this_thread_slice() {
  return slice_of_thread(0);
}

bool set_this_thread_slice(std::chrono::microseconds slice) {
  if (slice.count() != 0 && (slice < kMinSlice || slice > kMaxSlice)) return false;
  sched_attr current{};
  if (!read_attr(current) || !has_slices(current)) return false;
  sched_attr wanted{};
  wanted.size = sizeof wanted;
  wanted.sched_policy = current.sched_policy;
  wanted.sched_nice = current.sched_nice;  // sched_setattr sets the nice value too: keep it
  // Only reset-on-fork is kept: the other flags would ask to change what this call must not touch
  // (utilisation clamps, deadline parameters).
  wanted.sched_flags = current.sched_flags & kFlagResetOnFork;
  wanted.sched_runtime = static_cast<std::uint64_t>(std::chrono::nanoseconds(slice).count());
  if (::syscall(SYS_sched_setattr, 0, &wanted, 0) != 0) return false;
  if (slice.count() == 0) return true;  // back to the default, whatever the kernel's default is
  const auto now = this_thread_slice();
  return now && *now == std::chrono::nanoseconds(slice);
}

#else

std::optional<std::chrono::nanoseconds> slice_of_thread(int) {
  return std::nullopt;
}

std::optional<std::chrono::nanoseconds> this_thread_slice() {
  return std::nullopt;
}

bool set_this_thread_slice(std::chrono::microseconds) {
  return false;
}

#endif

}  // namespace vigil
