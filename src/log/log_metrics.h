#pragma once
// The SQLite log's Prometheus series (log/sqlite_log.h lists them), resolved once so that the
// writer thread records with relaxed atomics only, never through Family::with().
//
// Thread safety: the referenced metrics are safe to use from any thread; the registry owns them
// and must outlive this object.
#include <vector>

#include "observability/metrics.h"

namespace vigil::log {

// Items per commit group, 1 .. 16384 in powers of two (max_group_items defaults to 8192).
std::vector<double> group_items_buckets();

struct LogMetrics {
  explicit LogMetrics(observability::MetricsRegistry& registry);

  observability::Histogram& append_seconds;
  observability::Histogram& group_commit_items;
  observability::Histogram& commit_seconds;
  observability::Counter& fsyncs;
};

}  // namespace vigil::log
