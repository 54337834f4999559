#pragma once
// Lets a metrics callback (MetricsRegistry::gauge_callback) read an object that may be destroyed
// before the registry is: the registry keeps its callbacks for its whole life, so a callback that
// captured `this` would read freed memory at the first scrape after the object died.
//
// The callback holds a shared state naming the target; ~ScrapeGuard clears it, after waiting for a
// scrape in progress, and from then on the callback returns nullopt (the sample is left out).
// Declare the guard as the LAST member of its owner, so that it is destroyed first, while every
// member its callbacks read is still alive.
//
// Thread safety: callbacks may run on any thread, concurrently with the guard's destruction.
// A callback must not call back into the registry's expose() (it runs inside one).
#include <memory>
#include <mutex>
#include <optional>
#include <utility>

#include "observability/metrics.h"

namespace vigil::log {

template <class T>
class ScrapeGuard {
 public:
  explicit ScrapeGuard(const T& target) : state_(std::make_shared<State>(&target)) {}
  ~ScrapeGuard() {
    std::lock_guard lock(state_->mutex);
    state_->target = nullptr;
  }
  ScrapeGuard(const ScrapeGuard&) = delete;
  ScrapeGuard& operator=(const ScrapeGuard&) = delete;

  // A registry callback returning fn(target) while the target lives. fn: double(const T&).
  template <class Fn>
  [[nodiscard]] observability::MetricsRegistry::Callback callback(Fn fn) const {
    return [state = state_, fn = std::move(fn)]() -> std::optional<double> {
      std::lock_guard lock(state->mutex);
      if (state->target == nullptr) return std::nullopt;
      return fn(*state->target);
    };
  }

 private:
  struct State {
    explicit State(const T* t) : target(t) {}
    std::mutex mutex;
    const T* target;  // guarded by mutex; null once the guard is gone
  };
  std::shared_ptr<State> state_;
};

}  // namespace vigil::log
