#include "log/dedupe_window.h"

#include <functional>

namespace vigil::log {

DedupeWindow::DedupeWindow(Duration window, std::size_t max_ids) : window_(window), max_ids_(max_ids) {}

std::uint64_t DedupeWindow::hash(std::string_view id) {
  return std::hash<std::string_view>{}(id);
}

std::optional<std::uint64_t> DedupeWindow::find(std::uint64_t hash) const {
  auto it = by_hash_.find(hash);
  if (it == by_hash_.end()) return std::nullopt;
  return it->second;
}

void DedupeWindow::insert(std::uint64_t hash, std::uint64_t seq, TimePoint at) {
  if (max_ids_ == 0) return;
  if (order_.empty() || order_.back().at != at) order_.push_back(Slice{at, {}, {}, 0});
  order_.back().hashes.push_back(hash);
  order_.back().seqs.push_back(seq);
  // A colliding hash keeps the newer seq: the older record's id is then no longer recognised, the
  // price of 8-byte keys (at 4 million ids, a collision somewhere has a chance of about 1 in 2
  // million).
  by_hash_[hash] = seq;
  while (by_hash_.size() > max_ids_ && !order_.empty()) forget_oldest();
}

void DedupeWindow::expire(TimePoint now) {
  while (!order_.empty() && order_.front().at < now - window_) forget_oldest();
}

void DedupeWindow::forget_oldest() {
  Slice& oldest = order_.front();
  const std::size_t i = oldest.forgotten++;
  // Only if the entry still names this record: a later record with the same hash keeps its own.
  auto it = by_hash_.find(oldest.hashes[i]);
  if (it != by_hash_.end() && it->second == oldest.seqs[i]) by_hash_.erase(it);
  if (oldest.forgotten == oldest.hashes.size()) order_.pop_front();
}

}  // namespace vigil::log
