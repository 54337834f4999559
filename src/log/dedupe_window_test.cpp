#include "log/dedupe_window.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <vector>

namespace vigil::log {
namespace {

using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

const TimePoint kT0 = TimePoint(milliseconds(1'795'334'400'000));

// The seq each hash is remembered under, 0 for one forgotten.
std::vector<std::uint64_t> seqs_of(const DedupeWindow& w, std::initializer_list<std::uint64_t> hashes) {
  std::vector<std::uint64_t> out;
  for (const std::uint64_t h : hashes) out.push_back(w.find(h).value_or(0));
  return out;
}
using Seqs = std::vector<std::uint64_t>;

TEST(DedupeWindow, RemembersAnIdForTheWholeWindowAndForgetsItWithinASecondAfter) {
  DedupeWindow w(minutes(15), 1000);
  w.insert(11, 1, kT0);
  w.insert(12, 2, kT0 + milliseconds(400));  // the same slice (within a second of the first)
  w.insert(13, 3, kT0 + seconds(5));
  w.expire(kT0 + minutes(15) + milliseconds(400));  // the window, to the millisecond, for id 12
  EXPECT_EQ(w.find(11), 1u) << "remembered up to a second longer, never shorter";
  EXPECT_EQ(w.find(12), 2u);
  w.expire(kT0 + minutes(15) + milliseconds(401));
  EXPECT_FALSE(w.find(11));
  EXPECT_FALSE(w.find(12));
  EXPECT_EQ(w.find(13), 3u);
  EXPECT_EQ(w.size(), 1u);
  w.expire(kT0 + minutes(16));
  EXPECT_FALSE(w.find(13));
  EXPECT_EQ(w.size(), 0u);
}

TEST(DedupeWindow, KeepsAtMostMaxIdsForgettingTheOldestFirst) {
  DedupeWindow w(minutes(15), 3);
  for (std::uint64_t seq = 1; seq <= 5; ++seq) w.insert(100 + seq, seq, kT0);
  EXPECT_EQ(w.size(), 3u);
  EXPECT_EQ(seqs_of(w, {101, 102, 103, 104, 105}), (Seqs{0, 0, 3, 4, 5}));
}

TEST(DedupeWindow, ACollidingHashKeepsTheNewerSeqAndForgettingTheOlderLeavesIt) {
  DedupeWindow w(minutes(15), 2);
  w.insert(7, 1, kT0);
  w.insert(7, 2, kT0 + seconds(2));  // another id with the same 64-bit hash
  EXPECT_EQ(w.find(7), 2u);
  w.insert(8, 3, kT0 + seconds(3));  // past max_ids: seq 1 is forgotten, seq 2 keeps the hash
  EXPECT_EQ(w.find(7), 2u);
  EXPECT_EQ(w.find(8), 3u);
}

// Recovery skips records older than the window, so the seqs it inserts may jump; a slice never
// spans a gap, and every id keeps its own seq.
TEST(DedupeWindow, SeqsWithGapsKeepTheirOwnSeqs) {
  DedupeWindow w(minutes(15), 2);
  w.insert(1, 10, kT0);
  w.insert(2, 20, kT0);
  w.insert(3, 21, kT0);
  EXPECT_EQ(seqs_of(w, {1, 2, 3}), (Seqs{0, 20, 21}));
  w.insert(4, 22, kT0);  // forgets seq 20, whose hash must still be found by its own seq
  EXPECT_EQ(seqs_of(w, {2, 3, 4}), (Seqs{0, 21, 22}));
}

TEST(DedupeWindow, NothingIsRememberedWithoutRoomForIds) {
  DedupeWindow w(minutes(15), 0);
  w.insert(1, 1, kT0);
  EXPECT_FALSE(w.find(1));
  EXPECT_EQ(w.approx_bytes(), 0u);
}

// The default bound keeps the table from doubling (dedupe_window.h, Memory), also while a full window
// keeps forgetting as many ids as it remembers: about 87 MiB at 10,000 readings a second, not the
// 150 MiB of a doubled table.
TEST(DedupeWindow, AFullDefaultWindowStaysUnderItsDocumentedMemoryWhileItTurnsOver) {
  constexpr std::size_t kDefaultMaxIds = 3'000'000;
  DedupeWindow w(minutes(15), kDefaultMaxIds);
  std::uint64_t x = 0x9e3779b97f4a7c15ULL;
  TimePoint at = kT0;
  for (std::uint64_t seq = 1; seq <= 2 * kDefaultMaxIds; ++seq) {  // a whole window turned over
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    if (seq % 10 == 0) at += milliseconds(1);  // 10,000 a second
    w.insert(x, seq, at);
  }
  EXPECT_EQ(w.size(), kDefaultMaxIds);
  EXPECT_LT(w.approx_bytes(), std::size_t{90} << 20);
}

}  // namespace
}  // namespace vigil::log
