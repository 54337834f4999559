#include "observability/profiler.h"

#include <gperftools/profiler.h>
#include <malloc.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <mutex>
#include <system_error>
#include <utility>

namespace vigil::observability {
namespace {

// gperftools' profiler is a process-wide singleton, so its bookkeeping is too.
std::mutex& profiler_mutex() {
  static std::mutex mutex;
  return mutex;
}
const CpuProfiler* owner = nullptr;  // guarded by profiler_mutex()
std::atomic<std::uint64_t> next_sequence{0};

std::string read_and_remove(const std::filesystem::path& path) {
  std::string bytes;
  {
    std::ifstream in(path, std::ios::binary);
    if (in) bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    if (in.bad()) bytes.clear();
  }
  std::error_code ignored;  // a leftover scratch file is harmless; the caller wants the bytes
  std::filesystem::remove(path, ignored);
  return bytes;
}

}  // namespace

CpuProfiler::CpuProfiler(std::filesystem::path scratch_dir) : scratch_dir_(std::move(scratch_dir)) {}

CpuProfiler::~CpuProfiler() {
  stop_and_read();
}

CpuProfiler::StartResult CpuProfiler::start() {
  const std::lock_guard lock(profiler_mutex());
  ProfilerState state{};
  ProfilerGetCurrentState(&state);
  if (owner != nullptr || state.enabled != 0) return StartResult::busy;
  std::error_code ec;
  std::filesystem::create_directories(scratch_dir_, ec);
  if (ec) return StartResult::failed;
  auto file = scratch_dir_ / ("vigil-cpu-" + std::to_string(::getpid()) + "-" +
                              std::to_string(next_sequence.fetch_add(1)) + ".prof");
  if (ProfilerStart(file.c_str()) == 0) return StartResult::failed;
  owner = this;
  file_ = std::move(file);
  return StartResult::started;
}

std::string CpuProfiler::stop_and_read() {
  const std::lock_guard lock(profiler_mutex());
  if (owner != this) return {};
  ProfilerStop();  // flushes the remaining samples and the trailer before closing the file
  owner = nullptr;
  return read_and_remove(std::exchange(file_, {}));
}

bool CpuProfiler::running() const {
  const std::lock_guard lock(profiler_mutex());
  return owner == this;
}

int CpuProfiler::samples_gathered() {
  ProfilerState state{};
  ProfilerGetCurrentState(&state);
  return state.enabled != 0 ? state.samples_gathered : 0;
}

std::string malloc_stats_text() {
  const struct mallinfo2 info = ::mallinfo2();
  std::string out;
  const auto line = [&out](const char* key, std::size_t value) {
    out.append(key).append(" ").append(std::to_string(value)).append("\n");
  };
  line("arena_bytes", info.arena);  // obtained from the system with brk/sbrk
  line("mmap_bytes", info.hblkhd);  // large blocks served by their own mmap
  line("mmap_regions", info.hblks);
  line("in_use_bytes", info.uordblks + info.hblkhd);
  line("free_bytes", info.fordblks);        // held by malloc, not in use
  line("releasable_bytes", info.keepcost);  // free at the top of the heap, returnable by malloc_trim
  return out;
}

}  // namespace vigil::observability
