#pragma once
// A lock-free memo in front of Family::with() for hot paths whose label values come from a small,
// fixed set (a route, a method, a status code): the first request with a key resolves the child
// through the family (its mutex) and publishes it here; every later one reads it with acquire loads
// only, no lock and no allocation.
//
// The key is three integers chosen by the caller (for example a route's address, a verb and a
// status). The table has a fixed number of slots and never grows: past three quarters full, a new
// key is not remembered and find() keeps answering nullptr for it, so the caller falls back to
// Family::with(), which is correct, only slower.
//
// Thread safety: find() from any thread at any time; remember() from any thread (serialised by an
// internal mutex). Children must outlive the memo (they live as long as their registry).
#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

namespace vigil::observability {

template <class M>
class ChildMemo {
 public:
  struct Key {
    std::uintptr_t a = 0;
    std::uint64_t b = 0;
    std::uint64_t c = 0;
    friend bool operator==(const Key&, const Key&) = default;
  };

  ChildMemo() = default;
  ChildMemo(const ChildMemo&) = delete;
  ChildMemo& operator=(const ChildMemo&) = delete;

  // The child remembered for `key`, or nullptr.
  M* find(const Key& key) const {
    for (std::size_t i = home(key), probes = 0; probes < kSlots; i = (i + 1) % kSlots, ++probes) {
      const Entry* e = slots_[i].load(std::memory_order_acquire);
      if (e == nullptr) return nullptr;
      if (e->key == key) return e->child;
    }
    return nullptr;
  }

  // Remembers `child` for `key` (a key already remembered keeps its first child).
  void remember(const Key& key, M& child) {
    const std::lock_guard lock(mutex_);
    if (owned_.size() >= kSlots * 3 / 4) return;
    std::size_t i = home(key);
    for (const Entry* e = slots_[i].load(std::memory_order_relaxed); e != nullptr;
         e = slots_[i].load(std::memory_order_relaxed)) {
      if (e->key == key) return;
      i = (i + 1) % kSlots;
    }
    owned_.push_back(std::make_unique<Entry>(Entry{key, &child}));
    slots_[i].store(owned_.back().get(), std::memory_order_release);
  }

  [[nodiscard]] std::size_t size() const {
    const std::lock_guard lock(mutex_);
    return owned_.size();
  }

  static constexpr std::size_t kSlots = 1024;

 private:
  struct Entry {
    Key key;
    M* child;
  };
  static std::size_t home(const Key& k) {
    std::uint64_t h = k.a * 0x9E3779B97F4A7C15ULL;
    h ^= (k.b + 0x632BE59BD9B4E019ULL) * 0xBF58476D1CE4E5B9ULL;
    h ^= (k.c + 0x94D049BB133111EBULL) * 0x94D049BB133111EBULL;
    h ^= h >> 31;
    return static_cast<std::size_t>(h % kSlots);
  }

  std::array<std::atomic<const Entry*>, kSlots> slots_{};
  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<Entry>> owned_;  // GUARDED_BY(mutex_); the entries the slots point to
};

}  // namespace vigil::observability
