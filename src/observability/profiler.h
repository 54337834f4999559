#pragma once
// On-demand CPU profiling for administrators, via gperftools' libprofiler (SIGPROF sampling at
// CPUPROFILE_FREQUENCY, default 100 Hz). The bytes are the legacy pprof CPU profile format that
// `pprof` and `go tool pprof <binary> <file>` read.
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

class CpuProfiler {
 public:
  // `scratch_dir` holds the profile while it is written; it is created if missing.
  explicit CpuProfiler(std::filesystem::path scratch_dir);
  // Stops and deletes a profile this instance still runs.
  ~CpuProfiler();
  CpuProfiler(const CpuProfiler&) = delete;
  CpuProfiler& operator=(const CpuProfiler&) = delete;

  enum class StartResult { started, busy, failed };
  // failed: the scratch directory or file could not be created.
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

// glibc malloc statistics from mallinfo2(), one "key value" pair per line (bytes unless the key
// says otherwise): arena_bytes, mmap_bytes, mmap_regions, in_use_bytes, free_bytes,
// releasable_bytes. This is deliberately not a pprof heap profile: gperftools' heap profiler needs
// the process to run on tcmalloc, which we do not link because it conflicts with the ASan/TSan
// builds. Under a sanitizer, whose allocator replaces glibc's, the numbers read near zero.
// Thread-safe.
std::string malloc_stats_text();

}  // namespace vigil::observability
