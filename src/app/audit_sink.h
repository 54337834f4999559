#pragma once
// Audit records that arise on network threads (refused authentication and authorisation, alert
// state changes) written to the registry store's hash-chained trail without blocking those threads:
// each record is handed to the blocking pool. The number of records waiting is bounded
// (`max_pending`); past it a record is dropped, counted (vigil_audit_dropped_total) and logged,
// because under a flood of forged requests unbounded memory would take the node down with it.
//
// Log lines about a record (dropped, not written) carry the request and trace ids of the LogScope
// open where record() was called (observability/log_context.h), also when the line is written
// later on the pool: callers open one around the call.
//
// Thread safety: record() may be called from any thread. The pool and store must outlive the sink,
// and the pool must be joined before the sink is destroyed.
#include <atomic>
#include <boost/asio/thread_pool.hpp>
#include <cstddef>

#include "observability/metrics.h"
#include "store/registry_store.h"

namespace vigil::app {

class AuditSink {
 public:
  AuditSink(store::RegistryStore& store, boost::asio::thread_pool& pool, observability::MetricsRegistry& metrics,
            std::size_t max_pending = 10'000);
  void record(store::AuditEntry entry);
  [[nodiscard]] std::size_t pending() const { return pending_.load(); }

 private:
  store::RegistryStore& store_;
  boost::asio::thread_pool& pool_;
  const std::size_t max_pending_;
  std::atomic<std::size_t> pending_{0};
  observability::Counter& written_;
  observability::Counter& dropped_;
};

}  // namespace vigil::app
