#pragma once
// The dedupe window's table (log/dedupe_window.h): 64-bit id hashes to log seqs, in open
// addressing with linear probing and backward-shift deletion (Knuth, TAOCP vol. 3, 6.4,
// Algorithm R). Deleting moves the later entries of a probe run back instead of leaving a
// tombstone, so a table that erases as many entries as it inserts, as a window turning over does,
// stays as it is: it grows (doubling) only while it fills, and never rehashes after that.
// boost::unordered_flat_map, used before, does not stay: its anti-drift rule rehashes a table
// under such churn every 2.6 million inserts at 3 million entries, 52 ms each on the benchmark
// machine, and every acknowledgement waited for it (docs/benchmarks.md, 2026-12-06 evening).
//
// Key 0 marks an empty slot, so hash 0 is kept as 1: the two then collide, which the window's
// caller handles like any collision (it compares the stored id). The load stays at most 3/4.
// Memory: 16 bytes per slot, a power of two slots.
//
// Sized once. The constructor reserves the slots for `expected` entries in anonymous memory that
// the kernel zero-fills page by page on first touch, so the table never grows while it is within
// that: growing (doubling, and moving every entry) stalled the log writer, and every
// acknowledgement behind it, for 35 ms as the window filled past 786,432 ids (docs/benchmarks.md,
// 2026-12-06 late). Touching a page costs a page fault, once, when an id first lands in it; the
// resident size grows with use up to slot_count() * 16 bytes. A table of 2 MiB or more asks for
// transparent huge pages (resize()), and then a few hundred ids make it all resident. Only an
// insert past 3/4 of the reserved slots doubles them.
//
// Thread safety: none.
#include <cstddef>
#include <cstdint>
#include <optional>

namespace vigil::log {

class SeqTable {
 public:
  // Reserves the slots for `expected` entries (none for 0: the first insert reserves a few).
  explicit SeqTable(std::size_t expected = 0);
  ~SeqTable();
  SeqTable(const SeqTable&) = delete;
  SeqTable& operator=(const SeqTable&) = delete;

  // The seq kept for `hash`.
  [[nodiscard]] std::optional<std::uint64_t> find(std::uint64_t hash) const;
  // Keeps `seq` for `hash`, replacing the seq kept before.
  void insert_or_assign(std::uint64_t hash, std::uint64_t seq);
  // Forgets `hash` if the seq kept for it is `seq`; returns whether it did.
  bool erase_if(std::uint64_t hash, std::uint64_t seq);
  // Starts loading the start of `hash`'s probe run into the cache. A full window's table is far
  // larger than the cache, so each call above costs a memory access; asking for a whole group's
  // slots first lets those accesses overlap instead of following one another.
  void prefetch(std::uint64_t hash) const {
    if (slot_count_ != 0) prefetch_line(&slots_[home(key_of(hash))]);
  }

  [[nodiscard]] std::size_t size() const { return size_; }
  [[nodiscard]] std::size_t slot_count() const { return slot_count_; }
  static constexpr std::size_t kSlotBytes = 16;

 private:
  struct Slot {
    std::uint64_t key = 0;  // 0: empty
    std::uint64_t seq = 0;
  };
  static_assert(sizeof(Slot) == kSlotBytes);
  static std::uint64_t key_of(std::uint64_t hash) { return hash == 0 ? 1 : hash; }
  // A prefetch the optimiser keeps. g++ 12 at -O2 deleted every __builtin_prefetch loop of
  // DedupeWindow::prefetch_ahead, in the function and where it was inlined into the log writer's
  // write_group (seen in the disassembly), since a prefetch changes nothing it can observe; an asm
  // statement is kept as written.
  static void prefetch_line(const Slot* slot) {
#if defined(__x86_64__)
    asm volatile("prefetcht0 %0" : : "m"(*slot));
#elif defined(__aarch64__)
    asm volatile("prfm pldl1keep, %0" : : "Q"(*slot));
#else
    __builtin_prefetch(slot);
#endif
  }
  // The slot a key's probe run starts at: Fibonacci hashing takes the product's high bits, so that
  // keys differing only in their high bits still spread.
  [[nodiscard]] std::size_t home(std::uint64_t key) const {
    return static_cast<std::size_t>((key * 0x9E3779B97F4A7C15ULL) >> shift_);
  }
  // The slot holding `key`, or the empty slot ending its probe run. Needs at least one empty slot.
  [[nodiscard]] std::size_t probe(std::uint64_t key) const;
  // Replaces the slots with `count` empty ones (a power of two) and moves the entries there.
  void resize(std::size_t count);

  Slot* slots_ = nullptr;  // slot_count_ slots, mapped anonymous memory (zero-filled on demand)
  std::size_t slot_count_ = 0;
  std::size_t size_ = 0;
  unsigned shift_ = 64;  // 64 - log2(slot count)
};

}  // namespace vigil::log
