#include "resilience/bulkhead.h"

#include <boost/asio/post.hpp>
#include <stdexcept>
#include <utility>

#include "common/thread_name.h"

namespace vigil::resilience {
namespace {

unsigned checked_threads(unsigned threads) {
  if (threads == 0) throw std::invalid_argument("Bulkhead needs at least one thread");
  return threads;
}

}  // namespace

Bulkhead::Permit::Permit(Permit&& other) noexcept : owner_(std::exchange(other.owner_, nullptr)) {}

Bulkhead::Permit& Bulkhead::Permit::operator=(Permit&& other) noexcept {
  if (this != &other) {
    release();
    owner_ = std::exchange(other.owner_, nullptr);
  }
  return *this;
}

void Bulkhead::Permit::release() {
  if (auto* owner = std::exchange(owner_, nullptr)) owner->admitted_.fetch_sub(1, std::memory_order_release);
}

Bulkhead::Bulkhead(std::string name, unsigned threads, std::size_t max_queued)
    : name_(std::move(name)), capacity_(checked_threads(threads) + max_queued), pool_(threads) {
  // The threads carry the bulkhead's name ("registry-sto-0"), cut to fit Linux's 15 characters.
  name_pool_threads(pool_, threads, name_.substr(0, 12) + "-");
}

Bulkhead::~Bulkhead() {
  join();
}

std::optional<Bulkhead::Permit> Bulkhead::try_enter() {
  std::size_t current = admitted_.load(std::memory_order_relaxed);
  do {
    if (current >= capacity_) {
      refused_.fetch_add(1, std::memory_order_relaxed);
      return std::nullopt;
    }
  } while (!admitted_.compare_exchange_weak(current, current + 1, std::memory_order_acquire,
                                            std::memory_order_relaxed));
  return Permit(this);
}

bool Bulkhead::try_post(std::function<void()> fn) {
  std::optional<Permit> permit = try_enter();
  if (!permit) return false;
  boost::asio::post(pool_, [this, permit = std::move(*permit), fn = std::move(fn)]() mutable {
    try {
      fn();
    } catch (...) {
      // The caller handed the work off and cannot be told; count it for metrics and keep the
      // thread alive (an exception escaping a pool thread would end the process).
      failed_.fetch_add(1, std::memory_order_relaxed);
    }
    Permit done = std::move(permit);  // released here, not when asio gets round to freeing us
  });
  return true;
}

}  // namespace vigil::resilience
