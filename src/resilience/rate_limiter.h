#pragma once
// Token-bucket rate limiting. RateLimiter is the interface the HTTP middleware holds, so a shared
// (e.g. Redis-backed) limiter can replace the in-process one when Vigil is scaled out.
//
// A bucket holds up to `burst` tokens and refills at `rate` tokens per second; a call of cost c is
// allowed when c tokens are there. Keys are opaque: the caller puts everything that must be limited
// separately (route group, principal, client address) into the key, and passes the limit that
// applies to that key on every call (a key is expected to keep one limit).
//
// Thread safety: acquire() may be called from any number of threads.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/ticker.h"

namespace vigil::resilience {

struct RateLimit {
  double rate = 0;   // tokens per second, > 0
  double burst = 0;  // bucket size, >= 1
};

struct RateDecision {
  bool allowed = false;
  std::uint64_t limit = 0;      // the burst, for RateLimit-Limit style headers
  std::uint64_t remaining = 0;  // whole tokens left after this call
  // 0 when allowed; otherwise the time until `cost` tokens are there, rounded up. A cost above the
  // burst is never granted; its retry_after is the time until the bucket is full.
  std::chrono::milliseconds retry_after{0};
  std::chrono::milliseconds reset{0};  // time until the bucket is full again, rounded up
};

class RateLimiter {
 public:
  virtual ~RateLimiter() = default;
  // Takes `cost` tokens from the bucket for `key` if it holds that many.
  virtual RateDecision acquire(std::string_view key, const RateLimit& limit, double cost = 1) = 0;
};

// In-process buckets, refilled lazily from elapsed ticker time (no timer thread). Keys are spread
// by hash over up to 16 shards (one per 64 keys of max_keys), each with its own mutex, map and LRU
// list, so unrelated keys rarely contend. Memory is bounded by `max_keys`: a full shard evicts its
// least recently used key (a refused call counts as a use). An evicted bucket that had refilled is
// indistinguishable from a new one; one evicted while partially drained comes back with a full
// burst, so keep max_keys well above the number of keys active within one refill period
// (burst / rate). Allocates only when a key is first seen; hits and evictions reuse memory.
class LocalRateLimiter final : public RateLimiter {
 public:
  // Throws std::invalid_argument when max_keys == 0.
  LocalRateLimiter(const Ticker& ticker, std::size_t max_keys);
  ~LocalRateLimiter() override;

  LocalRateLimiter(const LocalRateLimiter&) = delete;
  LocalRateLimiter& operator=(const LocalRateLimiter&) = delete;

  // An invalid limit (rate <= 0 or burst < 1) or cost <= 0 throws std::invalid_argument: both are
  // configuration errors that must surface, not silently allow or refuse everything.
  RateDecision acquire(std::string_view key, const RateLimit& limit, double cost = 1) override;

  // Keys currently held (<= max_keys).
  [[nodiscard]] std::size_t size() const;

 private:
  struct Shard;
  Shard& shard_for(std::size_t hash);

  const Ticker& ticker_;
  std::unique_ptr<Shard[]> shards_;
  std::size_t shard_count_;
};

}  // namespace vigil::resilience
