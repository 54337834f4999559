#include "resilience/breaker.h"

#include <algorithm>
#include <random>
#include <stdexcept>

namespace vigil::resilience {
namespace {

double thread_local_uniform01() {
  thread_local std::mt19937_64 engine{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(engine);
}

Nanos bucket_width(const BreakerOptions& options) {
  if (!(options.k > 0)) throw std::invalid_argument("BreakerOptions: k must be positive");
  if (options.buckets == 0) throw std::invalid_argument("BreakerOptions: buckets must be positive");
  const Nanos width = std::chrono::duration_cast<Nanos>(options.window) / options.buckets;
  if (width < std::chrono::milliseconds(1)) {
    throw std::invalid_argument("BreakerOptions: window / buckets must be at least 1 ms");
  }
  return width;
}

}  // namespace

std::string_view to_string(BreakerState state) {
  switch (state) {
    case BreakerState::closed:
      return "closed";
    case BreakerState::throttling:
      return "throttling";
  }
  return "unknown";
}

SreBreaker::SreBreaker(std::string name, BreakerOptions options, const Ticker& ticker,
                       std::function<double()> uniform01)
    : name_(std::move(name)),
      options_(options),
      ticker_(ticker),
      uniform01_(uniform01 ? std::move(uniform01) : std::function<double()>(thread_local_uniform01)),
      window_(bucket_width(options), options.buckets),
      last_let_through_(ticker.now()) {}

double SreBreaker::probability_locked(Nanos now) const {
  window_.at(now);  // so that a stale current slot is not counted
  std::uint64_t requests = 0;
  std::uint64_t accepts = 0;
  window_.for_each(now, /*include_current=*/true, [&](const Bucket& b) {
    requests += b.requests;
    accepts += b.accepts;
  });
  if (requests < options_.min_requests) return 0;
  const double r = static_cast<double>(requests);
  return std::max(0.0, (r - options_.k * static_cast<double>(accepts)) / (r + 1));
}

bool SreBreaker::allow() {
  const Nanos now = ticker_.now();
  bool reject = false;
  {
    std::lock_guard lock(mutex_);
    const double p = probability_locked(now);
    // Draw only when it matters, so the all-healthy path costs no random number.
    if (p > 0 && uniform01_() < p) {
      reject = now - last_let_through_ < options_.probe_interval;
    }
    ++window_.at(now).requests;
    if (!reject) last_let_through_ = std::max(last_let_through_, now);
  }
  if (reject) rejected_.fetch_add(1, std::memory_order_relaxed);
  return !reject;
}

void SreBreaker::on_success() {
  const Nanos now = ticker_.now();
  std::lock_guard lock(mutex_);
  ++window_.at(now).accepts;
}

void SreBreaker::on_failure() {
  failures_.fetch_add(1, std::memory_order_relaxed);
}

double SreBreaker::reject_probability() const {
  const Nanos now = ticker_.now();
  std::lock_guard lock(mutex_);
  return probability_locked(now);
}

BreakerState SreBreaker::state() const {
  return reject_probability() > 0 ? BreakerState::throttling : BreakerState::closed;
}

}  // namespace vigil::resilience
