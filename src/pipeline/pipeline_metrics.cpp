#include "pipeline/pipeline_metrics.h"

#include <algorithm>
#include <chrono>

namespace vigil::pipeline::detail {

void AppendedRuns::add(TimePoint appended_at, std::size_t count) {
  if (!runs_.empty() && runs_.back().first == appended_at) {
    runs_.back().second += count;
  } else {
    runs_.emplace_back(appended_at, count);
  }
}

void AppendedRuns::add(const AppendedRuns& other) {
  for (const auto& [appended_at, count] : other.runs_) add(appended_at, count);
}

std::size_t AppendedRuns::records() const {
  std::size_t n = 0;
  for (const auto& run : runs_) n += run.second;
  return n;
}

PipelineMetrics::PipelineMetrics(observability::MetricsRegistry& registry)
    : position_(registry.gauge("vigil_pipeline_position", "Committed intake log position of the pipeline")
                    .with({})),
      processing_seconds_(registry
                              .histogram("vigil_pipeline_processing_seconds",
                                         "Per record: from its append to the log to the commit of its "
                                         "effects (wall clock, millisecond precision)",
                                         {}, observability::latency_buckets_seconds())
                              .with({})),
      records_(registry.counter("vigil_pipeline_records_total", "Intake log records of committed rounds")
                   .with({})) {}

void PipelineMetrics::record_round(const AppendedRuns& appended, std::size_t records, TimePoint committed) {
  for (const auto& [appended_at, count] : appended.runs()) {
    // The two clocks are wall time and may disagree by a little; a negative age means "just now".
    const double age =
        std::chrono::duration<double>(std::max(Duration::zero(), committed - appended_at)).count();
    for (std::size_t i = 0; i < count; ++i) processing_seconds_.observe(age);
  }
  records_.inc(records);
}

}  // namespace vigil::pipeline::detail
