#include "log/seq_table.h"

#include <sys/mman.h>

#include <new>

namespace vigil::log {

namespace {
constexpr std::size_t kInitialSlots = 1024;
constexpr std::size_t kHugePageBytes = std::size_t{2} << 20;  // x86-64 and arm64 (4 KiB base pages)

// Slots for `entries` at a load of at most 3/4: a power of two, at least kInitialSlots.
std::size_t slots_for(std::size_t entries) {
  std::size_t n = kInitialSlots;
  while (entries * 4 > n * 3) n *= 2;
  return n;
}
}  // namespace

SeqTable::SeqTable(std::size_t expected) {
  if (expected > 0) resize(slots_for(expected));
}

SeqTable::~SeqTable() {
  if (slots_ != nullptr) ::munmap(slots_, slot_count_ * sizeof(Slot));
}

std::size_t SeqTable::probe(std::uint64_t key) const {
  const std::size_t mask = slot_count_ - 1;
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
  if ((size_ + 1) * 4 > slot_count_ * 3) resize(slot_count_ == 0 ? kInitialSlots : slot_count_ * 2);
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
  const std::size_t mask = slot_count_ - 1;
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

void SeqTable::resize(std::size_t count) {
  // Anonymous memory is zero until written, page by page: an empty slot is all zero bits (Slot is
  // an implicit-lifetime aggregate, so the mapping holds Slot objects from the start).
  void* mapped = ::mmap(nullptr, count * sizeof(Slot), PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (mapped == MAP_FAILED) throw std::bad_alloc();
  // Every lookup lands on a random slot of a table far larger than the TLB covers with 4 KiB
  // pages, and in a VM each TLB miss is a two-level page walk: huge pages where the kernel offers
  // them (transparent_hugepage "madvise" or "always"). Advice only: without it the table works.
  if (count * sizeof(Slot) >= kHugePageBytes) ::madvise(mapped, count * sizeof(Slot), MADV_HUGEPAGE);
  Slot* const old = slots_;
  const std::size_t old_count = slot_count_;
  slots_ = static_cast<Slot*>(mapped);
  slot_count_ = count;
  shift_ = 64;
  for (std::size_t n = count; n > 1; n >>= 1) --shift_;
  for (std::size_t i = 0; i < old_count; ++i) {
    if (old[i].key != 0) slots_[probe(old[i].key)] = old[i];
  }
  if (old != nullptr) ::munmap(old, old_count * sizeof(Slot));
}

}  // namespace vigil::log
