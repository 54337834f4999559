#pragma once
// The segment log's idempotency index: which ids it stored recently, so that a client's retry is
// answered "duplicate" instead of stored twice. Bounded like the deduplication windows of SQS FIFO
// queues and NATS JetStream: ids older than `window`, or beyond the newest `max_ids`, are
// forgotten (log/segment_log.h says what that means for a very late retry).
//
// Memory: one 64-bit hash and seq per id in a flat table plus the hash again in the expiry order,
// about 35 bytes per remembered id. The hash can collide, so a hit only names a candidate seq
// whose stored id the caller compares.
//
// Thread safety: none; the log's writer thread owns it.
#include <boost/unordered/unordered_flat_map.hpp>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string_view>
#include <vector>

#include "common/clock.h"

namespace vigil::log {

class DedupeWindow {
 public:
  DedupeWindow(Duration window, std::size_t max_ids);

  static std::uint64_t hash(std::string_view id);

  // The seq stored under `hash`, if remembered.
  [[nodiscard]] std::optional<std::uint64_t> find(std::uint64_t hash) const;
  // Remembers an id stored at `at`. Calls come in seq order (and so in time order).
  void insert(std::uint64_t hash, std::uint64_t seq, TimePoint at);
  // Forgets ids stored before now - window, and the oldest beyond max_ids.
  void expire(TimePoint now);

  [[nodiscard]] std::size_t size() const { return by_hash_.size(); }

 private:
  struct Slice {  // ids stored in the same millisecond, in seq order
    TimePoint at;
    std::vector<std::uint64_t> hashes;
    std::vector<std::uint64_t> seqs;
    std::size_t forgotten = 0;  // the first ones are already forgotten (max_ids)
  };
  void forget_oldest();  // the oldest remembered id

  const Duration window_;
  const std::size_t max_ids_;
  boost::unordered_flat_map<std::uint64_t, std::uint64_t> by_hash_;
  std::deque<Slice> order_;
};

}  // namespace vigil::log
