#pragma once
// On-demand profiling for administrators, via gperftools:
// - CpuProfiler: libprofiler's SIGPROF sampling at CPUPROFILE_FREQUENCY (default 100 Hz). The bytes
//   are the legacy pprof CPU profile format that `pprof` and `go tool pprof <binary> <file>` read.
// - HeapProfiler: tcmalloc's heap profiler over a window, in the legacy heap profile text format
//   that the same tools read. Only where tcmalloc is the allocator (not in the sanitizer builds).
//
// gperftools runs one CPU profile per process, so CpuProfiler instances share one process-wide
// slot: start() returns busy while any profile runs (including one started by the CPUPROFILE
// environment variable). Only the instance that started a profile can stop it.
//
// Thread safety: all members are safe to call from any thread. start() and stop_and_read() do file
// I/O (create, read, delete a file of a few hundred KiB): call them off the I/O threads.
#include <filesystem>
#include <string>

namespace vigil::observability {

// How a profile's start went. unavailable: this build cannot take this kind of profile.
enum class ProfileStart { started, busy, failed, unavailable };

class CpuProfiler {
 public:
  // `scratch_dir` holds the profile while it is written; it is created if missing.
  explicit CpuProfiler(std::filesystem::path scratch_dir);
  // Stops and deletes a profile this instance still runs.
  ~CpuProfiler();
  CpuProfiler(const CpuProfiler&) = delete;
  CpuProfiler& operator=(const CpuProfiler&) = delete;

  using StartResult = ProfileStart;
  // failed: the scratch directory or file could not be created. Never unavailable.
  StartResult start();

  // Stops this instance's profile and returns the file's bytes, deleting the file. Empty when this
  // instance runs no profile or the file could not be read.
  std::string stop_and_read();

  // Whether this instance's profile is running.
  [[nodiscard]] bool running() const;

  // Samples the running profile has taken so far (0 when none runs): lets a caller or a test wait
  // for a profile that actually contains something.
  [[nodiscard]] static int samples_gathered();

 private:
  const std::filesystem::path scratch_dir_;
  std::filesystem::path file_;  // guarded by the process-wide profiler mutex
};

// A heap profile of one window: every allocation made between start() and stop_and_read() that is
// still live at the end, by allocating stack, with the window's allocated totals ("heap profile:
// <inuse objects>: <inuse bytes> [<alloc objects>: <alloc bytes>] @ heapprofile", the stacks, then
// MAPPED_LIBRARIES). That is the growth a leak hunt looks for; pprof reads it as it reads
// HEAPPROFILE's dumps. While a profile runs every allocation records its stack, so the process is
// several times slower: keep windows short.
//
// gperftools runs one heap profile per process, so instances share one process-wide slot, as
// CpuProfiler's do (busy while any runs, including one started by the HEAPPROFILE environment
// variable; only the starter can stop it). In a build without tcmalloc, start() answers
// unavailable.
//
// Thread safety: all members are safe to call from any thread. start() creates the scratch folder,
// stop_and_read() deletes files in it: call them off the I/O threads.
class HeapProfiler {
 public:
  // `scratch_dir` takes the dumps gperftools may write while a long profile runs; they are deleted
  // when it stops.
  explicit HeapProfiler(std::filesystem::path scratch_dir);
  ~HeapProfiler();  // stops a profile this instance still runs
  HeapProfiler(const HeapProfiler&) = delete;
  HeapProfiler& operator=(const HeapProfiler&) = delete;

  // Whether this binary can take heap profiles (it runs on tcmalloc).
  static bool available();

  ProfileStart start();
  // Stops this instance's profile and returns it; empty when this instance runs none.
  std::string stop_and_read();
  [[nodiscard]] bool running() const;

 private:
  const std::filesystem::path scratch_dir_;
  std::string prefix_;  // file name prefix of this profile's dumps; guarded by the heap mutex
};

// The allocator's statistics, one "key value" pair per line, in bytes. Thread-safe.
// - tcmalloc (release and debug builds): in_use_bytes (allocated and not freed), heap_bytes
//   (obtained from the system, not returned), free_bytes (held in tcmalloc's page heap and caches),
//   unmapped_bytes (given back to the system), thread_cache_bytes (in the per-thread caches).
// - glibc (the sanitizer builds, whose own allocator then makes the numbers read near zero):
//   arena_bytes, mmap_bytes, mmap_regions, in_use_bytes, free_bytes, releasable_bytes.
std::string malloc_stats_text();

}  // namespace vigil::observability
