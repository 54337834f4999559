#include "app/span_export.h"

#include "common/ticker.h"

namespace vigil::app {

std::unique_ptr<observability::OtlpExporter> make_span_exporter(const config::TracingConfig& tracing,
                                                                observability::MetricsRegistry& metrics) {
  if (tracing.otlp_endpoint.empty()) return nullptr;
  observability::OtlpExporterOptions options;
  options.endpoint = tracing.otlp_endpoint;
  options.service_name = tracing.service_name;
  options.queue_size = tracing.queue_size;
  options.batch_size = tracing.batch_size;
  options.flush_interval = tracing.flush_interval;
  options.timeout = tracing.timeout;
  auto exporter = std::make_unique<observability::OtlpExporter>(options, SteadyTicker::instance());
  const auto* e = exporter.get();
  metrics.counter_callback("vigil_trace_spans_exported_total", "Spans the OTLP collector accepted",
                           [e] { return static_cast<double>(e->stats().exported); });
  metrics.counter_callback(
      "vigil_trace_spans_dropped_total",
      "Spans not exported: queue full, batch refused by the collector, or left at shutdown", [e] {
        const auto s = e->stats();
        return static_cast<double>(s.dropped_queue_full + s.failed_spans + s.dropped_at_shutdown);
      });
  metrics.counter_callback("vigil_trace_export_failures_total",
                           "OTLP export requests the collector did not accept",
                           [e] { return static_cast<double>(e->stats().failed_batches); });
  return exporter;
}

}  // namespace vigil::app
