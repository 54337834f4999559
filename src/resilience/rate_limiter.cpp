#include "resilience/rate_limiter.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace vigil::resilience {
namespace {

constexpr std::size_t kMaxShards = 16;
// Per-shard LRU approximates global LRU only when each shard holds many keys.
constexpr std::size_t kMinKeysPerShard = 64;
// Refill arithmetic is in doubles; this keeps 0.1 + 0.2 + ... rounding from refusing a token that
// elapsed time has fully paid for.
constexpr double kEpsilon = 1e-9;

std::chrono::milliseconds ceil_ms(double seconds) {
  if (seconds <= kEpsilon) return std::chrono::milliseconds(0);
  return std::chrono::milliseconds(static_cast<std::int64_t>(std::ceil(seconds * 1000.0 - kEpsilon)));
}

struct TransparentHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};

}  // namespace

struct LocalRateLimiter::Shard {
  struct Node {
    std::string key;
    double tokens = 0;
    Nanos refilled{0};  // ticker time `tokens` was computed at
  };
  std::mutex mutex;
  std::size_t capacity = 0;  // constant after construction
  // Most recently used first. The map's keys view the nodes' strings, which list nodes never move.
  std::list<Node> lru;
  std::unordered_map<std::string_view, std::list<Node>::iterator, TransparentHash, std::equal_to<>> index;
};

LocalRateLimiter::LocalRateLimiter(const Ticker& ticker, std::size_t max_keys)
    : ticker_(ticker), shard_count_(std::clamp<std::size_t>(max_keys / kMinKeysPerShard, 1, kMaxShards)) {
  if (max_keys == 0) throw std::invalid_argument("LocalRateLimiter: max_keys must be positive");
  shards_ = std::make_unique<Shard[]>(shard_count_);
  // Spread max_keys exactly, so the bound is the sum of the shard capacities.
  for (std::size_t i = 0; i < shard_count_; ++i) {
    shards_[i].capacity = max_keys / shard_count_ + (i < max_keys % shard_count_ ? 1 : 0);
    shards_[i].index.reserve(shards_[i].capacity);
  }
}

LocalRateLimiter::~LocalRateLimiter() = default;

LocalRateLimiter::Shard& LocalRateLimiter::shard_for(std::size_t hash) {
  // The map uses the low bits; mixing in the high ones keeps shard choice independent of them.
  return shards_[(hash ^ (hash >> 32)) % shard_count_];
}

RateDecision LocalRateLimiter::acquire(std::string_view key, const RateLimit& limit, double cost) {
  if (!(limit.rate > 0) || !(limit.burst >= 1)) {
    throw std::invalid_argument("RateLimit needs rate > 0 and burst >= 1");
  }
  if (!(cost > 0)) throw std::invalid_argument("rate limit cost must be positive");

  const Nanos now = ticker_.now();
  Shard& shard = shard_for(TransparentHash{}(key));
  std::lock_guard lock(shard.mutex);

  auto it = shard.index.find(key);
  Shard::Node* node = nullptr;
  if (it != shard.index.end()) {
    shard.lru.splice(shard.lru.begin(), shard.lru, it->second);
    node = &*it->second;
    // Another thread may have read a later time before taking the lock; never refill backwards.
    if (now > node->refilled) {
      const double added = static_cast<double>((now - node->refilled).count()) * limit.rate / 1e9;
      node->tokens = std::min(limit.burst, node->tokens + added);
      node->refilled = now;
    }
    node->tokens = std::min(limit.burst, node->tokens);  // the limit may have shrunk
  } else {
    if (shard.lru.size() >= shard.capacity) {
      // Reuse the least recently used node, and its string's memory.
      shard.index.erase(shard.lru.back().key);
      shard.lru.splice(shard.lru.begin(), shard.lru, std::prev(shard.lru.end()));
      shard.lru.front().key.assign(key);
    } else {
      shard.lru.emplace_front(Shard::Node{std::string(key), 0, Nanos(0)});
    }
    node = &shard.lru.front();
    node->tokens = limit.burst;
    node->refilled = now;
    shard.index.emplace(node->key, shard.lru.begin());
  }

  RateDecision d;
  d.limit = static_cast<std::uint64_t>(limit.burst);
  d.allowed = cost <= limit.burst && node->tokens + kEpsilon >= cost;
  if (d.allowed) {
    node->tokens = std::max(0.0, node->tokens - cost);
  } else {
    const double needed = std::min(cost, limit.burst) - node->tokens;
    d.retry_after = std::max(std::chrono::milliseconds(1), ceil_ms(needed / limit.rate));
  }
  d.remaining = static_cast<std::uint64_t>(std::floor(node->tokens + kEpsilon));
  d.reset = ceil_ms((limit.burst - node->tokens) / limit.rate);
  return d;
}

std::size_t LocalRateLimiter::size() const {
  std::size_t total = 0;
  for (std::size_t i = 0; i < shard_count_; ++i) {
    std::lock_guard lock(shards_[i].mutex);
    total += shards_[i].lru.size();
  }
  return total;
}

}  // namespace vigil::resilience
