#include "log/dedupe_window.h"

#include <chrono>
#include <functional>

namespace vigil::log {

namespace {
constexpr Duration kSliceSpan = std::chrono::seconds(1);
}  // namespace

DedupeWindow::DedupeWindow(Duration window, std::size_t max_ids)
    : window_(window),
      max_ids_(max_ids),
      by_hash_(max_ids == 0 ? 0 : max_ids + 1) {}  // insert() holds one more id briefly

std::uint64_t DedupeWindow::hash(std::string_view id) {
  return std::hash<std::string_view>{}(id);
}

std::optional<std::uint64_t> DedupeWindow::find(std::uint64_t hash) const {
  return by_hash_.find(hash);
}

void DedupeWindow::prefetch_ahead(std::span<const std::uint64_t> hashes, std::size_t i) const {
  const std::size_t from = i == 0 ? 0 : i + kPrefetchAhead;
  for (std::size_t k = from; k <= i + kPrefetchAhead && k < hashes.size(); ++k) by_hash_.prefetch(hashes[k]);
}

void DedupeWindow::insert(std::uint64_t hash, std::uint64_t seq, TimePoint at) {
  if (max_ids_ == 0) return;
  Slice* last = slices_.empty() ? nullptr : &slices_.back();
  if (last != nullptr && last->first_seq + last->count == seq && at >= last->first_at &&
      at - last->first_at < kSliceSpan) {
    ++last->count;
    if (at > last->last_at) last->last_at = at;
  } else {
    slices_.push_back(Slice{at, at, seq, 1});
  }
  hashes_.push_back(hash);
  // The id forgotten kPrefetchAhead inserts from now: its slot is loaded meanwhile (SeqTable::prefetch).
  if (hashes_.size() > max_ids_ && hashes_.size() > kPrefetchAhead) by_hash_.prefetch(hashes_[kPrefetchAhead]);
  // A colliding hash keeps the newer seq: the older record's id is then no longer recognised, the
  // price of 8-byte keys (at 3 million ids, a collision somewhere has a chance of about 1 in 4
  // million).
  by_hash_.insert_or_assign(hash, seq);
  while (hashes_.size() > max_ids_) forget_oldest();
}

void DedupeWindow::expire(TimePoint now) {
  // A whole slice goes once its newest id is older than the window.
  while (!slices_.empty() && slices_.front().last_at < now - window_) forget_oldest();
}

std::size_t DedupeWindow::approx_bytes() const {
  // The table: one (hash, seq) pair per slot. The deques: their elements
  // (in 512-byte blocks).
  return by_hash_.slot_count() * SeqTable::kSlotBytes + hashes_.size() * sizeof(std::uint64_t) +
         slices_.size() * sizeof(Slice);
}

void DedupeWindow::forget_oldest() {
  Slice& oldest = slices_.front();
  const std::uint64_t hash = hashes_.front();
  hashes_.pop_front();
  // Only if the entry still names this record: a later record with the same hash keeps its own.
  by_hash_.erase_if(hash, oldest.first_seq);
  ++oldest.first_seq;
  if (--oldest.count == 0) slices_.pop_front();
}

}  // namespace vigil::log
