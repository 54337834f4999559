#pragma once
// Sizing and freshness knobs for LoadingCache (cache/loading_cache.h).
#include <chrono>
#include <cstddef>

#include "common/ticker.h"

namespace vigil::cache {

struct CacheOptions {
  // Entries kept before the least recently used one is evicted; must be at least 1.
  std::size_t capacity = 10000;
  // How long a loaded value is served before the next get() reloads it. Zero: values are not kept.
  Nanos ttl = std::chrono::seconds(30);
  // How long an "absent" answer (the loader returned nullopt) is served, so that a flood of unknown
  // keys (a typo'd device id, a scanner) does not reach the store on every request. Kept short so a
  // newly registered key becomes visible quickly even without an invalidate(). Zero: not kept.
  Nanos negative_ttl = std::chrono::seconds(5);
};

// Throws std::invalid_argument, naming the field, when capacity is 0 or a TTL is negative.
void validate(const CacheOptions& options);

}  // namespace vigil::cache
