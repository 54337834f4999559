#include "log/log_metrics.h"

namespace vigil::log {

std::vector<double> group_items_buckets() {
  std::vector<double> buckets;
  for (double b = 1; b <= 16384; b *= 2) buckets.push_back(b);
  return buckets;
}

LogMetrics::LogMetrics(observability::MetricsRegistry& registry)
    : append_seconds(registry
                         .histogram("vigil_log_append_seconds",
                                    "Time from try_append to the durable callback, per appended batch", {},
                                    observability::latency_buckets_seconds())
                         .with({})),
      group_commit_items(registry
                             .histogram("vigil_log_group_commit_items",
                                        "Items made durable by one commit group (one WAL fsync)", {},
                                        group_items_buckets())
                             .with({})),
      commit_seconds(registry
                         .histogram("vigil_log_commit_seconds",
                                    "Time one commit group took to write and sync its records: the disk's "
                                    "share of vigil_log_append_seconds",
                                    {}, observability::latency_buckets_seconds())
                         .with({})),
      fsyncs(
          registry.counter("vigil_log_fsyncs_total", "Durable commit groups, one WAL fsync each").with({})) {}

}  // namespace vigil::log
