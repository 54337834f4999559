#include "observability/profiler.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
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

}  // namespace
}  // namespace vigil::observability
