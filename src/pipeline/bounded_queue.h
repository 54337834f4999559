#pragma once
// A fixed-capacity FIFO between the pipeline's consumer thread and one worker (internal to the
// pipeline module). push() blocks while the queue is full: that is the pipeline's back-pressure, which
// stops the consumer reading the log, so the log's own bounded intake queue fills and intake answers
// 503 instead of memory growing.
//
// Thread safety: any number of threads may push and pop concurrently.
// Waits: push() and pop() wait without a deadline; the pipeline guarantees progress (a worker pops
// until it takes its exit task, and only the consumer pushes, always ending with that exit task).
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <utility>

namespace vigil::pipeline::detail {

template <typename T>
class BoundedQueue {
 public:
  explicit BoundedQueue(std::size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}

  void push(T item) {
    std::unique_lock lock(mu_);
    not_full_.wait(lock, [&] { return items_.size() < capacity_; });
    items_.push_back(std::move(item));
    lock.unlock();
    not_empty_.notify_one();
  }

  T pop() {
    std::unique_lock lock(mu_);
    not_empty_.wait(lock, [&] { return !items_.empty(); });
    T item = std::move(items_.front());
    items_.pop_front();
    lock.unlock();
    not_full_.notify_one();
    return item;
  }

  [[nodiscard]] std::size_t size() const {
    std::lock_guard lock(mu_);
    return items_.size();
  }
  [[nodiscard]] std::size_t capacity() const { return capacity_; }

 private:
  const std::size_t capacity_;  // constant after construction
  mutable std::mutex mu_;
  std::condition_variable not_full_;
  std::condition_variable not_empty_;
  std::deque<T> items_;  // guarded by mu_
};

}  // namespace vigil::pipeline::detail
