#pragma once
// Tracing export wiring (docs/operations.md, "Tracing export"): the OTLP/HTTP JSON span exporter
// built from the `tracing:` section, with its counters registered in the node's metrics.
//
// Ownership: the exporter's scrape-time counters read it, so it must outlive scrapes of `metrics`
// (the node stops its server, which serves /metrics, before the exporter goes).
#include <memory>

#include "config/config.h"
#include "observability/metrics.h"
#include "observability/otlp_exporter.h"

namespace vigil::app {

// Null when tracing.otlp_endpoint is empty (export off). Not started. Throws std::invalid_argument
// for a configuration the exporter refuses.
std::unique_ptr<observability::OtlpExporter> make_span_exporter(const config::TracingConfig& tracing,
                                                                observability::MetricsRegistry& metrics);

}  // namespace vigil::app
