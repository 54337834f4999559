#include "log/seq_table.h"

#include <utility>

namespace vigil::log {

namespace {
constexpr std::size_t kInitialSlots = 1024;
}  // namespace

std::size_t SeqTable::probe(std::uint64_t key) const {
  const std::size_t mask = slots_.size() - 1;
  std::size_t i = home(key);
  while (slots_[i].key != 0 && slots_[i].key != key) i = (i + 1) & mask;
  return i;
}

std::optional<std::uint64_t> SeqTable::find(std::uint64_t hash) const {
  if (size_ == 0) return std::nullopt;
  const Slot& slot = slots_[probe(key_of(hash))];
  if (slot.key == 0) return std::nullopt;
  return slot.seq;
}

void SeqTable::insert_or_assign(std::uint64_t hash, std::uint64_t seq) {
  const std::uint64_t key = key_of(hash);
  if ((size_ + 1) * 4 > slots_.size() * 3) grow();
  Slot& slot = slots_[probe(key)];
  if (slot.key == 0) {
    slot.key = key;
    ++size_;
  }
  slot.seq = seq;
}

bool SeqTable::erase_if(std::uint64_t hash, std::uint64_t seq) {
  if (size_ == 0) return false;
  std::size_t hole = probe(key_of(hash));
  if (slots_[hole].key == 0 || slots_[hole].seq != seq) return false;
  // Backward shift: each later entry of the run whose home is not cyclically within (hole, j]
  // could have been placed at the hole, and must be, or a probe for it would stop at the hole.
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t j = (hole + 1) & mask; slots_[j].key != 0; j = (j + 1) & mask) {
    const std::size_t k = home(slots_[j].key);
    const bool stays = hole <= j ? (hole < k && k <= j) : (hole < k || k <= j);
    if (stays) continue;
    slots_[hole] = slots_[j];
    hole = j;
  }
  slots_[hole] = Slot{};
  --size_;
  return true;
}

void SeqTable::grow() {
  std::vector<Slot> old =
      std::exchange(slots_, std::vector<Slot>(slots_.empty() ? kInitialSlots : slots_.size() * 2));
  shift_ = 64;
  for (std::size_t n = slots_.size(); n > 1; n >>= 1) --shift_;
  for (const Slot& s : old) {
    if (s.key != 0) slots_[probe(s.key)] = s;
  }
}

}  // namespace vigil::log
