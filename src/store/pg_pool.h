#pragma once
// A bounded pool of PostgreSQL connections (store/pg_conn.h). Connections open lazily, up to `size`;
// a caller that finds them all busy waits until one comes back or its deadline passes.
//
// Thread safety: acquire() may be called from any number of threads; each Lease is used by one.
// Ownership: the pool owns every connection; a Lease borrows one and gives it back when destroyed.
// A connection that is broken or still inside a transaction when given back is closed, not reused,
// and its slot is freed for a fresh one.
// Errors: acquire() throws StoreError unavailable when no connection frees up within
// `acquire_timeout` or a new connection cannot be opened. The pool must outlive its leases.
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "store/pg_conn.h"

namespace vigil::store::pg {

struct PoolOptions {
  std::string conninfo;
  std::size_t size = 4;  // at least 1
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds acquire_timeout{5000};
};

class Pool {
 public:
  class Lease {
   public:
    Lease(Pool& pool, std::unique_ptr<Conn> conn) : pool_(&pool), conn_(std::move(conn)) {}
    ~Lease();
    Lease(Lease&& other) noexcept = default;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    Lease& operator=(Lease&&) = delete;

    Conn& operator*() const { return *conn_; }
    Conn* operator->() const { return conn_.get(); }

   private:
    Pool* pool_;
    std::unique_ptr<Conn> conn_;
  };

  // Opens no connection yet. Throws std::invalid_argument for size 0.
  explicit Pool(PoolOptions options);
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  Lease acquire();

 private:
  void give_back(std::unique_ptr<Conn> conn);

  const PoolOptions options_;
  std::mutex mutex_;
  std::condition_variable freed_;
  std::vector<std::unique_ptr<Conn>> idle_;  // guarded by mutex_
  std::size_t open_ = 0;                     // guarded by mutex_: idle, leased or being opened
};

}  // namespace vigil::store::pg
