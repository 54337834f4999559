#include "log/seq_table.h"

#include <gtest/gtest.h>

#include <deque>
#include <random>
#include <unordered_map>

namespace vigil::log {
namespace {

TEST(SeqTable, FindsAssignsAndErasesOnlyTheSeqItWasAskedTo) {
  SeqTable t;
  EXPECT_FALSE(t.find(42));
  EXPECT_FALSE(t.erase_if(42, 1));
  t.insert_or_assign(42, 7);
  EXPECT_EQ(t.find(42), 7u);
  t.insert_or_assign(42, 9);  // a later record with the same hash
  EXPECT_EQ(t.find(42), 9u);
  EXPECT_EQ(t.size(), 1u);
  EXPECT_FALSE(t.erase_if(42, 7));  // the older record's seq: the newer one stays
  EXPECT_EQ(t.find(42), 9u);
  EXPECT_TRUE(t.erase_if(42, 9));
  EXPECT_FALSE(t.find(42));
  EXPECT_EQ(t.size(), 0u);
}

TEST(SeqTable, HashZeroIsKeptAsOneAndCollidesWithIt) {
  SeqTable t;
  t.insert_or_assign(0, 3);
  EXPECT_EQ(t.find(0), 3u);
  EXPECT_EQ(t.find(1), 3u);  // the caller compares the stored id, as for any collision
  t.insert_or_assign(1, 4);
  EXPECT_EQ(t.find(0), 4u);
  EXPECT_EQ(t.size(), 1u);
}

// Random inserts, reassignments and erasures near the 3/4 load limit of a small table, checked
// against std::unordered_map after every step: probe runs wrap around the end of the slots, and
// backward shifts cross it.
TEST(SeqTable, AgreesWithAMapUnderRandomChurnAtFullLoad) {
  SeqTable t;
  std::unordered_map<std::uint64_t, std::uint64_t> model;
  std::mt19937_64 rng(7);
  std::vector<std::uint64_t> keys(1500);
  for (auto& key : keys) key = rng();
  for (std::uint64_t step = 1; step <= 200000; ++step) {
    const std::uint64_t key = keys[rng() % keys.size()];
    if (rng() % 2 == 0 && model.size() < 760) {
      t.insert_or_assign(key, step);
      model[key] = step;
    } else if (auto it = model.find(key); it != model.end()) {
      const bool wrong_seq = rng() % 4 == 0;
      EXPECT_EQ(t.erase_if(key, wrong_seq ? it->second + 1 : it->second), !wrong_seq);
      if (!wrong_seq) model.erase(it);
    }
    ASSERT_EQ(t.size(), model.size()) << "step " << step;
    if (step % 97 == 0) {
      for (std::uint64_t k : keys) {
        auto m = model.find(k);
        ASSERT_EQ(t.find(k), m == model.end() ? std::nullopt : std::optional<std::uint64_t>(m->second))
            << "step " << step;
      }
    }
  }
  EXPECT_EQ(t.slot_count(), 1024u);  // 760 entries never pass 3/4 of 1024 slots
}

// What the dedupe window does: as many erasures (the oldest) as inserts, for many times the table's
// size. The slots never change, and every entry kept is found.
TEST(SeqTable, AWindowTurningOverNeverResizesTheTable) {
  SeqTable t;
  std::mt19937_64 rng(11);
  std::deque<std::pair<std::uint64_t, std::uint64_t>> fifo;
  for (std::uint64_t seq = 1; seq <= 3000; ++seq) {
    fifo.emplace_back(rng(), seq);
    t.insert_or_assign(fifo.back().first, seq);
  }
  const std::size_t slots = t.slot_count();
  EXPECT_EQ(slots, 4096u);
  for (std::uint64_t seq = 3001; seq <= 1000000; ++seq) {
    fifo.emplace_back(rng(), seq);
    t.insert_or_assign(fifo.back().first, seq);
    ASSERT_TRUE(t.erase_if(fifo.front().first, fifo.front().second));
    fifo.pop_front();
    ASSERT_EQ(t.slot_count(), slots) << "resized at seq " << seq;
  }
  EXPECT_EQ(t.size(), 3000u);
  for (const auto& [hash, seq] : fifo) ASSERT_EQ(t.find(hash), seq);
}

TEST(SeqTable, ATableReservedForNEntriesNeverGrowsWhileItFillsToN) {
  constexpr std::size_t kEntries = 196'608;  // 3/4 of 262,144
  SeqTable t(kEntries);
  const std::size_t slots = t.slot_count();
  EXPECT_EQ(slots, 262'144u);  // the smallest power of two that holds them at 3/4
  for (std::uint64_t i = 1; i <= kEntries; ++i) t.insert_or_assign(i * 0x9E3779B97F4A7C15ULL, i);
  EXPECT_EQ(t.slot_count(), slots) << "no resize (a stall of the log writer) while filling";
  EXPECT_EQ(t.size(), kEntries);
  for (std::uint64_t i = 1; i <= kEntries; i += 997) EXPECT_EQ(t.find(i * 0x9E3779B97F4A7C15ULL), i);
  // Past its reservation it still grows, keeping every entry.
  for (std::uint64_t i = kEntries + 1; i <= 2 * kEntries; ++i)
    t.insert_or_assign(i * 0x9E3779B97F4A7C15ULL, i);
  EXPECT_EQ(t.slot_count(), 2 * slots);
  for (std::uint64_t i = 1; i <= 2 * kEntries; i += 991) EXPECT_EQ(t.find(i * 0x9E3779B97F4A7C15ULL), i);
}

}  // namespace
}  // namespace vigil::log
