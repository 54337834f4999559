#include "observability/profiler.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace vigil::observability {
namespace {

std::filesystem::path fresh_dir(const std::string& name) {
  auto dir = std::filesystem::path(testing::TempDir()) /
             ("vigil-profiler-" + name + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  return dir;
}

// Spins until the profiler has taken a sample; the deadline only bounds a broken setup.
bool burn_cpu_until_sampled() {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  volatile std::uint64_t sink = 1;
  while (CpuProfiler::samples_gathered() == 0) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    for (int i = 0; i < 100000; ++i) sink = sink * 6364136223846793005ULL + 1442695040888963407ULL;
  }
  return true;
}

std::uint64_t word(const std::string& bytes, std::size_t index) {
  std::uint64_t value = 0;
  std::memcpy(&value, bytes.data() + index * sizeof value, sizeof value);
  return value;
}

TEST(CpuProfiler, ProducesALegacyPprofProfileAndDeletesTheFile) {
  const auto dir = fresh_dir("profile");
  CpuProfiler profiler(dir);
  ASSERT_EQ(profiler.start(), CpuProfiler::StartResult::started);
  EXPECT_TRUE(profiler.running());
  ASSERT_TRUE(burn_cpu_until_sampled());

  const auto bytes = profiler.stop_and_read();
  EXPECT_FALSE(profiler.running());
  // Header: 0 (header count), 3 (header words), 0 (version), sampling period in µs, 0 (padding).
  ASSERT_GE(bytes.size(), 5 * sizeof(std::uint64_t));
  EXPECT_EQ(word(bytes, 0), 0U);
  EXPECT_EQ(word(bytes, 1), 3U);
  EXPECT_EQ(word(bytes, 2), 0U);
  EXPECT_GT(word(bytes, 3), 0U);
  EXPECT_EQ(word(bytes, 4), 0U);
  // Then sample records (count, depth, pcs...): the first one counts at least the sample we waited for.
  ASSERT_GE(bytes.size(), 7 * sizeof(std::uint64_t));
  EXPECT_GE(word(bytes, 5), 1U);
  EXPECT_GE(word(bytes, 6), 1U) << "stack depth";
  EXPECT_TRUE(std::filesystem::is_empty(dir));
  EXPECT_EQ(profiler.stop_and_read(), "");
  std::filesystem::remove_all(dir);
}

TEST(CpuProfiler, OneProfileAtATimeAcrossInstances) {
  const auto dir = fresh_dir("busy");
  CpuProfiler first(dir);
  CpuProfiler second(dir);
  ASSERT_EQ(first.start(), CpuProfiler::StartResult::started);
  EXPECT_EQ(first.start(), CpuProfiler::StartResult::busy);
  EXPECT_EQ(second.start(), CpuProfiler::StartResult::busy);
  EXPECT_FALSE(second.running());
  EXPECT_EQ(second.stop_and_read(), "") << "only the starter may stop a profile";
  EXPECT_TRUE(first.running());
  EXPECT_FALSE(first.stop_and_read().empty());
  EXPECT_EQ(second.start(), CpuProfiler::StartResult::started);
  EXPECT_FALSE(second.stop_and_read().empty());
  std::filesystem::remove_all(dir);
}

TEST(CpuProfiler, FailsWhenTheScratchDirectoryCannotBeCreated) {
  const auto blocker = fresh_dir("blocker");
  { std::ofstream(blocker) << "a file where the directory should be"; }
  CpuProfiler profiler(blocker / "sub");
  EXPECT_EQ(profiler.start(), CpuProfiler::StartResult::failed);
  EXPECT_FALSE(profiler.running());
  std::filesystem::remove(blocker);
}

#if defined(VIGIL_HAVE_TCMALLOC)

// The header's first pair: objects and bytes allocated in the window and still live at its end.
struct HeapTotals {
  unsigned long long in_use_objects = 0;
  unsigned long long in_use_bytes = 0;
};

std::optional<HeapTotals> heap_header(const std::string& text) {
  HeapTotals totals;
  unsigned long long alloc_objects = 0;
  unsigned long long alloc_bytes = 0;
  // NOLINTNEXTLINE(cert-err34-c): the return value says whether all four numbers were read
  if (std::sscanf(text.c_str(), "heap profile: %llu: %llu [ %llu: %llu]", &totals.in_use_objects,
                  &totals.in_use_bytes, &alloc_objects, &alloc_bytes) != 4) {
    return std::nullopt;
  }
  return totals;
}

TEST(HeapProfiler, ProfilesWhatTheWindowAllocatedAndStillHolds) {
  const auto dir = fresh_dir("heap");
  ASSERT_TRUE(HeapProfiler::available());
  HeapProfiler profiler(dir);
  std::vector<std::unique_ptr<char[]>> before;  // allocated before the window: not in the profile
  for (int i = 0; i < 16; ++i) before.push_back(std::make_unique<char[]>(1U << 20U));
  ASSERT_EQ(profiler.start(), ProfileStart::started);
  EXPECT_TRUE(profiler.running());
  constexpr std::size_t kBlocks = 48;
  constexpr std::size_t kBlockBytes = 1U << 20U;
  std::vector<std::unique_ptr<char[]>> held;
  for (std::size_t i = 0; i < kBlocks; ++i) held.push_back(std::make_unique<char[]>(kBlockBytes));
  const auto text = profiler.stop_and_read();
  EXPECT_FALSE(profiler.running());

  ASSERT_TRUE(text.starts_with("heap profile:")) << text.substr(0, 200);
  const auto totals = heap_header(text);
  ASSERT_TRUE(totals.has_value()) << text.substr(0, 200);
  EXPECT_GE(totals->in_use_objects, kBlocks);
  EXPECT_GE(totals->in_use_bytes, kBlocks * kBlockBytes);
  EXPECT_LT(totals->in_use_bytes, (kBlocks + 16) * kBlockBytes) << "the blocks from before the window count";
  EXPECT_NE(text.find("MAPPED_LIBRARIES:"), std::string::npos) << "pprof needs the mappings to symbolise";
  EXPECT_TRUE(std::filesystem::is_empty(dir));
  EXPECT_EQ(profiler.stop_and_read(), "");
  std::filesystem::remove_all(dir);
}

TEST(HeapProfiler, OneProfileAtATimeAcrossInstances) {
  const auto dir = fresh_dir("heap-busy");
  HeapProfiler first(dir);
  HeapProfiler second(dir);
  ASSERT_EQ(first.start(), ProfileStart::started);
  EXPECT_EQ(first.start(), ProfileStart::busy);
  EXPECT_EQ(second.start(), ProfileStart::busy);
  EXPECT_EQ(second.stop_and_read(), "") << "only the starter may stop a profile";
  EXPECT_TRUE(first.running());
  EXPECT_TRUE(first.stop_and_read().starts_with("heap profile:"));
  EXPECT_EQ(second.start(), ProfileStart::started);
  EXPECT_FALSE(second.stop_and_read().empty());
  std::filesystem::remove_all(dir);
}

TEST(MallocStats, ReportsTcmallocsFiguresWithWhatIsInUse) {
  const auto held = std::make_unique<char[]>(8U << 20U);
  std::istringstream in(malloc_stats_text());
  std::vector<std::string> keys;
  std::string key;
  std::uint64_t value = 0;
  std::uint64_t in_use = 0;
  while (in >> key >> value) {
    keys.push_back(key);
    if (key == "in_use_bytes") in_use = value;
  }
  EXPECT_TRUE(in.eof()) << "every line is 'key <unsigned number>'";
  EXPECT_EQ(keys, (std::vector<std::string>{"in_use_bytes", "heap_bytes", "free_bytes", "unmapped_bytes",
                                            "thread_cache_bytes"}));
  EXPECT_GE(in_use, 8U << 20U) << "the 8 MiB block held while reading";
}

#else

TEST(HeapProfiler, IsUnavailableWithoutTcmalloc) {
  EXPECT_FALSE(HeapProfiler::available());
  HeapProfiler profiler(fresh_dir("heap-unavailable"));
  EXPECT_EQ(profiler.start(), ProfileStart::unavailable);
  EXPECT_FALSE(profiler.running());
  EXPECT_EQ(profiler.stop_and_read(), "");
}

TEST(MallocStats, ReportsEveryKeyWithANumber) {
  std::istringstream in(malloc_stats_text());
  std::vector<std::string> keys;
  std::string key;
  std::uint64_t value = 0;
  while (in >> key >> value) keys.push_back(key);
  EXPECT_TRUE(in.eof()) << "every line is 'key <unsigned number>'";
  EXPECT_EQ(keys, (std::vector<std::string>{"arena_bytes", "mmap_bytes", "mmap_regions", "in_use_bytes",
                                            "free_bytes", "releasable_bytes"}));
}

#endif

}  // namespace
}  // namespace vigil::observability
