// The spare segment (log/spare_segment.h): paced by the writer's progress, complete and all zeros
// when taken, made again after prepare_next(), and a failure leaves the writer to itself.
#include "log/spare_segment.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <string>

#include "log/log_test_util.h"

namespace vigil::log {
namespace {

namespace fs = std::filesystem;

constexpr std::uint64_t kChunk = 4096;

std::string contents(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

TEST(SpareSegmentTest, ZeroesNoFasterThanTwiceTheWritersProgressAndIsCompleteWhenTaken) {
  testing::TempDir tmp;
  const fs::path path = tmp.path() / "next.spare";
  SpareSegment spare(path, 100 * kChunk, kChunk);
  EXPECT_EQ(spare.size(), 100 * kChunk);
  spare.wait_until_idle();
  // Before any progress: the lead of four chunks, and not yet complete.
  EXPECT_EQ(fs::file_size(path), 4 * kChunk);
  EXPECT_EQ(spare.take(), -1);

  spare.progress(10 * kChunk);
  spare.wait_until_idle();
  EXPECT_EQ(fs::file_size(path), 24 * kChunk);  // lead + twice the progress
  EXPECT_EQ(spare.take(), -1);

  spare.progress(48 * kChunk);  // lead + 2 x progress reaches the size
  spare.wait_until_idle();
  const int fd = spare.take();
  ASSERT_GE(fd, 0);
  const std::string bytes = contents(path);
  EXPECT_EQ(bytes.size(), 100 * kChunk);
  EXPECT_TRUE(std::all_of(bytes.begin(), bytes.end(), [](char c) { return c == '\0'; }));
  EXPECT_EQ(spare.take(), -1);  // taken: nothing until the next one is complete

  // The writer writes through the descriptor it was handed, and renames the file.
  ASSERT_EQ(::pwrite(fd, "segment", 7, 0), 7);
  fs::rename(path, tmp.path() / "1.seg");
  ::close(fd);
  spare.prepare_next();
  spare.wait_until_idle();
  EXPECT_EQ(fs::file_size(path), 4 * kChunk);  // a new file, paced from progress 0
  EXPECT_EQ(contents(tmp.path() / "1.seg").substr(0, 7), "segment");
  spare.progress(100 * kChunk);
  spare.wait_until_idle();
  EXPECT_GE(spare.take(), 0);
}

TEST(SpareSegmentTest, RoundsTheSizeUpToWholeChunks) {
  testing::TempDir tmp;
  SpareSegment spare(tmp.path() / "s", 3 * kChunk + 1, kChunk);
  spare.progress(1u << 20);
  spare.wait_until_idle();
  EXPECT_EQ(spare.size(), 4 * kChunk);
  const int fd = spare.take();
  ASSERT_GE(fd, 0);
  EXPECT_EQ(fs::file_size(tmp.path() / "s"), 4 * kChunk);
  ::close(fd);
}

TEST(SpareSegmentTest, AFailureIsNeverTakenAndPrepareNextTriesAgain) {
  testing::TempDir tmp;
  const fs::path missing = tmp.path() / "not-yet";  // the folder does not exist: open fails
  SpareSegment spare(missing / "next.spare", 8 * kChunk, kChunk);
  spare.progress(1u << 20);
  spare.wait_until_idle();
  EXPECT_EQ(spare.take(), -1);
  EXPECT_FALSE(fs::exists(missing / "next.spare"));

  fs::create_directory(missing);
  spare.prepare_next();
  spare.progress(1u << 20);
  spare.wait_until_idle();
  const int fd = spare.take();
  ASSERT_GE(fd, 0);
  EXPECT_EQ(fs::file_size(missing / "next.spare"), 8 * kChunk);
  ::close(fd);
}

}  // namespace
}  // namespace vigil::log
