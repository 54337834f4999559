#pragma once
// Shorter scheduler time slices for the threads a request waits on.
//
// Since Linux 6.6 the fair scheduler is EEVDF: a runnable thread's virtual deadline is its
// eligible time plus its slice (weighted), and the earliest deadline runs next. Since Linux 6.12 a
// thread may ask for its own slice (sched_setattr's sched_runtime under SCHED_OTHER/SCHED_BATCH,
// clamped by the kernel to 0.1–100 ms; the default grows with the logarithm of the CPUs: 1.4 ms on
// 2 CPUs with Linux 6.18). A thread with a short slice gets an earlier deadline when it wakes, so it
// runs sooner after its wake-up, and is preempted sooner when it runs long. That is the trade wanted for
// threads that mostly wait and then hold up others (the network threads, the log writer), and not
// for those that crunch (the pipeline). No privilege is needed: it changes no priority or weight.
//
// Thread safety: set_this_thread_slice changes the calling thread only; the readers only read.
// Errors: none thrown; a kernel that has no custom slices, or refuses one, leaves the thread as it was.
#include <chrono>
#include <optional>

namespace vigil {

// The calling thread's slice as the kernel reports it, or nullopt where the kernel reports none
// (Linux before 6.12, not Linux, or a policy without slices such as SCHED_FIFO or SCHED_IDLE).
[[nodiscard]] std::optional<std::chrono::nanoseconds> this_thread_slice();
// The same for any thread of this process, by its kernel thread id (gettid()).
[[nodiscard]] std::optional<std::chrono::nanoseconds> slice_of_thread(int tid);

// The range the kernel accepts; it would clamp a slice outside it, so those are refused here.
inline constexpr std::chrono::microseconds kMinSlice{100};
inline constexpr std::chrono::microseconds kMaxSlice{100'000};

// Asks for `slice` for the calling thread, keeping its policy and nice value; zero goes back to the
// kernel's default. Returns whether the kernel now reports that slice. A slice outside
// [kMinSlice, kMaxSlice], a kernel without custom slices, a policy without them or a refusal:
// false, and the thread is unchanged.
bool set_this_thread_slice(std::chrono::microseconds slice);

}  // namespace vigil
