#pragma once
// The composition root: one running Vigil node built from a Config. It owns, in start-up order, the
// metrics registry, the span exporter (tracing export, optional), the registry (protocol file), the
// registry/audit store (SQLite or PostgreSQL), the durable intake log, the alert service, the
// processing pipeline, the blocking pool, the token verifier, the middleware chain (app/gateway.h)
// and the HTTP server, and shuts them down in reverse order.
//
// Thread safety: construct, start() and stop() from one controlling thread. The accessors are for
// the demo and tests, which read stats while the node runs.
// Errors: the constructor throws StartupError with one line naming the problem (a bad protocol
// file, a data folder that cannot be created, a port already in use, a locked log).
#include <atomic>
#include <boost/asio/thread_pool.hpp>
#include <cstdint>
#include <memory>
#include <stdexcept>

#include "alerts/alert_service.h"
#include "app/audit_sink.h"
#include "app/device_keys.h"
#include "app/gateway.h"
#include "app/live_registry.h"
#include "auth/jwt.h"
#include "common/clock.h"
#include "config/config.h"
#include "http/router.h"
#include "http/server.h"
#include "log/log.h"
#include "log/observation_query.h"
#include "observability/metrics.h"
#include "observability/otlp_exporter.h"
#include "observability/profiler.h"
#include "pipeline/processor.h"
#include "registry/registry.h"
#include "resilience/breaker.h"
#include "resilience/bulkhead.h"
#include "store/registry_store.h"

namespace vigil::app {

class StartupError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Node {
 public:
  // Opens storage and binds the listening socket; nothing is served until start().
  // `clock` (system time, or a ScaledClock in the demo) must outlive the node.
  Node(const config::Config& config, const Clock& clock);
  ~Node();
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  void start();
  // Staged: the server stops accepting and finishes in-flight requests (their appends complete),
  // then the pipeline finishes its round, then the log flushes and closes. Idempotent.
  // Returns false when the server had to force connections closed.
  bool stop();

  [[nodiscard]] std::uint16_t port() const { return server_->port(); }
  [[nodiscard]] const registry::Registry& registry() const { return *registry_; }
  [[nodiscard]] log::Log& intake_log() { return *log_; }
  [[nodiscard]] alerts::AlertService& alerts() { return *alerts_; }
  [[nodiscard]] pipeline::Processor& processor() { return *processor_; }
  [[nodiscard]] store::RegistryStore& store() { return *store_; }
  [[nodiscard]] observability::MetricsRegistry& metrics() { return metrics_; }

 private:
  void build_security();
  void build_api();

  const config::Config config_;
  const Clock& clock_;
  observability::MetricsRegistry metrics_;              // first: every component below registers into it
  std::unique_ptr<observability::OtlpExporter> spans_;  // null unless tracing.otlp_endpoint is set
  std::unique_ptr<LiveRegistry> registry_;              // snapshot of the registry store, swapped on change
  std::unique_ptr<store::RegistryStore> store_;
  std::unique_ptr<log::Log> log_;                  // storage.log_engine's implementation
  log::ObservationQuery* observations_ = nullptr;  // the same object's read side
  std::unique_ptr<alerts::AlertService> alerts_;
  std::unique_ptr<pipeline::Processor> processor_;
  std::unique_ptr<boost::asio::thread_pool> blocking_;
  std::unique_ptr<auth::JwtVerifier> jwt_;
  std::shared_ptr<StoreDeviceKeys> device_keys_;
  std::unique_ptr<AuditSink> audit_;
  std::unique_ptr<observability::CpuProfiler> profiler_;
  std::unique_ptr<observability::HeapProfiler> heap_profiler_;
  std::unique_ptr<Gateway> gateway_;
  std::unique_ptr<resilience::SreBreaker> store_breaker_;
  std::unique_ptr<resilience::Bulkhead> store_bulkhead_;
  http::Router router_;
  std::unique_ptr<http::Server> server_;
  std::atomic<bool> started_{false};  // read by /readyz on network threads
  std::atomic<bool> stopped_{false};
};

}  // namespace vigil::app
