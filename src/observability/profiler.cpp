#include "observability/profiler.h"

#include <gperftools/profiler.h>
#include <unistd.h>

#if defined(VIGIL_HAVE_TCMALLOC)
#include <gperftools/heap-profiler.h>
#include <gperftools/malloc_extension.h>

#include <cstdlib>
#else
#include <malloc.h>
#endif

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

// The same for gperftools' heap profiler, which is a singleton of its own.
[[maybe_unused]] std::mutex& heap_profiler_mutex() {
  static std::mutex mutex;
  return mutex;
}
[[maybe_unused]] const HeapProfiler* heap_owner = nullptr;  // guarded by heap_profiler_mutex()

std::string scratch_name(const char* kind) {
  return "vigil-" + std::string(kind) + "-" + std::to_string(::getpid()) + "-" +
         std::to_string(next_sequence.fetch_add(1));
}

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
  auto file = scratch_dir_ / (scratch_name("cpu") + ".prof");
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

HeapProfiler::HeapProfiler(std::filesystem::path scratch_dir) : scratch_dir_(std::move(scratch_dir)) {}

HeapProfiler::~HeapProfiler() {
  stop_and_read();
}

#if defined(VIGIL_HAVE_TCMALLOC)

bool HeapProfiler::available() {
  return true;
}

ProfileStart HeapProfiler::start() {
  const std::lock_guard lock(heap_profiler_mutex());
  if (heap_owner != nullptr || IsHeapProfilerRunning() != 0) return ProfileStart::busy;
  std::error_code ec;
  std::filesystem::create_directories(scratch_dir_, ec);
  if (ec) return ProfileStart::failed;
  std::string prefix = (scratch_dir_ / scratch_name("heap")).string();
  HeapProfilerStart(prefix.c_str());
  if (IsHeapProfilerRunning() == 0) return ProfileStart::failed;
  heap_owner = this;
  prefix_ = std::move(prefix);
  return ProfileStart::started;
}

std::string HeapProfiler::stop_and_read() {
  const std::lock_guard lock(heap_profiler_mutex());
  if (heap_owner != this) return {};
  std::string profile;
  if (char* text = GetHeapProfile(); text != nullptr) {
    profile = text;
    std::free(text);  // NOLINT(cppcoreguidelines-no-malloc): GetHeapProfile's buffer comes from malloc
  }
  HeapProfilerStop();
  heap_owner = nullptr;
  // The interval dumps of a long window ("<prefix>.0001.heap", ...): the caller has the profile.
  const std::string stem = std::filesystem::path(std::exchange(prefix_, {})).filename().string();
  std::error_code ec;
  for (std::filesystem::directory_iterator it(scratch_dir_, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().filename().string().starts_with(stem)) {
      std::error_code ignored;
      std::filesystem::remove(it->path(), ignored);
    }
  }
  return profile;
}

bool HeapProfiler::running() const {
  const std::lock_guard lock(heap_profiler_mutex());
  return heap_owner == this;
}

std::string malloc_stats_text() {
  MallocExtension* tcmalloc = MallocExtension::instance();
  const auto property = [tcmalloc](const char* name) {
    std::size_t value = 0;
    tcmalloc->GetNumericProperty(name, &value);
    return value;
  };
  std::string out;
  const auto line = [&out](const char* key, std::size_t value) {
    out.append(key).append(" ").append(std::to_string(value)).append("\n");
  };
  line("in_use_bytes", property("generic.current_allocated_bytes"));
  line("heap_bytes", property("generic.heap_size"));
  line("free_bytes",
       property("tcmalloc.pageheap_free_bytes") + property("tcmalloc.central_cache_free_bytes") +
           property("tcmalloc.transfer_cache_free_bytes") + property("tcmalloc.thread_cache_free_bytes"));
  line("unmapped_bytes", property("tcmalloc.pageheap_unmapped_bytes"));
  line("thread_cache_bytes", property("tcmalloc.current_total_thread_cache_bytes"));
  return out;
}

#else  // glibc's allocator, or a sanitizer's in its place: no heap profile

bool HeapProfiler::available() {
  return false;
}

ProfileStart HeapProfiler::start() {
  return ProfileStart::unavailable;
}

std::string HeapProfiler::stop_and_read() {
  return {};
}

bool HeapProfiler::running() const {
  return false;
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

#endif

}  // namespace vigil::observability
