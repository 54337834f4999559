#include "store/pg_pool.h"

#include <fmt/format.h>

#include <stdexcept>

#include "store/store_error.h"

namespace vigil::store::pg {

Pool::Lease::~Lease() {
  if (conn_) pool_->give_back(std::move(conn_));
}

Pool::Pool(PoolOptions options) : options_(std::move(options)) {
  if (options_.size == 0) throw std::invalid_argument("the connection pool needs at least one connection");
}

Pool::Lease Pool::acquire() {
  std::unique_lock lock(mutex_);
  const bool ready = freed_.wait_for(lock, options_.acquire_timeout,
                                     [&] { return !idle_.empty() || open_ < options_.size; });
  if (!ready) {
    throw StoreError(
        StoreError::Code::unavailable,
        fmt::format("all {} registry database connections are busy; retry later", options_.size));
  }
  if (!idle_.empty()) {
    auto conn = std::move(idle_.back());
    idle_.pop_back();
    return Lease(*this, std::move(conn));
  }
  // Reserve the slot, then connect without the lock: a slow server must not block other callers.
  ++open_;
  lock.unlock();
  try {
    return Lease(*this, std::make_unique<Conn>(options_.conninfo, options_.connect_timeout));
  } catch (...) {
    lock.lock();
    --open_;
    lock.unlock();
    freed_.notify_one();
    throw;
  }
}

void Pool::give_back(std::unique_ptr<Conn> conn) {
  const bool keep = conn->reusable();
  if (!keep) conn.reset();  // closed outside the lock
  {
    std::lock_guard lock(mutex_);
    if (keep) {
      idle_.push_back(std::move(conn));
    } else {
      --open_;
    }
  }
  freed_.notify_one();
}

}  // namespace vigil::store::pg
