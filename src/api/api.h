#pragma once
// Vigil's HTTP API: every route of docs/api.md, registered on an http::Router. The handlers are
// adapters: they parse and answer HTTP, and call the domain (codec, validation), the durable log,
// the registry and the alert service. They never block a network thread: appends complete through
// the log's callback, and every SQLite read runs on the blocking pool.
//
// Ownership: the router's handlers hold a reference to the Api; the Api holds references to the
// services in ApiDeps. Everything must outlive the server that serves the router.
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

#include "alerts/alert_service.h"
#include "common/clock.h"
#include "http/router.h"
#include "log/log.h"
#include "log/observation_query.h"
#include "observability/metrics.h"
#include "observability/profiler.h"
#include "observability/span.h"
#include "registry/registry.h"
#include "resilience/breaker.h"
#include "resilience/bulkhead.h"
#include "store/registry_store.h"

namespace vigil::api {

// What /readyz reports beyond "the process is up".
struct Readiness {
  bool ready = true;
  std::uint64_t log_last_seq = 0;
  std::uint64_t processed_seq = 0;  // the pipeline's committed position
};

struct ApiOptions {
  std::size_t max_batch = 1000;               // observations per request; more is 413
  std::chrono::seconds retry_after{1};        // Retry-After on 503
  std::chrono::seconds sse_keepalive{15};     // comment line on an idle alert stream
  std::size_t sse_queue = 1024;               // events buffered per stream before it is cut
  std::size_t max_observations_limit = 1000;  // GET /v1/patients/{id}/observations?limit=
};

// A request refused by authorisation (403), for the audit trail. No secrets, no clinical values.
struct AccessDenied {
  std::string subject;  // who asked (empty when unauthenticated)
  std::string role;
  std::string action;   // "observation.submit", "alert.acknowledge", ...
  std::string entity;   // "patient/DEMO-S01-0007", "alert/...", "site/S02"
  std::string reason;   // why (from auth/policy.h); never sent to the client
  std::string request_id;
  std::string remote_address;
};

struct ApiDeps {
  log::Log& log;
  log::ObservationQuery& observations;
  const registry::Registry& registry;
  alerts::AlertService& alerts;
  boost::asio::thread_pool& blocking;  // SQLite reads and alert writes
  const Clock& clock;                  // "now" for validation and alert changes
  std::function<Readiness()> readiness;
  // The registry and audit store behind the management routes (/v1/trials, /v1/devices, /v1/audit...);
  // null: those routes are not registered.
  store::RegistryStore* store = nullptr;
  // Overload protection around that store: its circuit breaker and its own bounded pool. Either may
  // be null (no breaker; calls run on `blocking`).
  resilience::SreBreaker* store_breaker = nullptr;
  resilience::Bulkhead* store_bulkhead = nullptr;
  observability::MetricsRegistry* metrics = nullptr;  // GET /metrics; null: not registered
  observability::CpuProfiler* profiler = nullptr;     // GET /debug/pprof/*; null: not registered
  observability::HeapProfiler* heap_profiler = nullptr;  // GET /debug/pprof/heap?seconds=N; null: 501
  // Tracing export: each registry-store call of a sampled request becomes a CLIENT span, a child of
  // the request's span (the store is the one downstream a request calls). Null: none. span_clock
  // stamps them (null: system time).
  observability::SpanSink* spans = nullptr;
  const observability::SpanClock* span_clock = nullptr;
  // Blocking, run on the store's pool after every successful registry write: republishes the
  // registry the intake and the pipeline read. Must not throw. May be empty.
  std::function<void()> refresh_registry = {};
  // Called with a device's API-key hash after it was revoked or rebound, so cached lookups of that
  // key are dropped at once. May be empty.
  std::function<void(const std::string&)> device_key_changed = {};
  // Audit records of alert state changes; must not block (queue the write). May be empty.
  std::function<void(store::AuditEntry)> audit = {};
  // Called on the network thread for every 403; must not block (queue the audit write). May be empty.
  std::function<void(const AccessDenied&)> on_denied = {};
};

// Registers every route. `deps` (and what it refers to) must outlive the router.
void register_routes(http::Router& router, const ApiDeps& deps, const ApiOptions& options);

}  // namespace vigil::api
