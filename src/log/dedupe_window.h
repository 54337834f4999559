#pragma once
// The segment log's idempotency index: which ids it stored recently, so that a client's retry is
// answered "duplicate" instead of stored twice. Bounded like the deduplication windows of SQS FIFO
// queues and NATS JetStream: ids older than `window`, or beyond the newest `max_ids`, are
// forgotten (log/segment_log.h says what that means for a very late retry).
//
// Memory: a hash table of (64-bit hash, seq), 16 bytes per slot, at most 3/4 full, with a power of
// two slots (log/seq_table.h, which also says why not boost::unordered_flat_map), plus the hash
// once more in the expiry order (8 bytes per id) and one small slice per second of arrivals. The
// default 3,000,000 ids fit 4,194,304 slots, a 64 MiB table and about 87 MiB in all; 3,145,728
// would double it (approx_bytes() says what the window holds). The table is reserved for max_ids
// when the window is made, so it never grows (a stall of the writer) as the window fills.
//
// The hash can collide, so a hit only names a candidate seq whose stored id the caller compares.
//
// Thread safety: none; the log's writer thread owns it.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <string_view>

#include "common/clock.h"
#include "log/seq_table.h"

namespace vigil::log {

class DedupeWindow {
 public:
  DedupeWindow(Duration window, std::size_t max_ids);

  static std::uint64_t hash(std::string_view id);

  // The seq stored under `hash`, if remembered.
  [[nodiscard]] std::optional<std::uint64_t> find(std::uint64_t hash) const;
  // For a caller about to find() or insert() hashes[i], in order from i = 0: starts loading the
  // slot of the hash kPrefetchAhead places later (at i = 0, of the first ones too), so that with a
  // full window, whose table is far larger than the cache, the accesses overlap
  // (SeqTable::prefetch).
  void prefetch_ahead(std::span<const std::uint64_t> hashes, std::size_t i) const;
  // Remembers an id stored at `at`. Calls come in seq order (and so in time order).
  void insert(std::uint64_t hash, std::uint64_t seq, TimePoint at);
  // Forgets ids stored before now - window (to within a second: an id may be remembered up to a
  // second longer, never shorter), and the oldest beyond max_ids.
  void expire(TimePoint now);

  [[nodiscard]] std::size_t size() const { return by_hash_.size(); }
  // The heap the window holds now (table, expiry order and slices), to within a few percent.
  [[nodiscard]] std::size_t approx_bytes() const;

 private:
  // Ids stored within one second, with consecutive seqs (the log stores every id, in seq order, so
  // a slice breaks only on a new second or when recovery skipped records): their seqs need not be
  // kept, only the first one.
  struct Slice {
    TimePoint first_at{};         // when its first id was stored: the slice spans at most a second
    TimePoint last_at{};          // when its newest id was stored
    std::uint64_t first_seq = 0;  // seq of its oldest id still remembered
    std::uint64_t count = 0;      // ids still remembered
  };
  void forget_oldest();  // the oldest remembered id
  // How far ahead prefetch_ahead() asks, and insert() for the id it will forget.
  static constexpr std::size_t kPrefetchAhead = 16;

  const Duration window_;
  const std::size_t max_ids_;
  SeqTable by_hash_;
  std::deque<std::uint64_t> hashes_;  // every remembered id's hash, oldest first
  std::deque<Slice> slices_;          // the same ids, by slice; the counts add up to hashes_.size()
};

}  // namespace vigil::log
