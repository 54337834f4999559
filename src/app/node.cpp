#include "app/node.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <fstream>
#include <system_error>

#include "api/api.h"
#include "app/credentials.h"
#include "app/registry_import.h"
#include "app/span_export.h"
#include "app/store_factory.h"
#include "common/sched_slice.h"
#include "common/thread_name.h"
#include "common/ticker.h"
#include "domain/validate.h"
#include "log/segment_log.h"
#include "log/sqlite_log.h"
#include "observability/process_metrics.h"
#include "registry/protocol_file.h"

namespace vigil::app {
namespace {

std::filesystem::path prepare_data_dir(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw StartupError(fmt::format("cannot create data folder {}: {}", dir.string(), ec.message()));
  if (!std::filesystem::is_directory(dir, ec)) {
    throw StartupError(fmt::format("data folder {} is not a directory", dir.string()));
  }
  return dir;
}

template <typename Fn>
auto opening(std::string_view what, Fn fn) {
  try {
    return fn();
  } catch (const StartupError&) {
    throw;
  } catch (const std::exception& e) {
    throw StartupError(fmt::format("cannot open {}: {}", what, e.what()));
  }
}

}  // namespace

Node::Node(const config::Config& config, const Clock& clock) : config_(config), clock_(clock) {
  try {
    registry_ = std::make_unique<LiveRegistry>(std::make_shared<const registry::MemoryRegistry>(
        registry::read_protocol_file(config_.trial.protocol_file)));
  } catch (const std::exception& e) {
    throw StartupError(e.what());  // already "FILE:LINE:COL: reason"
  }
  const auto dir = prepare_data_dir(config_.storage.data_dir);
  observability::register_process_metrics(metrics_);
  spans_ = opening("the span exporter", [&] { return make_span_exporter(config_.tracing, metrics_); });

  store_ = opening("the registry store", [&] { return open_registry_store(config_, dir, clock_); });

  opening("the registry store", [&] {
    const auto start = std::chrono::steady_clock::now();
    const auto imported = import_protocol_file(*registry_, config_.trial.protocol_file, *store_);
    if (imported > 0) {
      spdlog::info(
          "imported {} patients of {} into the registry store in {} ms", imported,
          config_.trial.protocol_file.string(),
          std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start)
              .count());
    }
    // From now on the store is the record: the pipeline and the intake read its snapshot.
    registry_->refresh_from(*store_);
    return imported;
  });

  log_ = opening("the intake log", [&]() -> std::unique_ptr<log::Log> {
    if (config_.storage.log_engine == "sqlite") {
      log::SqliteLogOptions o;
      o.max_queued_items = config_.intake.queue_capacity;
      o.max_group_items = config_.intake.max_group_items;
      o.clock = &clock_;
      o.metrics = &metrics_;
      o.writer_slice = std::chrono::microseconds(config_.server.latency_slice_us);
      auto sqlite = std::make_unique<log::SqliteLog>(dir / "intake.db", o);
      observations_ = sqlite.get();
      return sqlite;
    }
    log::SegmentLogOptions o;
    o.max_queued_items = config_.intake.queue_capacity;
    o.max_group_items = config_.intake.max_group_items;
    o.clock = &clock_;
    o.metrics = &metrics_;
    o.writer_slice = std::chrono::microseconds(config_.server.latency_slice_us);
    o.dedupe_window = config_.storage.dedupe_window;
    o.dedupe_max_ids = config_.storage.dedupe_max_ids;
    o.max_future_skew = domain::kMaxFutureSkew;
    auto segments = std::make_unique<log::SegmentLog>(dir / "intake-log", o);
    observations_ = segments.get();
    return segments;
  });
  alerts_ = opening("the alert store",
                    [&] { return std::make_unique<alerts::AlertService>(dir / "alerts.db", &metrics_); });

  pipeline::ProcessorOptions processor_options;
  processor_options.workers = config_.pipeline.workers;
  processor_options.batch = config_.pipeline.batch;
  processor_options.worker_queue = config_.pipeline.worker_queue;
  processor_options.missing_data_scan = config_.pipeline.missing_data_scan;
  processor_options.position_commit_records = config_.pipeline.position_commit_records;
  processor_options.commit_linger = config_.pipeline.commit_linger;
  processor_options.metrics = &metrics_;
  processor_options.spans = spans_.get();
  processor_options.last_reading = [observations = observations_](std::string_view patient) -> std::optional<TimePoint> {
    const auto newest = observations->latest(patient, "", TimePoint{}, 1);
    if (newest.empty()) return std::nullopt;
    return newest.front().effective_time;
  };
  processor_ = std::make_unique<pipeline::Processor>(processor_options, *log_, *registry_, *alerts_, clock_);

  blocking_ = std::make_unique<boost::asio::thread_pool>(config_.storage.blocking_threads);
  name_pool_threads(*blocking_, config_.storage.blocking_threads, "vigil-storage-");

  build_security();
  build_api();

  http::ServerOptions server_options;
  server_options.host = config_.server.host;
  server_options.port = config_.server.port;
  server_options.io_threads = config_.server.io_threads;
  server_options.max_body_bytes = config_.server.max_body_bytes;
  server_options.read_timeout = config_.server.read_timeout;
  server_options.idle_timeout = config_.server.idle_timeout;
  server_options.shutdown_grace = config_.server.shutdown_grace;
  server_options.latency_slice = std::chrono::microseconds(config_.server.latency_slice_us);
  if (config_.server.latency_slice_us != 0 && !this_thread_slice()) {  // the log writer asked already
    spdlog::info(
        "server.latency_slice_us: no per-thread scheduler slices here (they need Linux 6.12 or later, and "
        "the "
        "SCHED_OTHER or SCHED_BATCH policy); the network threads and the log writer run with the default "
        "slice");
  }
  try {
    server_ = std::make_unique<http::Server>(server_options, router_, &gateway_->chain());
  } catch (const std::exception& e) {
    throw StartupError(e.what());  // "cannot listen on host:port: reason"
  }
  metrics_.gauge_callback("vigil_http_open_connections", "Client connections the server holds open",
                          [this] { return server_ ? static_cast<double>(server_->connections()) : 0.0; });
  metrics_.counter_callback("vigil_http_accept_failures_total",
                            "Accepts that failed (out of file descriptors, most often); each waits before the next",
                            [this] { return server_ ? static_cast<double>(server_->accept_failures()) : 0.0; });
}

void Node::build_security() {
  try {
    // Token lifetimes are real time even when the node runs on the demo's compressed clock.
    static const SystemClock wall;
    jwt_ = std::make_unique<auth::JwtVerifier>(make_verifier(config_.auth, wall));
  } catch (const std::exception& e) {
    throw StartupError(fmt::format("auth: {}", e.what()));
  }
  device_keys_ = std::make_shared<StoreDeviceKeys>(
      *store_,
      cache::CacheOptions{
          .capacity = 100'000, .ttl = std::chrono::seconds(30), .negative_ttl = std::chrono::seconds(5)},
      SteadyTicker::instance());
  metrics_.counter_callback("vigil_cache_hits_total", "Device-key cache hits",
                            [keys = device_keys_] { return static_cast<double>(keys->stats().hits); });
  metrics_.counter_callback("vigil_cache_misses_total", "Device-key cache misses",
                            [keys = device_keys_] { return static_cast<double>(keys->stats().misses); });
  audit_ = std::make_unique<AuditSink>(*store_, *blocking_, metrics_);
  gateway_ = std::make_unique<Gateway>(
      GatewayDeps{config_, metrics_, *jwt_, device_keys_, *blocking_,
                  [this]() -> std::size_t { return server_ ? server_->connections() : 0; },
                  [this](const middleware::AuthFailure& f) {
                    audit_->record(store::AuditEntry{
                        "anonymous", "authentication.failed", "route",
                        fmt::format("{} {}", f.method, f.route), std::nullopt, std::nullopt,
                        fmt::format("{} from {} (request {})", f.reason, f.remote_address, f.request_id)});
                  },
                  spans_.get()});
}

void Node::build_api() {
  profiler_ = std::make_unique<observability::CpuProfiler>(config_.storage.data_dir);
  heap_profiler_ = std::make_unique<observability::HeapProfiler>(config_.storage.data_dir);
  // The registry store behind its own breaker and bulkhead: a store that hangs fills its own pool
  // and trips its own breaker, while intake (the log) and alert reads carry on.
  const auto& b = config_.breakers;
  store_breaker_ = std::make_unique<resilience::SreBreaker>(
      "registry-store", resilience::BreakerOptions{b.k, b.window, b.buckets, b.probe_interval},
      SteadyTicker::instance());
  store_bulkhead_ = std::make_unique<resilience::Bulkhead>(
      "registry-store", static_cast<unsigned>(std::max<std::size_t>(2, config_.registry.pool_size)), 64);
  metrics_.gauge_callback("vigil_breaker_reject_probability",
                          "Probability the registry-store circuit breaker refuses a call (0: closed)",
                          [b = store_breaker_.get()] { return b->reject_probability(); });
  metrics_.counter_callback("vigil_breaker_rejected_total",
                            "Calls the registry-store circuit breaker refused",
                            [b = store_breaker_.get()] { return static_cast<double>(b->rejected()); });
  metrics_.counter_callback("vigil_bulkhead_refused_total",
                            "Calls refused because the registry-store pool was full",
                            [b = store_bulkhead_.get()] { return static_cast<double>(b->refused()); });
  api::ApiOptions api_options;
  api_options.max_batch = config_.intake.max_batch;
  api_options.retry_after = config_.intake.retry_after;
  api::ApiDeps deps{
      *log_, *observations_, *registry_, *alerts_, *blocking_, clock_, [this] {
        return api::Readiness{started_ && !stopped_, log_->last_seq(), processor_->stats().position};
      }};
  deps.store = store_.get();
  deps.store_breaker = store_breaker_.get();
  deps.store_bulkhead = store_bulkhead_.get();
  deps.metrics = &metrics_;
  deps.profiler = profiler_.get();
  deps.heap_profiler = heap_profiler_.get();
  deps.spans = spans_.get();
  deps.audit = [this](store::AuditEntry entry) { audit_->record(std::move(entry)); };
  deps.refresh_registry = [this] {
    try {
      registry_->refresh_from(*store_);
    } catch (const std::exception& e) {
      spdlog::error("registry snapshot not refreshed after a change: {}", e.what());
    }
  };
  deps.device_key_changed = [keys = device_keys_](const std::string& hash) { keys->invalidate(hash); };
  deps.on_denied = [this](const api::AccessDenied& d) {
    audit_->record(store::AuditEntry{d.subject.empty() ? "anonymous" : d.subject, "authorization.denied",
                                     "request", d.entity, std::nullopt, std::nullopt,
                                     fmt::format("{}: {} (role {}, from {}, request {})", d.action, d.reason,
                                                 d.role, d.remote_address, d.request_id)});
  };
  api::register_routes(router_, deps, api_options);
}

Node::~Node() {
  stop();
}

void Node::start() {
  if (started_) return;
  started_ = true;
  if (spans_) spans_->start();
  processor_->start();
  server_->start();
}

bool Node::stop() {
  if (stopped_) return true;
  stopped_ = true;
  bool clean = true;
  if (server_) clean = server_->shutdown();
  if (processor_) processor_->stop();
  if (spans_) spans_->stop();  // flushes the spans of the requests and rounds that just finished
  if (store_bulkhead_) store_bulkhead_->join();
  if (blocking_) blocking_->join();
  if (log_) log_->close();
  return clean;
}

}  // namespace vigil::app
