#pragma once
// LoadingCache: a bounded read-through cache for hot lookups (patient, device key, protocol) in front
// of a store. get() serves a fresh entry or calls the loader; concurrent misses for one key share a
// single loader call ("single flight"), so a cold key under load costs the store one query, not one
// per request. Absent answers are cached too, for a shorter negative_ttl. Least recently used
// entries are evicted past capacity.
//
// Thread safety: every member function is safe to call concurrently. The loader never runs under
// the cache's mutex; it runs on the thread of the get() that missed first, and other callers for
// that key block until it returns. The loader must therefore bound its own time (statement timeout).
//
// Errors: a loader exception reaches the caller that ran it and every caller waiting on that load;
// nothing is cached, so the next get() tries again.
//
// Writes: call invalidate(key) after changing the source. An entry is dropped at once, and a load
// that started before the invalidate() cannot install its (possibly stale) result; callers that had
// already joined that load still receive it, as their reads overlapped the write. The next get()
// starts a fresh load.
//
// Lifetime: the cache must outlive every get() in progress; the Ticker must outlive the cache.
#include <atomic>
#include <cstdint>
#include <functional>
#include <future>
#include <list>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <unordered_map>
#include <utility>

#include "cache/cache_options.h"
#include "common/ticker.h"

namespace vigil::cache {

template <class K, class V, class Hash = std::hash<K>>
class LoadingCache {
 public:
  // Returns the value for the key, nullopt when the source has none. May throw.
  using Loader = std::function<std::optional<V>(const K&)>;

  struct Stats {
    std::uint64_t hits = 0;       // get() answered from a fresh entry
    std::uint64_t misses = 0;     // get() that ran a load or waited on one
    std::uint64_t loads = 0;      // loader calls started
    std::uint64_t evictions = 0;  // entries dropped to stay within capacity
    std::size_t size = 0;         // entries held now
    std::size_t waiting = 0;      // get() calls blocked now on a load another caller runs
  };

  // Throws std::invalid_argument on invalid options or an empty loader.
  LoadingCache(CacheOptions options, const Ticker& ticker, Loader loader)
      : options_(options), ticker_(ticker), loader_(std::move(loader)) {
    validate(options_);
    if (!loader_) throw std::invalid_argument("cache loader must not be empty");
  }
  LoadingCache(const LoadingCache&) = delete;
  LoadingCache& operator=(const LoadingCache&) = delete;

  std::optional<V> get(const K& key) {
    std::unique_lock lock(mu_);
    if (auto it = entries_.find(key); it != entries_.end()) {
      if (ticker_.now() < it->second.expires_at) {
        ++hits_;
        lru_.splice(lru_.begin(), lru_, it->second.position);
        return it->second.value;
      }
      erase_entry(it);
    }
    ++misses_;
    if (auto flight = flights_.find(key); flight != flights_.end()) {
      std::shared_future<std::optional<V>> result = flight->second.result;
      waiting_.fetch_add(1);
      lock.unlock();
      struct Leave {
        std::atomic<std::size_t>& count;
        ~Leave() { count.fetch_sub(1); }
      } leave{waiting_};
      return result.get();
    }
    return load(key, lock);
  }

  // Non-blocking: the fresh cached answer for `key` (the inner optional is a cached "absent"), or
  // nullopt when get() would have to load. Counts as a hit when it answers; never loads or waits,
  // so callers on a network thread can try the cache before handing a miss to a blocking pool.
  std::optional<std::optional<V>> peek(const K& key) {
    std::lock_guard lock(mu_);
    const auto it = entries_.find(key);
    if (it == entries_.end() || ticker_.now() >= it->second.expires_at) return std::nullopt;
    ++hits_;
    lru_.splice(lru_.begin(), lru_, it->second.position);
    return std::optional<std::optional<V>>(it->second.value);
  }

  void invalidate(const K& key) {
    std::lock_guard lock(mu_);
    if (auto it = entries_.find(key); it != entries_.end()) erase_entry(it);
    flights_.erase(key);
  }

  void clear() {
    std::lock_guard lock(mu_);
    entries_.clear();
    lru_.clear();
    flights_.clear();
  }

  [[nodiscard]] Stats stats() const {
    std::lock_guard lock(mu_);
    return Stats{hits_, misses_, loads_, evictions_, entries_.size(), waiting_.load()};
  }

 private:
  struct Entry {
    std::optional<V> value;
    Nanos expires_at;
    typename std::list<K>::iterator position;
  };
  struct Flight {
    std::shared_future<std::optional<V>> result;
    // Identifies this load; invalidate()/clear() remove the flight, so a finishing load whose id is
    // no longer registered knows its result may predate a write and must not be installed.
    std::uint64_t id;
  };
  using EntryMap = std::unordered_map<K, Entry, Hash>;

  std::optional<V> load(const K& key, std::unique_lock<std::mutex>& lock) {
    std::promise<std::optional<V>> promise;
    const std::uint64_t id = ++last_flight_id_;
    flights_.emplace(key, Flight{promise.get_future().share(), id});
    ++loads_;
    lock.unlock();
    std::optional<V> value;
    try {
      value = loader_(key);
    } catch (...) {
      lock.lock();
      end_flight(key, id);
      lock.unlock();
      promise.set_exception(std::current_exception());
      throw;
    }
    lock.lock();
    if (end_flight(key, id)) install(key, value);
    lock.unlock();
    promise.set_value(value);
    return value;
  }

  // Requires mu_. True when the flight was still registered (no invalidation since it started).
  bool end_flight(const K& key, std::uint64_t id) {
    auto flight = flights_.find(key);
    if (flight == flights_.end() || flight->second.id != id) return false;
    flights_.erase(flight);
    return true;
  }

  // Requires mu_.
  void install(const K& key, const std::optional<V>& value) {
    const Nanos ttl = value ? options_.ttl : options_.negative_ttl;
    if (ttl <= Nanos::zero()) return;
    if (auto it = entries_.find(key); it != entries_.end()) erase_entry(it);
    lru_.push_front(key);
    entries_.emplace(key, Entry{value, ticker_.now() + ttl, lru_.begin()});
    while (entries_.size() > options_.capacity) {
      entries_.erase(lru_.back());
      lru_.pop_back();
      ++evictions_;
    }
  }

  // Requires mu_.
  void erase_entry(typename EntryMap::iterator it) {
    lru_.erase(it->second.position);
    entries_.erase(it);
  }

  // Constant after construction.
  const CacheOptions options_;
  const Ticker& ticker_;
  const Loader loader_;

  std::atomic<std::size_t> waiting_{0};

  // Guarded by mu_.
  mutable std::mutex mu_;
  std::list<K> lru_;  // most recently used first
  EntryMap entries_;
  std::unordered_map<K, Flight, Hash> flights_;
  std::uint64_t last_flight_id_ = 0;
  std::uint64_t hits_ = 0;
  std::uint64_t misses_ = 0;
  std::uint64_t loads_ = 0;
  std::uint64_t evictions_ = 0;
};

}  // namespace vigil::cache
