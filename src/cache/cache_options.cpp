#include "cache/cache_options.h"

#include <stdexcept>

namespace vigil::cache {

void validate(const CacheOptions& options) {
  if (options.capacity == 0) throw std::invalid_argument("cache capacity must be at least 1");
  if (options.ttl < Nanos::zero()) throw std::invalid_argument("cache ttl must not be negative");
  if (options.negative_ttl < Nanos::zero()) {
    throw std::invalid_argument("cache negative_ttl must not be negative");
  }
}

}  // namespace vigil::cache
