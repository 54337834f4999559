#pragma once
// A bounded pool for blocking work (storage calls, file I/O), so that blocking work never runs on
// a network thread and never queues without bound: at most threads + max_queued units are
// admitted and unfinished at once; past that, work is refused at the door (the caller answers
// 503) instead of waiting in an ever longer queue.
//
// Thread safety: every member may be called from any thread. A Permit may be released on any
// thread. Ownership: the Bulkhead owns its thread pool; Permits must not outlive it.
// Errors: refusal is a value (nullopt / false). An exception thrown by posted work is caught and
// counted in failed(); the pool thread stays alive.
#include <atomic>
#include <boost/asio/thread_pool.hpp>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace vigil::resilience {

class Bulkhead {
 public:
  // One admitted unit of work; releases its slot when destroyed. Move-only.
  class Permit {
   public:
    Permit(Permit&& other) noexcept;
    Permit& operator=(Permit&& other) noexcept;
    Permit(const Permit&) = delete;
    Permit& operator=(const Permit&) = delete;
    ~Permit() { release(); }

   private:
    friend class Bulkhead;
    explicit Permit(Bulkhead* owner) : owner_(owner) {}
    void release();
    Bulkhead* owner_;  // null once released or moved from
  };

  // Throws std::invalid_argument when threads == 0.
  Bulkhead(std::string name, unsigned threads, std::size_t max_queued);
  // Waits for admitted work to finish (join()).
  ~Bulkhead();

  Bulkhead(const Bulkhead&) = delete;
  Bulkhead& operator=(const Bulkhead&) = delete;

  // Admits one unit of work if fewer than threads + max_queued are admitted and unfinished. For
  // work the caller runs on pool() itself (say, with http::run_blocking), holding the Permit until
  // it completes.
  std::optional<Permit> try_enter();

  // try_enter() and, if admitted, posts fn to the pool; the permit is released after fn returns or
  // throws. false: refused, fn was not run and never will be.
  bool try_post(std::function<void()> fn);

  // The pool itself. Work posted here directly bypasses the bound; go through try_enter().
  boost::asio::thread_pool& pool() { return pool_; }

  [[nodiscard]] std::size_t admitted() const { return admitted_.load(std::memory_order_relaxed); }
  [[nodiscard]] std::uint64_t refused() const { return refused_.load(std::memory_order_relaxed); }
  [[nodiscard]] std::uint64_t failed() const { return failed_.load(std::memory_order_relaxed); }
  [[nodiscard]] std::size_t capacity() const { return capacity_; }
  [[nodiscard]] const std::string& name() const { return name_; }

  // Waits until all posted work has run, then stops the threads. Afterwards try_post() still
  // admits but the work never runs (its permit is released at destruction); call it at shutdown.
  void join() { pool_.join(); }

 private:
  // Constant after construction.
  const std::string name_;
  const std::size_t capacity_;

  // Own synchronization. Declared before pool_ so that work destroyed with the pool can still
  // release its permits.
  std::atomic<std::size_t> admitted_{0};
  std::atomic<std::uint64_t> refused_{0};
  std::atomic<std::uint64_t> failed_{0};

  boost::asio::thread_pool pool_;
};

}  // namespace vigil::resilience
