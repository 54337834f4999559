#pragma once
// The processor's Prometheus series (internal to the pipeline module), resolved once so that the
// consumer thread records with relaxed atomics only:
//   vigil_pipeline_position           gauge: the committed log position
//   vigil_pipeline_lag_records        gauge, read at scrape time: log last seq - committed position
//   vigil_pipeline_processing_seconds histogram: per record, from its appended_at (the log's clock)
//                                     to the commit of its round's effects (the processor's Clock);
//                                     both are millisecond wall time, so values are whole ms
//   vigil_pipeline_records_total      counter: records of committed rounds (skipped ones included,
//                                     warm-up excluded)
//
// Thread safety: record_round() and set_position() from the consumer thread; the metrics themselves
// are safe from any thread. The registry owns them and must outlive this object.
#include <cstddef>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "log/log.h"
#include "observability/metrics.h"

namespace vigil::pipeline::detail {

// Records of one round grouped by appended_at, in log order: the log stamps a whole commit group
// with one time, so a round of thousands of records has only a few distinct ones.
class AppendedRuns {
 public:
  void add(TimePoint appended_at, std::size_t count = 1);
  void add(const AppendedRuns& other);  // appends every run of `other`, in order
  void clear() { runs_.clear(); }
  [[nodiscard]] std::size_t records() const;  // the sum of the runs' counts
  [[nodiscard]] const std::vector<std::pair<TimePoint, std::size_t>>& runs() const { return runs_; }

 private:
  std::vector<std::pair<TimePoint, std::size_t>> runs_;
};

class PipelineMetrics {
 public:
  explicit PipelineMetrics(observability::MetricsRegistry& registry);

  void set_position(std::uint64_t seq) { position_.set(static_cast<double>(seq)); }
  // After a committed records round: one processing observation per record, at `committed`.
  void record_round(const AppendedRuns& appended, std::size_t records, TimePoint committed);

 private:
  observability::Gauge& position_;
  observability::Histogram& processing_seconds_;
  observability::Counter& records_;
};

}  // namespace vigil::pipeline::detail
